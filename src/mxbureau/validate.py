"""Conformance of every field to spec.py and the catalogues: over-length or short fixed fields,
values that do not fit their type, impossible dates, codes not in their annex, more segments than the
manual allows, segments out of the manual's order, tags the manual does not define, and every damaged
span the scanner reported (ES mismatch included). Problems carry record, segment, tag and offset; never
a field value."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _decode, catalogs, spec
from .tables import (PROBLEMS_SCHEMA, TABLE_SEGMENTS, _SLOTS, _buffer, build_tables, field_slots, token_problems,
                     with_values)
from .tokens import Tokens

__all__ = ["validate", "validate_tokens"]


def _field_rules():
    """Per table field (slot * 64 + field): max length, fixed, catalogue number (-1: none)."""
    size = len(_SLOTS) * 64
    max_len, fixed, catalog = np.zeros(size, np.int32), np.zeros(size, bool), np.full(size, -1, np.int16)
    names = []
    for s, tg in enumerate(_SLOTS):
        for f, fld in enumerate(TABLE_SEGMENTS[tg].fields):
            c = s * 64 + f
            # the CR text's length is the CR count, not a field maximum
            max_len[c] = 1 << 30 if (tg == "CR" and fld.tag == "00") else fld.max_length
            fixed[c] = fld.fixed
            if fld.catalog and fld.kind == "code":
                catalog[c] = len(names)
                names.append(fld.catalog)
    return max_len, fixed, catalog, names


_MAX_LEN, _FIXED, _CATALOG, _CATALOG_NAMES = _field_rules()
_ES_TAGS = np.array([spec.tag_code(f.tag) for f in spec.segment("response", "ES").fields], dtype=np.uint16)


def _order_and_limits():
    order = np.full(65536, -1, dtype=np.int16)
    limit = np.zeros(65536, dtype=np.int32)
    for layout in (spec.RESPONSE, spec.ERROR):            # UR/AR rank first; ES keeps its response rank
        for k, s in enumerate(layout.segments):
            if order[spec.tag_code(s.tag)] < 0:
                order[spec.tag_code(s.tag)] = k
            limit[spec.tag_code(s.tag)] = s.max_occurs or 0
    return order, limit


_ORDER, _LIMIT = _order_and_limits()


def validate_tokens(tok: Tokens) -> pa.Table:
    buf = _buffer(tok)
    tables = build_tables(tok, buffer=buf)
    parts = [tables.problems]
    kinds = tok.kind_code
    resp = (kinds >= 0) & (kinds <= spec.KINDS.index("error"))
    seg, tag, ln = tok.segment_tag, tok.tag, tok.length
    # lengths against the tables, and codes against their catalogue (annex)
    slot, field = field_slots(tok)
    known = resp & (field >= 0)
    col = np.where(known, slot * 64 + field, 0)
    limit = _MAX_LEN[col]
    too_long = known & ~_FIXED[col] & (ln > limit)
    wrong_fixed = known & _FIXED[col] & (ln != limit)
    parts.append(token_problems(tok, np.flatnonzero(too_long),
                                np.char.add("longer than ", limit[too_long].astype(str)).astype(object)))
    parts.append(token_problems(tok, np.flatnonzero(wrong_fixed),
                                np.char.add(np.char.add("fixed length ", limit[wrong_fixed].astype(str)),
                                            " expected").astype(object)))
    cat = np.where(known, _CATALOG[col], -1)
    coded = np.flatnonzero(cat >= 0)
    coded = coded[np.argsort(cat[coded], kind="stable")]          # grouped by catalogue, file order kept
    for group in np.split(coded, np.flatnonzero(np.diff(cat[coded])) + 1) if len(coded) else []:
        name = _CATALOG_NAMES[cat[group[0]]]
        group = np.sort(group)
        offsets, data, _ = _decode.text_column(buf, tok.offset, tok.length, group,
                                               np.arange(len(group), dtype=np.int64), len(group))
        vals = pa.LargeStringArray.from_buffers(len(group), pa.py_buffer(offsets), pa.py_buffer(data))
        values = pa.array(list(getattr(catalogs, name)), type=pa.large_string())
        bad = np.asarray(pc.invert(pc.is_in(vals, value_set=values)))
        parts.append(token_problems(tok, group[bad], f"code not in catalogue {name}"))
    # tags the manual does not define: no table field, and not a field of ES (which has no table)
    es_field = (seg == spec.tag_code("ES")) & np.isin(tag, _ES_TAGS)
    parts.append(token_problems(tok, np.flatnonzero(resp & (field < 0) & ~es_field), "tag not in the manual"))
    # order and number of segments within each record
    starts = np.flatnonzero((tag == seg) & resp)
    if len(starts):
        recs = tok.record_of(starts)
        rank = _ORDER[seg[starts]]
        back = np.flatnonzero((np.diff(rank) < 0) & (np.diff(recs) == 0) & (rank[1:] >= 0)) + 1
        parts.append(token_problems(tok, starts[back], "segment out of the manual's order"))
        key = recs * 65536 + seg[starts]
        first = np.r_[True, key[1:] != key[:-1]]
        nth = np.arange(len(key)) - np.maximum.accumulate(np.where(first, np.arange(len(key)), 0)) + 1
        lim = _LIMIT[seg[starts]]
        parts.append(token_problems(tok, starts[np.flatnonzero((lim > 0) & (nth > lim))],
                                    "more segments than the manual allows"))
    allp = pa.concat_tables(parts)
    return allp.sort_by([("offset", "ascending")]) if allp.num_rows else allp


def validate(source, *, show_values: bool = False) -> pa.Table:
    """The problems of a source (lenient scan: every damaged span is listed, nothing raises).
    ``show_values=True`` adds a ``value`` column with the bytes of each span (never by default)."""
    from .scanner import open_source, scan_chunks
    buf = open_source(source)[0] if show_values else None     # one read of a file object, kept
    parts = [validate_tokens(tok) for tok in scan_chunks(source if buf is None else buf, strict=False)]
    out = pa.concat_tables(parts) if parts else PROBLEMS_SCHEMA.empty_table()
    return with_values(out, buf) if show_values else out
