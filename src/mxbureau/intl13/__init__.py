"""Buró de Crédito INTL13: the format as data (spec, catalogs), its compiled range scanner, and what
reads and writes it (twin, writer, generator, consultas, validation, one-customer reports).
``FORMAT`` is what the core knows of it; importing this package registers it."""
from __future__ import annotations

import numpy as np

from .. import formats
from ..layout import tag_code
from . import _scan, catalogs, descriptions, spec
from .derived import DESCRIPTIONS as DERIVED
from .records import RECORDS_SCHEMA, records_table

__all__ = ["FORMAT"]


def _known() -> dict:
    """Per record kind code, the sorted (segment << 16 | tag) codes the manual defines."""
    out = {}
    for code, kind in enumerate(spec.KINDS):
        layout = spec.LAYOUTS["response" if code in (spec.HIT, spec.NOHIT) else kind]
        keys = [(tag_code(s.tag) << 16) | tag_code(f.tag) for s in layout.segments for f in s.fields]
        out[code] = np.array(sorted(keys), dtype=np.uint32)
    return out


def _sniff(head: bytes) -> bool:
    head = head.lstrip(b"\n\r\x13")
    return head[:4] in (b"INTL", b"ERRR")


# The segments that get tables, in the manual's order: response segments, then error segments.
_TABLES = {s.tag: s for s in spec.RESPONSE.segments if s.tag != "ES"}
_TABLES.update({s.tag: s for s in spec.ERROR.segments if s.tag != "ES"})

def _describe(table: str, column: str) -> str:
    layout = "records" if table == "records" else ("error" if table in ("UR", "AR") else "response")
    text = descriptions.describe(layout, table, column) or DERIVED.get((table, column), "")
    if not text and table in _TABLES:
        for f in _TABLES[table].fields:                   # name_2 .. name_5 of a tag that may repeat
            if column in f.columns[1:]:
                return (f"{descriptions.describe(layout, table, f.name)} Occurrence {f.columns.index(column) + 1} "
                        f"of tag {f.tag}, which the manual lets repeat.")
    return text


FORMAT = formats.register(formats.Format(
    name="intl13", scanner=_scan, kinds=spec.KINDS, decoded_kinds=spec.DECODED_KINDS,
    messages={**spec.MESSAGES, **spec.DECODE_MESSAGES}, tables=_TABLES, known=_known(), records_table=records_table, sniff=_sniff,
    personal=spec.PERSONAL_DATA, max_record=_scan.CONSTANTS["MAX_RECORD"], describe=_describe,
    catalogs=catalogs.CATALOGS, accepted=catalogs.ACCEPTED, records_schema=RECORDS_SCHEMA,
    decode_codes=spec.DECODE_CODE,
    segment_tags=frozenset(tag_code(s.tag) for L in spec.LAYOUTS.values() for s in L.segments)))
