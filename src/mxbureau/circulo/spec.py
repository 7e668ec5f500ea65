"""Círculo de Crédito's load format for companies (Personas Morales y PFAE, v5.0, seed 004) as data:
every segment and field with its position, type, width and requirement per format, the record
kinds and problem codes the compiled scanner uses, the validation rules, and the personal data.

Everything else in ``mxbureau.circulo`` (scanner, twin, tables, writer, generator, validator, diff)
reads these tables; nothing restates a position. The readings chosen where the seed's text is
damaged (``/work/shared/CIRCULO.md`` §3) are in ``READINGS``.

A segment is fixed-width with embedded tags: its 2-letter tag, an identifier (``BNCPM`` for HD, the
tag again for the others), then fields, each a 2-digit tag followed by a fixed-width value. Types:
``A`` text (left-aligned, blank-filled), ``N`` number (right-aligned, zero-filled), ``D`` date
DDMMAAAA, ``P`` period MMAAAA, ``F`` filler (blank). Requirement per format (1 detallado, 2
sumarizado): ``R`` required, ``O`` optional, ``X`` no aplica (must not be reported), ``C``
conditional (the rule named in ``CONDITIONS``), ``W`` required as a warning only (D04), ``F`` filler.
"""
from __future__ import annotations

from dataclasses import dataclass, field as _dc_field
from typing import Dict, Mapping, Optional, Tuple

from ..layout import Field, Segment, tag_code, tag_str

__all__ = ["CField", "CSegment", "Layout", "CIRCULO_5", "LAYOUTS", "SEGMENTS", "ROLES", "KINDS", "KIND",
           "PROBLEMS", "CODE", "MESSAGES", "RULES", "PERSONAL_DATA", "READINGS", "CONDITIONS", "segment",
           "tag_code", "tag_str", "MODE", "TYPE_CODE", "HEADER_VARIANTS"]


@dataclass(frozen=True)
class CField(Field):
    """A field of a fixed-width segment: ``start`` is the 0-based offset of its 2-byte tag in the
    segment (the manual's "Posición" minus 1); the value follows the tag and is ``max_length``
    bytes. ``fmt1`` / ``fmt2``: the requirement in format 1 (detallado) and 2 (sumarizado)."""
    start: int = 0
    fmt1: str = "O"
    fmt2: str = "O"

    @property
    def value_start(self) -> int:
        return self.start + 2

    def requirement(self, fmt: int) -> str:
        return self.fmt2 if fmt == 2 else self.fmt1


@dataclass(frozen=True)
class CSegment(Segment):
    """A fixed-length segment: ``length`` bytes, starting with its tag and ``ident``. ``fields``
    excludes the identifier (it is the token with the segment's own tag, not a column)."""
    length: int = 0
    ident: str = ""
    scope: str = "company"        # what the bureau rejects for this segment's field rules

    @property
    def header_length(self) -> int:
        return 2 + len(self.ident)


@dataclass(frozen=True)
class Layout:
    """One version of the load format: its seven segments (in the grammar's roles HD EM AC CR DE AV
    TS), and the legacy header a reader should recognise by name. A new version (Buró PM 4.0's
    180-byte header, say) is a new Layout; ``mxbureau.circulo.define_format`` registers it."""
    name: str
    segments: Tuple[CSegment, ...]
    legacy_header: Optional[CSegment] = None
    description: str = ""
    by_tag: Dict[str, CSegment] = _dc_field(default=None, compare=False, repr=False)  # type: ignore

    def __post_init__(self):
        object.__setattr__(self, "by_tag", {s.tag: s for s in self.segments})
        if tuple(s.tag for s in self.segments) != ROLES:
            raise ValueError(f"a layout defines the segments {ROLES} in that order")

    def __getitem__(self, tag: str) -> CSegment:
        return self.by_tag[tag]


# The grammar's roles, in the order the compiled scanner numbers them: HD (EM AC* (CR DE+ AV*)+)+ TS
ROLES = ("HD", "EM", "AC", "CR", "DE", "AV", "TS")

# How the scanner cuts a value into its token (see _scan.pyx): text drops trailing blanks, numbers
# drop leading zeros (one digit kept), exact keeps the width; a blank field has no token.
MODE = {"text": 0, "number": 1, "exact": 2}
# Field types as the compiled status kernel knows them.
TYPE_CODE = {"A": 0, "N": 1, "D": 2, "P": 3, "F": 4}

_KIND_OF_TYPE = {"A": "text", "D": "date", "P": "digits", "F": "text"}


def _mode(f: CField) -> str:
    if f.kind in ("int", "amount"):
        return "number"
    if f.type in ("D", "P") or (f.type == "N" and f.kind in ("digits", "code")):
        return "exact"
    return "text"


def token_mode(f: CField) -> int:
    """The scanner's token mode for a field (MODE)."""
    return MODE[_mode(f)]


def _fields(rows, first_pos: int) -> Tuple[CField, ...]:
    """Fields from (tag, pos, name, spanish, type, length, fmt1, fmt2[, kind[, catalog]]) rows; pos is the
    manual's 1-based position of the tag."""
    out = []
    for row in rows:
        tag, pos, name, spanish, typ, length, f1, f2 = row[:8]
        kind = row[8] if len(row) > 8 and row[8] else _KIND_OF_TYPE.get(typ, "int")
        catalog = row[9] if len(row) > 9 else None
        out.append(CField(tag, name, spanish, typ, length, True, kind, catalog=catalog, start=pos - 1,
                          fmt1=f1, fmt2=f2))
    if out and out[0].start != first_pos - 1:
        raise ValueError("first field position")
    return tuple(out)


def _segment(tag, name, spanish, length, ident, rows, max_occurs, scope, required=True) -> CSegment:
    fields = _fields(rows, 3 + len(ident))
    return CSegment(tag, name, spanish, fields, max_occurs, None, required, length=length, ident=ident,
                    scope=scope)


# -- HD: Encabezado (100 bytes); the page-12 header with Versión 04 (READINGS 6) ----------------------
_HD = [
    ("00", 8, "user_code", "Institución (Usuario)", "N", 4, "R", "R", "digits"),
    ("01", 14, "previous_user_code", "Institución Anterior", "N", 4, "O", "X", "digits"),
    ("02", 20, "institution_type", "Tipo de institución", "A", 3, "R", "R", "code", "institution_types"),
    ("03", 25, "format", "Formato", "A", 1, "R", "R", "code", "formats"),
    ("04", 28, "report_date", "Fecha de reporte de información", "D", 8, "R", "R"),
    ("05", 38, "period", "Periodo", "P", 6, "R", "R"),
    ("06", 46, "version", "Versión", "N", 2, "R", "R", "code", "versions"),
    ("07", 50, "lender_name", "Nombre del Otorgante", "A", 40, "R", "R"),
    ("08", 92, "filler", "Filler", "F", 7, "F", "F"),
]
# The older header of page 11: no Versión, no Nombre; a tagged filler of 53 bytes at 46 (READINGS 6).
_HD_LEGACY = _HD[:6] + [("06", 46, "filler", "Filler", "F", 53, "F", "F")]

# -- EM: Compañía (800 bytes); names of 75/75/75 by the positions (READINGS 1) -------------------------
_PERSON = [
    ("00", 5, "rfc", "RFC", "A", 13, "C", "C"),
    ("01", 20, "curp", "Código de Ciudadano (CURP)", "A", 18, "O", "O"),
    ("02", 40, "bureau_number", "Número Círculo de Crédito", "N", 10, "O", "O", "digits"),
    ("03", 52, "company_name", "Compañía", "A", 75, "C", "C"),
    ("04", 129, "first_name", "Nombre 1", "A", 75, "C", "C"),
    ("05", 206, "middle_name", "Nombre 2", "A", 75, "O", "O"),          # READINGS 7
    ("06", 283, "paternal_surname", "Apellido Paterno", "A", 25, "C", "C"),
    ("07", 310, "maternal_surname", "Apellido Materno", "A", 25, "C", "C"),
]
_EM = _PERSON + [
    ("08", 337, "nationality", "Nacionalidad", "A", 2, "R", "O", "code", "countries"),
    ("09", 341, "portfolio_rating", "Calificación de Cartera", "A", 2, "C", "C", "code", "portfolio_ratings"),
    ("10", 345, "economic_activity_1", "Banxico 1 / SCIAN", "N", 11, "R", "R", "digits"),
    ("11", 358, "economic_activity_2", "Banxico 2 / SCIAN", "N", 11, "O", "O", "digits"),    # READINGS 8
    ("12", 371, "economic_activity_3", "Banxico 3 / SCIAN", "N", 11, "O", "O", "digits"),
    ("13", 384, "address_line1", "Dirección 1", "A", 40, "R", "R"),
    ("14", 426, "address_line2", "Dirección 2", "A", 40, "O", "O"),                       # READINGS 5
    ("15", 468, "neighborhood", "Colonia/Población", "A", 60, "C", "C"),
    ("16", 530, "municipality", "Delegación/Municipio", "A", 40, "C", "C"),
    ("17", 572, "city", "Ciudad", "A", 40, "C", "C"),
    ("18", 614, "state", "Estado para domicilios en México", "A", 4, "C", "C", "code", "states"),
    ("19", 620, "postal_code", "Código Postal", "A", 10, "R", "R", "digits"),
    ("20", 632, "phone", "Teléfono", "A", 11, "O", "O", "digits"),
    ("21", 645, "phone_extension", "Extensión", "A", 8, "O", "O", "digits"),
    ("22", 655, "fax", "Fax", "A", 11, "O", "O", "digits"),
    ("23", 668, "client_type", "Tipo de Cliente", "N", 1, "R", "R", "code", "client_types"),
    ("24", 671, "foreign_state", "Estado en el extranjero", "A", 40, "C", "C"),
    ("25", 713, "country", "País de origen del domicilio", "A", 2, "O", "O", "code", "countries"),
    ("26", 717, "filler", "Filler", "F", 82, "F", "F"),
]

# -- AC: Accionistas (700 bytes) -------------------------------------------------------------------------
_AC = _PERSON + [
    ("08", 337, "share_pct", "Porcentaje", "N", 2, "R", "R", "int"),
    ("09", 341, "address_line1", "Dirección 1", "A", 40, "R", "C"),
    ("10", 383, "address_line2", "Dirección 2", "A", 40, "O", "O"),
    ("11", 425, "neighborhood", "Colonia / Población", "A", 60, "C", "C"),
    ("12", 487, "municipality", "Delegación / Municipio", "A", 40, "C", "C"),
    ("13", 529, "city", "Ciudad", "A", 40, "C", "C"),
    ("14", 571, "state", "Estado para domicilios en México", "A", 4, "C", "C", "code", "states"),
    ("15", 577, "postal_code", "Código Postal", "A", 10, "C", "C", "digits"),
    ("16", 589, "phone", "Teléfono", "A", 11, "O", "O", "digits"),
    ("17", 602, "phone_extension", "Extensión", "A", 8, "O", "O", "digits"),
    ("18", 612, "fax", "Fax", "A", 11, "O", "O", "digits"),
    ("19", 625, "client_type", "Tipo de Cliente", "N", 1, "R", "R", "code", "client_types"),
    ("20", 628, "foreign_state", "Estado en el extranjero", "A", 40, "C", "C"),
    ("21", 670, "country", "País de origen del domicilio", "A", 2, "O", "O", "code", "countries"),
    ("22", 674, "filler", "Filler", "F", 25, "F", "F"),
]

# -- CR: Crédito (400 bytes); tags 22/23 contiguous (READINGS 2), the cut tail as tag 24 (READINGS 3) ----
_CR = [
    ("00", 5, "rfc", "RFC", "A", 13, "C", "C"),
    ("01", 20, "credit_experiences", "Número de Experiencias Crediticias", "N", 6, "X", "R", "int"),
    ("02", 28, "contract_number", "Número de Contrato", "A", 25, "R", "X"),
    ("03", 55, "previous_contract_number", "Número de Contrato Anterior", "A", 25, "O", "X"),
    ("04", 82, "opened_on", "Fecha de apertura", "D", 8, "C", "X"),
    ("05", 92, "term_days", "Plazo", "N", 5, "R", "X", "int"),
    ("06", 99, "credit_type", "Tipo de crédito", "N", 4, "R", "X", "code", "credit_types"),
    ("07", 105, "initial_balance", "Saldo inicial", "N", 20, "R", "X", "amount"),
    ("08", 127, "currency", "Moneda", "N", 3, "R", "R", "code", "currencies"),
    ("09", 132, "number_of_payments", "Número de Pagos", "N", 4, "W", "X", "int"),
    ("10", 138, "payment_frequency_days", "Frecuencia de Pagos", "N", 3, "W", "X", "int"),
    ("11", 143, "payment_amount", "Importe de Pagos", "N", 20, "W", "X", "amount"),
    ("12", 165, "last_payment_on", "Fecha de último pago", "D", 8, "W", "X"),
    ("13", 175, "restructured_on", "Fecha de Reestructura", "D", 8, "O", "X"),
    ("14", 185, "cash_payment", "Pago en efectivo", "N", 20, "O", "X", "amount"),
    ("15", 207, "settled_on", "Fecha de Liquidación", "D", 8, "O", "X"),
    ("16", 217, "forgiven_amount", "Quita", "N", 20, "O", "X", "amount"),
    ("17", 239, "dation_in_payment", "Dación de Pago", "N", 20, "O", "X", "amount"),
    ("18", 261, "charge_off", "Quebranto o Castigo", "N", 20, "O", "X", "amount"),
    ("19", 283, "observation_code", "Clave de Observación", "A", 4, "O", "X", "code", "observation_codes"),
    ("20", 289, "special_flag", "Especiales", "A", 1, "O", "X", "code", "special_flags"),
    ("21", 292, "first_default_on", "Fecha de Primer Incumplimiento", "D", 8, "C", "C"),
    ("22", 302, "outstanding_principal", "Saldo Insoluto del principal", "N", 20, "R", "R", "amount"),
    ("23", 324, "max_credit_used", "Crédito máximo utilizado", "N", 20, "R", "R", "amount"),
    ("24", 346, "filler", "Filler (not in the text)", "F", 53, "F", "F"),
]

# -- DE: Detalle (150 bytes) ------------------------------------------------------------------------------
_DE = [
    ("00", 5, "rfc", "RFC", "A", 13, "C", "C"),
    ("01", 20, "contract_number", "Número de Contrato", "A", 25, "R", "X"),
    ("02", 47, "days_past_due", "Días de Vencimiento", "N", 3, "R", "R", "int"),
    ("03", 52, "amount", "Cantidad", "N", 20, "R", "R", "amount"),
    ("04", 74, "filler", "Filler", "F", 75, "F", "F"),
]

# -- AV: Avales (750 bytes); 00-07 as EM except 02 Número Dun ---------------------------------------------
_AV = [r if r[0] != "02" else ("02", 40, "dun_number", "Número Dun", "N", 10, "O", "O", "digits") for r in _PERSON] + [
    ("08", 337, "address_line1", "Dirección 1", "A", 40, "R", "R"),
    ("09", 379, "address_line2", "Dirección 2", "A", 40, "O", "O"),
    ("10", 421, "neighborhood", "Colonia / Población", "A", 60, "C", "C"),
    ("11", 483, "municipality", "Delegación/Municipio", "A", 40, "C", "C"),
    ("12", 525, "city", "Ciudad", "A", 40, "C", "C"),
    ("13", 567, "state", "Estado para domicilios en México", "A", 4, "C", "C", "code", "states"),
    ("14", 573, "postal_code", "Código Postal", "A", 10, "R", "R", "digits"),
    ("15", 585, "phone", "Teléfono", "A", 11, "O", "O", "digits"),
    ("16", 598, "phone_extension", "Extensión", "A", 8, "O", "O", "digits"),
    ("17", 608, "fax", "Fax", "A", 11, "O", "O", "digits"),
    ("18", 621, "client_type", "Tipo de cliente", "N", 1, "R", "R", "code", "guarantor_client_types"),
    ("19", 624, "foreign_state", "Estado en el extranjero", "A", 40, "C", "C"),
    ("20", 666, "country", "País de origen del domicilio", "A", 2, "O", "O", "code", "countries"),
    ("21", 670, "filler", "Filler", "F", 79, "F", "F"),
]

# -- TS: Cierre (100 bytes) ------------------------------------------------------------------------------
_TS = [
    ("00", 5, "company_count", "Número de compañías", "N", 7, "R", "R", "int"),
    ("01", 14, "total_amount", "Cantidad del Segmento Detalle de Crédito", "N", 30, "R", "R", "amount"),
    ("02", 46, "filler", "Filler", "F", 53, "F", "F"),
]

HD = _segment("HD", "header", "Encabezado", 100, "BNCPM", _HD, 1, "file")
EM = _segment("EM", "company", "Compañía (Acreditado)", 800, "EM", _EM, 1, "company")
AC = _segment("AC", "shareholder", "Accionistas", 700, "AC", _AC, None, "segment", required=False)
CR = _segment("CR", "credit", "Crédito", 400, "CR", _CR, None, "credit")
DE = _segment("DE", "detail", "Detalle Crédito", 150, "DE", _DE, None, "credit")
AV = _segment("AV", "guarantor", "Avales", 750, "AV", _AV, None, "segment", required=False)
TS = _segment("TS", "trailer", "Cierre de Archivo", 100, "TS", _TS, 1, "file")
HD_LEGACY = _segment("HD", "header", "Encabezado (sin Versión)", 100, "BNCPM", _HD_LEGACY, 1, "file")

CIRCULO_5 = Layout("circulo-5.0", (HD, EM, AC, CR, DE, AV, TS), legacy_header=HD_LEGACY,
                   description="Círculo de Crédito, Personas Morales y PFAE, CI-03-0006 v5.0 (20-Nov-2014)")
LAYOUTS: Dict[str, Layout] = {CIRCULO_5.name: CIRCULO_5}
SEGMENTS: Dict[str, CSegment] = dict(CIRCULO_5.by_tag)


def segment(tag: str, layout: Layout = CIRCULO_5) -> CSegment:
    return layout.by_tag[tag]


# Header variants the scanner accepts (the records table's ``variant``): HD-08's tag written, HD-08's tag
# left blank (READINGS 4: readers accept blanks at 92-93), the legacy header without Versión.
HEADER_VARIANTS = ("standard", "untagged_filler", "legacy")

# Mark tokens (tags the decoder ignores): a date written as zeros, which reads as null, is a token under
# "9k" (k: its place among its segment's date fields); the separator after a segment a token under
# "98" (LF), "99" (CRLF) or "97" (any other run of CR and LF bytes). They keep write(read(f)) exact.
ZERO_DATE_TAG_BASE = "90"
SEPARATOR_TAGS = {"\n": "98", "\r\n": "99", None: "97"}

# Record kinds: the header, one company block (EM with its AC, CR, DE, AV), the trailer.
KINDS = ("header", "company", "trailer")
KIND = {k: i for i, k in enumerate(KINDS)}

# The scanner's problem codes (FormatError.code, Tokens.errors) and their messages (numbers only: the
# seed's data is personal). The validator maps them to the S rules.
PROBLEMS = (
    ("UNKNOWN_BYTES", "S01", "bytes that start no segment at a segment boundary"),
    ("TRUNCATED", "S02", "segment cut short: {a} bytes expected, {b} left"),
    ("BAD_IDENTIFIER", "S03", "segment identifier is not the one its tag requires"),
    ("BAD_FIELD_TAG", "S04", "field tag not the expected one at its position (a misaligned segment)"),
    ("HD_MISSING", "S05", "the file does not start with an HD header"),
    ("HD_REPEATED", "S05", "HD header repeated or not first"),
    ("TS_MISSING", "S06", "no TS trailer at the end of the data"),
    ("DATA_AFTER_TS", "S06", "data after the TS trailer (TS repeated or not last)"),
    ("OUT_OF_ORDER", "S07", "segment out of the order HD (EM AC* (CR DE+ AV*)+)+ TS"),
    ("BAD_LENGTH", "S02", "segment of {b} bytes where its fixed length is {a}"),
    ("NO_CREDIT", "S08", "company (EM) without credits"),
    ("NO_DETAIL", "S09", "credit (CR) without detail"),
    ("OUTSIDE_BLOCK", "S07", "segment outside a company block (no EM before it)"),
    ("UNKNOWN_IN_BLOCK", "S01", "bytes that start no segment inside a company block"),
)
CODE = {name: i + 1 for i, (name, _, _) in enumerate(PROBLEMS)}
MESSAGES = {i + 1: msg for i, (_, _, msg) in enumerate(PROBLEMS)}
PROBLEM_RULE = {i + 1: rule for i, (_, rule, _) in enumerate(PROBLEMS)}

# Conditional fields (C) and the rule that decides them.
CONDITIONS = {
    "rfc": "V05: required for a domestic address; optional when foreign (F05 checks the shape)",
    "company_name": "F01: required for moral persons, funds and government (client type 1, 3, 4); V08 if PFAE",
    "first_name": "F01: required for PFAE (client type 2); V07 if moral",
    "paternal_surname": "F01: required for PFAE; V07 if moral",
    "maternal_surname": "F01: required for PFAE (NO PROPORCIONADO allowed); V07 if moral",
    "portfolio_rating": "V09: format 1 a catalogue value (blank only for intervened banks); format 2 blank or catalogue",
    "neighborhood": "F01: required for a domestic address",
    "municipality": "F01: municipality or city for a domestic address; both when foreign",
    "city": "F01: municipality or city for a domestic address; both when foreign",
    "state": "F01: required for a domestic address",
    "foreign_state": "F01: required for a foreign address",
    "postal_code": "AC format 2: required once any address field is given",
    "address_line1": "AC format 2: required once any address field is given",
    "opened_on": "V11: format 1 required",
    "first_default_on": "D05: required when a detail has days past due > 0",
}

# Validation rules: id -> (severity, scope, what breaks it). Scope is what the bureau rejects: the file,
# the company block, one credit (CR with its DE and AV), one segment (an AC or AV), or none (warnings).
# A field rule's scope is its segment's (CSegment.scope) unless given here.
RULES: Dict[str, Tuple[str, str, str]] = {
    "S01": ("error", "file", "bytes that start no segment at a segment boundary"),
    "S02": ("error", "file", "segment length is not the fixed length (short, long or truncated)"),
    "S03": ("error", "file", "segment identifier wrong"),
    "S04": ("error", "file", "field tag not the expected one at its position"),
    "S05": ("error", "file", "HD missing, not first, or repeated"),
    "S06": ("error", "file", "TS missing, repeated, or data after TS"),
    "S07": ("error", "company", "segment out of order"),
    "S08": ("error", "company", "company (EM) without credits"),
    "S09": ("error", "credit", "credit (CR) without detail"),
    "S10": ("error", "credit", "detail count: format 1 at most one current and one past-due DE; format 2 one per bucket"),
    "S11": ("error", "file", "legacy header (no Versión 04): the older layout of page 11"),
    "T01": ("error", "file", "TS-00 is not the number of EM segments"),
    "T02": ("error", "file", "TS-01 is not the sum of DE-03 over the file"),
    "F01": ("error", "", "required field absent"),
    "F02": ("error", "", "numeric field not ASCII digits"),
    "F03": ("error", "", "invalid date or period"),
    "F04": ("error", "", "value not allowed"),
    "F05": ("error", "", "RFC malformed for the client type"),
    "F06": ("warning", "none", "filler not blank"),
    "F07": ("warning", "none", "data in a No aplica field"),
    "F08": ("error", "", "control character in a text field"),
    "V01": ("error", "segment", "AV-00 equals EM-00"),
    "V02": ("error", "segment", "AC-00 equals EM-00"),
    "V03": ("error", "credit", "CR-00 differs from EM-00"),
    "V04": ("error", "credit", "DE-00 differs from EM-00"),
    "V05": ("error", "", "RFC blank for a domestic address"),
    "V06": ("error", "", "postal code does not belong to the state"),
    "V07": ("error", "company", "moral client with Nombre, Paterno or Materno filled"),
    "V08": ("error", "company", "PFAE client with Compañía filled"),
    "V09": ("error", "company", "portfolio rating not in the catalogue"),
    "V10": ("error", "company", "economic activities mix Banxico and SCIAN, or use the other format's placeholder"),
    "V11": ("error", "credit", "no opening date (format 1)"),
    "V12": ("error", "credit", "settled credit with days past due or a balance"),
    "V13": ("error", "credit", "initial balance 0 outside credit types 1380/6250"),
    "V14": ("error", "credit", "opening date more than 15 days after the period"),
    "V15": ("error", "credit", "last payment date more than 15 days after the period"),
    "V16": ("error", "credit", "last payment date before the opening date"),
    "V17": ("error", "credit", "restructure date more than 15 days after the period"),
    "V18": ("error", "credit", "settlement date more than 15 days after the period"),
    "V19": ("error", "credit", "opening date after the report date (HD-04)"),
    "V20": ("error", "credit", "first default date before the opening date"),
    "V21": ("error", "credit", "charge-off (quebranto) without an observation code"),
    "V22": ("error", "credit", "forgiven amount (quita) without an observation code"),
    "V23": ("error", "credit", "cash payment without a settlement date"),
    "V24": ("error", "credit", "opening date after the settlement date"),
    "V25": ("error", "credit", "opening date equal to the settlement date"),
    "D01": ("error", "credit", "term 0 with a balance outside credit types 1380/6250/6280"),
    "D02": ("error", "credit", "detail amount 0 with days past due"),
    "D03": ("error", "credit", "balance 0 without a settlement date outside credit types 1380/6250/6280"),
    "D04": ("warning", "none", "open credit with a balance missing number, frequency or amount of payments or last payment"),
    "D05": ("error", "credit", "first default date missing with days past due"),
    "D06": ("error", "credit", "outstanding principal greater than the balance, or 0 where not allowed"),
    "D07": ("error", "credit", "DE-01 differs from CR-02"),
    "D08": ("error", "company", "company repeated in the file"),
    "D09": ("error", "credit", "contract number repeated in the file"),
    "D10": ("error", "credit", "quita, dación or quebranto with a non-zero detail"),
    "D11": ("warning", "none", "phone or fax not 5 to 11 digits"),
}

# Personal data (Tables.redact, convert --redact-key-file): names, RFC, CURP, bureau numbers, address
# lines and colonia, phones of companies, shareholders and guarantors; contract numbers (account
# numbers). Municipality, city, state, postal code, amounts, dates and codes are not redacted.
_PERSON_COLUMNS = {c: "hmac" for c in ("rfc", "curp", "company_name", "first_name", "middle_name",
                                       "paternal_surname", "maternal_surname", "address_line1",
                                       "address_line2", "neighborhood", "phone", "phone_extension", "fax")}
PERSONAL_DATA: Mapping[str, Mapping[str, str]] = {
    "EM": {**_PERSON_COLUMNS, "bureau_number": "hmac"},
    "AC": dict(_PERSON_COLUMNS),
    "AV": {**_PERSON_COLUMNS, "dun_number": "hmac"},
    "CR": {"rfc": "hmac", "contract_number": "hmac", "previous_contract_number": "hmac"},
    "DE": {"rfc": "hmac", "contract_number": "hmac"},
    # mxbureau.circulo.diff's tables carry the credit's keys
    **{t: {"rfc": "hmac", "contract_number": "hmac"} for t in
       ("new", "closed", "vanished", "changed", "reappeared", "first_default")},
}

# The readings chosen where the seed's text is damaged or silent (CIRCULO.md §3), by number.
READINGS = {
    1: "EM/AC/AV names: Compañía, Nombre 1 and Nombre 2 are 75 bytes each, by the positions (the tables print 150/30/30, Buró PM 4.0's layout)",
    2: "CR-22/CR-23: contiguous, tag 22 at 302 and 23 at 324 (the text prints 300/327, overlapping CR-21)",
    3: "CR after tag 23: tag 24 + 53 bytes, kept verbatim, F06 if not blank (the page is cut)",
    4: "HD filler: tag 08 at 92 plus 7 blanks; blanks at 92-93 accepted",
    5: "EM-14 Dirección 2: A40 by its position (printed Numérico 11)",
    6: "HD: the page-12 header with Versión 04; page 11's older header is recognised as S11",
    7: "EM-05/AC-05 Nombre 2: optional (only Nombre 1, Paterno and Materno are required by Tema 6)",
    8: "EM-11/12: optional, all zeros = not reported; EM-25 País: optional, blank = MX",
    9: "Tema 5: CNB or NBK + AAMMDD + 3 digits = 12 characters; the CNBV key CNBF... must drop the F",
    10: "'> 15 días del Periodo': after the last day of the HD-05 month plus 15 days; 'fecha de carga' = HD-04",
    11: "Format-2 bucket '+179': any value >= 180; the others 0, 29, 59, 89, 119, 179",
    12: "SEPOMEX: the first two digits of the 5-digit postal code by state (standard ranges), states of seed 002 Anexo 11 (CDMX accepted as DF)",
    13: "The PM/PF split of name and RFC rules follows the client type (EM-23, AC-19, AV-18), not the RFC's shape",
    14: "Tema 7 (filters), Tema 8 (portfolio sales) and the annexes are missing: not checked",
}
