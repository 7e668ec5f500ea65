"""Codes and their catalogue labels, as the pages show them: which annex a code belongs to and what
it says there (score reasons by score family, exclusions, Hawk prevention codes, KOB of a member code,
the bureaus of an integrated report's indicator, the segments and fields a consulta error names).
Labels are the manual's (``mxbureau.catalogs``); nothing here invents a meaning."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ..intl13 import catalogs, spec

__all__ = ["label", "annex_of", "score_family", "score_reason", "exclusion", "hawk", "kob_of_member", "generic_kob",
           "bureau_positions", "is_integrated", "rs_alerts", "consulta_segment", "consulta_field", "MOP_LEVEL_CODES"]

# Score codes whose reasons are Anexo 7 (ICC) codes; every other score (507, 007, 107) uses Anexo 6.
ICC_CODES = catalogs.ICC_SCORE_CODES
BC_SCORE_CODES = catalogs.BC_SCORE_CODES

# History matrix levels (mxbureau.history) -> the MOP codes (Anexo 3) they stand for.
MOP_LEVEL_CODES = {1: "01", 2: "02", 3: "03", 4: "04", 5: "05", 6: "06", 7: "07", 9: "96/97/99"}


ANNEXES = {"KOB": "Anexo 1", "CONTRACT_TYPES": "Anexo 2", "MOP": "Anexo 3", "HISTORY_CODES": "Anexo 4",
           "OBSERVATION_KEYS": "Anexo 5", "SCORE_REASONS": "Anexo 6", "SCORE_ERRORS": "Anexo 6",
           "ICC_REASONS": "Anexo 7", "HAWK_PREVENTION_CODES": "Anexo 8", "PREFIXES": "Anexo 9",
           "COUNTRIES": "Anexo 10", "STATES": "Anexo 11", "SINTETIZA": "Anexo 12"}


def annex_of(catalog: Optional[str], lang: str = "es") -> Optional[str]:
    """Where a catalogue comes from: its annex, or the field's own value list in the manual."""
    if catalog is None:
        return None
    return ANNEXES.get(catalog, "la lista del campo" if lang == "es" else "the field's value list")


def label(catalog: Optional[str], code) -> Optional[str]:
    """The label of ``code`` in the named catalogue (spec.Field.catalog), or None."""
    if catalog is None or code is None:
        return None
    if catalog == "STATES" and code == "CDMX":       # production files write CDMX where Anexo 11 has DF
        return "Ciudad de México (DF en el Anexo 11)"
    table = catalogs.CATALOGS.get(catalog)
    if table is None:
        return None
    v = table.get(code)
    if v is None and isinstance(code, str) and code.strip() != code:
        v = table.get(code.strip())
    if isinstance(v, tuple):                         # KOB: (description, generic name)
        v = v[0]
    return v


def score_family(score_code: Optional[str]) -> str:
    """"icc" for ICC scores (504, and 004 of the integrated report), else "bc"."""
    return "icc" if score_code in ICC_CODES else "bc"


def score_reason(score_code: Optional[str], reason: Optional[str]) -> Tuple[str, Optional[str]]:
    """(annex, text) of a reason code: Anexo 7 for ICC scores (3-digit codes; "10" and "010" are the
    same code), Anexo 6 otherwise (2-digit codes). text None: the code is not in that annex."""
    if score_family(score_code) == "icc":
        key = reason.zfill(3) if reason and reason.isdigit() else reason
        return "Anexo 7", catalogs.ICC_REASONS.get(key)
    key = reason.zfill(2) if reason and reason.isdigit() else reason
    return "Anexo 6", catalogs.SCORE_REASONS.get(key)


def exclusion(score) -> Optional[Tuple[str, Optional[str]]]:
    """An exclusion code (Anexo 6; SC ``exclusion_code``, "-009") or a negative score: (code as the
    manual writes it, text)."""
    if isinstance(score, str):
        return score, catalogs.SCORE_EXCLUSIONS.get(score)
    if score is None or score >= 0:
        return None
    code = f"-{-int(score):03d}"
    return code, catalogs.SCORE_EXCLUSIONS.get(code)


_HAWK_ROLES = {"0": "titular", "1": "promotor / co-demandado", "2": "persona relacionada"}


def hawk(code: Optional[str]) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(message, message type, role) of a 3-digit Hawk prevention code (Anexo 8)."""
    if not code:
        return None, None, None
    msg = catalogs.HAWK_PREVENTION_CODES.get(code)
    kind = catalogs.HAWK_TYPES.get(code[:2])
    role = None if code[:2] == "00" else _HAWK_ROLES.get(code[2:3])
    return msg, kind, role


def kob_of_member(member_code: Optional[str]) -> Optional[str]:
    """The KOB (Anexo 1) of a member code: its first two letters, when they are a KOB."""
    if not member_code or not member_code.strip():
        return None
    k = member_code.strip()[:2]
    return k if k in catalogs.KOB else None


def _generic() -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for code, (_, name) in catalogs.KOB.items():
        out.setdefault(name, []).append(code)
    return out


GENERIC_KOB = _generic()          # Anexo 1 generic name (what other users see) -> KOB codes


def generic_kob(name: Optional[str]) -> List[str]:
    """The KOB codes whose generic name (Anexo 1, second column) is ``name``."""
    return GENERIC_KOB.get(name.strip(), []) if name else []


def bureau_positions(indicator: Optional[str]) -> List[Tuple[str, str, Optional[str]]]:
    """The 4 positions of an integrated report's bureau indicator (Anexo 14): (bureau, value, label)."""
    names = ("Trans Union de México (TUM)", "Dun & Bradstreet (DUN)", "Círculo de Crédito (CC)", "uso futuro")
    ind = (indicator or "").ljust(4)[:4]
    return [(names[i], ind[i], catalogs.BUREAU_INDICATOR_VALUES.get(ind[i]) if i < 3 else None) for i in range(4)]


def is_integrated(indicator: Optional[str], score_codes=()) -> bool:
    """An integrated report (Anexo 14): a non-zero bureau indicator, or Reporte de Crédito score codes."""
    return bool(indicator and indicator.strip("0 ")) or any(c in ("001", "004", "007") for c in score_codes)


# RS tag 18 (MENSAJE DE ALERTA), one Y/N a position, as the field's description in the manual lists them.
RS_ALERTS = {1: "Aparece Fecha de defunción en la base de datos.",
             2: "RFC del cliente no corresponde al RFC de la base de datos.",
             3: "Dirección no corresponde a la de la base de datos.",
             4: "Existe información adicional en el Buró de Crédito Comercial.",
             5: "Dirección inválida en la consulta."}


def rs_alerts(flags: Optional[str]) -> List[Tuple[int, str]]:
    """The positions of RS 18 that hold "Y", with their texts (positions 6-8: future use)."""
    return [(i + 1, RS_ALERTS.get(i + 1, "Uso futuro")) for i, ch in enumerate(flags or "") if ch == "Y"]


def consulta_segment(tag: Optional[str]) -> Optional[str]:
    """The name of a consulta segment (what UR 04, 12, 13, 14 name)."""
    seg = spec.CONSULTA.by_tag.get(tag or "")
    return seg.spanish if seg else None


def consulta_field(ref: Optional[str]) -> Optional[Tuple[str, str, Optional[str]]]:
    """"PN02" (UR / AR 16: a missing required field) -> (segment name, field name, or None)."""
    if not ref or len(ref) < 4:
        return None
    seg = spec.CONSULTA.by_tag.get(ref[:2])
    if seg is None:
        return None
    f = seg.by_tag.get(ref[2:4])
    return seg.spanish, ref[2:4], f.spanish if f else None
