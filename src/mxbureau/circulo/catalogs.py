"""The catalogues of the Círculo load format: the ones the seed's text defines, and a way for a user to
add the ones it only references (the annexes are on the missing pages 41-105).

``CATALOGS`` maps a catalogue's name (``CField.catalog`` in spec.py) to its codes and descriptions, or
to None when the text does not list it: such fields are not checked for membership until a catalogue
is supplied, with ``Catalogs.extended(name=path_or_mapping)`` or ``validate(..., catalogs=...)``. A
catalogue file is CSV (``code,description``, a header line optional) or JSON (``{code: description}``;
or ``{name: {code: description}}`` for several).
"""
from __future__ import annotations

import csv
import json
import os
from typing import Dict, Iterator, Mapping, Optional, Tuple, Union

from ..errors import UsageError

__all__ = ["CATALOGS", "Catalogs", "load", "FORMATS", "CLIENT_TYPES", "GUARANTOR_CLIENT_TYPES",
           "PORTFOLIO_RATINGS", "SPECIAL_FLAGS", "BUCKETS", "STATES", "STATE_ALIASES", "POSTAL_CODE_STATES",
           "NAMED_CREDIT_TYPES", "ZERO_TERM_TYPES", "ZERO_INITIAL_BALANCE_TYPES", "ZERO_PRINCIPAL_TYPES",
           "ACTIVITY_PLACEHOLDERS", "VERSIONS", "MORAL_CLIENT_TYPES", "WILD_DEFAULTS"]

# HD-03
FORMATS = {"1": "Detallado (Entidades Financieras)", "2": "Sumarizado (Empresas Comerciales)"}
# HD-06: "Reportar el valor 04 que corresponde a la Versión reciente"
VERSIONS = {"04": "Versión reciente"}
# EM-23, AC-19
CLIENT_TYPES = {"1": "Persona Moral", "2": "Persona Física con Actividad Empresarial", "3": "Fondo o Fideicomiso",
                "4": "Gobierno"}
# AV-18 (the page is cut after 2: READINGS 13)
GUARANTOR_CLIENT_TYPES = {"1": "Persona Moral", "2": "Persona Física con Actividad Empresarial"}
# The client types whose names go in Compañía (EM-03) and whose RFC has 3 letters.
MORAL_CLIENT_TYPES = ("1", "3", "4")
# EM-09, page 20
PORTFOLIO_RATINGS = {
    "A1": "Desempeño de pago sólido", "A2": "Desempeño de pago sobresaliente",
    "B1": "Desempeño de pago bueno con riesgo aceptable", "B2": "Desempeño de pago satisfactorio",
    "B3": "Desempeño de pago adecuado", "C1": "Desempeño de pago débil", "C2": "Desempeño de pago insatisfactorio",
    "D": "Desempeño de pago insatisfactorio; ya cayó en incumplimiento", "E": "Dejó de pagar; sin capacidad de pago",
    "EX": "Cartera exceptuada", "NC": "Cartera no calificada",
}
# CR-20
SPECIAL_FLAGS = {"F": "Crédito especial"}
# DE-02 in format 2 (Tema 2): one DE per bucket; "+179" is any value >= 180 (READINGS 11)
BUCKETS = {0: "vigente (000)", 29: "1-29", 59: "30-59", 89: "60-89", 119: "90-119", 179: "120-179", 180: "+179"}
# EM-10..12: the placeholder when the activity is not known, by format (and so wrong in the other)
ACTIVITY_PLACEHOLDERS = {1: "9999999", 2: "8888888"}
# Credit types the text names (the full catalogue is an annex), and the rules that single them out
NAMED_CREDIT_TYPES = {"1380": "Tarjeta de Crédito Empresarial", "6250": "Tarjeta de Servicio",
                      "6280": "Línea de Crédito", "1305": "Créditos en cuenta corriente"}
ZERO_TERM_TYPES = ("1380", "6250", "6280")            # CR-05 may be 0; DE-03 may be 0 without a close date
ZERO_INITIAL_BALANCE_TYPES = ("1380", "6250")         # CR-07 may be 0 (V13)
ZERO_PRINCIPAL_TYPES = ("1380", "6250", "6280", "1305")   # CR-22 may be 0 (D06)
# What writers in the wild use where an annex is missing (CIRCULO.md §5): a writer's defaults only.
WILD_DEFAULTS = {"institution_type": "005", "institution_type_commercial": "999", "currency": "001"}

# Estados (seed 002, Anexo 11; the format is declared compatible with Buró's: READINGS 12)
STATES = {
    "AGS": "Aguascalientes", "BCN": "Baja California Norte", "BCS": "Baja California Sur", "CAM": "Campeche",
    "CHS": "Chiapas", "CHI": "Chihuahua", "COA": "Coahuila", "COL": "Colima", "DF": "Distrito Federal",
    "DGO": "Durango", "EM": "Estado de México", "GTO": "Guanajuato", "GRO": "Guerrero", "HGO": "Hidalgo",
    "JAL": "Jalisco", "MICH": "Michoacán", "MOR": "Morelos", "NAY": "Nayarit", "NL": "Nuevo León",
    "OAX": "Oaxaca", "PUE": "Puebla", "QRO": "Querétaro", "QR": "Quintana Roo", "SLP": "San Luis Potosí",
    "SIN": "Sinaloa", "SON": "Sonora", "TAB": "Tabasco", "TAM": "Tamaulipas", "TLA": "Tlaxcala",
    "VER": "Veracruz", "YUC": "Yucatán", "ZAC": "Zacatecas",
}
STATE_ALIASES = {"CDMX": "DF"}
# SEPOMEX: the first two digits of a postal code by state (the standard ranges; the full SEPOMEX table,
# which the bureau checks against municipality and city, is not in the text).
POSTAL_CODE_STATES = {
    "DF": ((1, 16),), "AGS": ((20, 20),), "BCN": ((21, 22),), "BCS": ((23, 23),), "CAM": ((24, 24),),
    "COA": ((25, 27),), "COL": ((28, 28),), "CHS": ((29, 30),), "CHI": ((31, 33),), "DGO": ((34, 35),),
    "GTO": ((36, 38),), "GRO": ((39, 41),), "HGO": ((42, 43),), "JAL": ((44, 49),), "EM": ((50, 57),),
    "MICH": ((58, 61),), "MOR": ((62, 62),), "NAY": ((63, 63),), "NL": ((64, 67),), "OAX": ((68, 71),),
    "PUE": ((72, 75),), "QRO": ((76, 76),), "QR": ((77, 77),), "SLP": ((78, 79),), "SIN": ((80, 82),),
    "SON": ((83, 85),), "TAB": ((86, 86),), "TAM": ((87, 89),), "TLA": ((90, 90),), "VER": ((91, 96),),
    "YUC": ((97, 97),), "ZAC": ((98, 99),),
}

# Every catalogue a field names (spec.CField.catalog); None: referenced, not listed in the seed's text.
_DEFINED: Dict[str, Optional[Mapping[str, str]]] = {
    "formats": FORMATS,
    "versions": VERSIONS,
    "client_types": CLIENT_TYPES,
    "guarantor_client_types": GUARANTOR_CLIENT_TYPES,
    "portfolio_ratings": PORTFOLIO_RATINGS,
    "special_flags": SPECIAL_FLAGS,
    "states": {**STATES, **{k: STATES[v] for k, v in STATE_ALIASES.items()}},
    "institution_types": None,      # "Ver catálogo al final de esta tabla" (not in the text)
    "credit_types": None,           # Anexo: Tipos de Crédito
    "currencies": None,             # Anexo: Tipos de Moneda
    "observation_codes": None,      # Claves de Observación (p. 47)
    "countries": None,              # Claves de País
    "economic_activities": None,    # Banxico / SCIAN
}


def _read_file(path) -> Dict[str, Dict[str, str]]:
    """A catalogue file -> {name or "": {code: description}}."""
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such catalogue file")
    if str(path).lower().endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise UsageError(f"{path}: a JSON catalogue is an object of code -> description")
        if data and all(isinstance(v, dict) for v in data.values()):
            return {str(k): {str(c): str(d) for c, d in v.items()} for k, v in data.items()}
        return {"": {str(c): str(d) for c, d in data.items()}}
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if not row or not row[0].strip():
                continue
            code = row[0].strip()
            if not out and code.lower() in ("code", "clave", "codigo", "código"):
                continue                             # a header line
            out[code] = row[1].strip() if len(row) > 1 else ""
    return {"": out}


def load(path, name: Optional[str] = None) -> Dict[str, str]:
    """One catalogue from a CSV or JSON file: {code: description}. A JSON file holding several
    catalogues needs ``name``."""
    data = _read_file(path)
    if "" in data:
        return data[""]
    if name is None or name not in data:
        raise UsageError(f"{path}: holds catalogues {sorted(data)}; name one")
    return data[name]


class Catalogs(Mapping):
    """Catalogue name -> {code: description}, or None when not known (the field is then not checked)."""

    def __init__(self, entries: Optional[Mapping[str, Optional[Mapping[str, str]]]] = None):
        self._d: Dict[str, Optional[Mapping[str, str]]] = dict(_DEFINED if entries is None else entries)

    def __getitem__(self, name):
        return self._d[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self):
        return len(self._d)

    def codes(self, name: str) -> Optional[Tuple[str, ...]]:
        c = self._d.get(name)
        return None if c is None else tuple(c)

    @property
    def unchecked(self) -> Tuple[str, ...]:
        """The catalogues not known (their fields are not checked for membership)."""
        return tuple(k for k, v in self._d.items() if v is None)

    def extended(self, **entries: Union[str, os.PathLike, Mapping[str, str]]) -> "Catalogs":
        """A copy with catalogues added or replaced: a mapping, or a CSV/JSON file's path."""
        d = dict(self._d)
        for name, value in entries.items():
            if isinstance(value, (str, os.PathLike)):
                data = _read_file(value)
                value = data[""] if "" in data else data.get(name)
                if value is None:
                    raise UsageError(f"catalogue file for {name!r} does not hold it")
            d[name] = {str(k): str(v) for k, v in dict(value).items()}
        return Catalogs(d)


CATALOGS = Catalogs()
