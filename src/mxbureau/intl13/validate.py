"""INTL13 conformance of every field to spec.py and the catalogues: over-length or short fixed fields,
values that do not fit their type, impossible dates, codes not in their annex, more segments than the
manual allows, segments out of the manual's order, tags the manual does not define, and every damaged
span the scanner reported (ES mismatch included). Problems carry record, segment, tag and offset; never
a field value."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import token_strings
from ..scanner import scan_chunks
from ..source import open_all
from ..tables import MAX_FIELDS, PROBLEMS_SCHEMA, build_tables, decoding, token_problems, with_source, with_values
from ..tokens import Tokens
from . import FORMAT, catalogs, spec

__all__ = ["validate", "validate_tokens"]


_D = decoding(FORMAT)


def _field_rules():
    """Per table field (slot * MAX_FIELDS + field): max length, fixed, catalogue number (-1: none)."""
    size = len(_D.slots) * MAX_FIELDS
    max_len, fixed, catalog = np.zeros(size, np.int32), np.zeros(size, bool), np.full(size, -1, np.int16)
    names = []
    for s, tg in enumerate(_D.slots):
        for f, fld in enumerate(_D.segments[tg].fields):
            c = s * MAX_FIELDS + f
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
    buf = tok.buffer
    tables = build_tables(tok)
    parts = [tables.problems]
    kinds = tok.kind_code
    resp = np.isin(kinds, spec.DECODED_KINDS)
    seg, tag, ln = tok.segment_tag, tok.tag, tok.length
    # lengths against the tables, and codes against their catalogue (annex)
    slot, field = _D.field_slots(tok)
    known = resp & (field >= 0)
    col = np.where(known, slot * MAX_FIELDS + field, 0)
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
        vals = token_strings(buf, tok.offset[group], tok.length[group], np.arange(len(group)), len(group))
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


def validate(source, *, show_values: bool = False, progress=None) -> pa.Table:
    """The problems of sources (as ``read`` takes them; lenient scan: every damaged span is listed,
    nothing raises on bad bytes). With several sources the table starts with a ``source`` column.
    ``show_values=True`` adds a ``value`` column with the bytes of each span (never by default).
    ``progress``: called with the bytes of each chunk done."""
    srcs = open_all(source)
    parts = []
    for tok in scan_chunks(srcs, strict=False):
        p = validate_tokens(tok)
        if show_values:
            p = with_values(p, tok.buffer, tok.base)
        parts.append(with_source(p, tok.source) if len(srcs) > 1 else p)
        if progress is not None:
            progress(tok.span[1] - tok.span[0])
    if parts:
        return pa.concat_tables(parts)
    out = PROBLEMS_SCHEMA.empty_table()
    return with_values(out, b"") if show_values else out
