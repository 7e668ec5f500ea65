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
from .tables import PROBLEMS_SCHEMA, TABLE_SEGMENTS, _buffer, build_tables
from .tokens import Tokens

__all__ = ["validate", "validate_tokens"]


def _rows(tok, idx, message, out):
    for i in idx.tolist():
        o = int(tok.offset[i])
        out.append((int(tok.record[i]), spec.tag_str(int(tok.segment_tag[i])), spec.tag_str(int(tok.tag[i])),
                    o, o, o + int(tok.length[i]), message))


def validate_tokens(tok: Tokens) -> pa.Table:
    buf = _buffer(tok)
    tables = build_tables(tok, buffer=buf)
    out = []
    kinds = np.repeat(tok.records["kind_code"], tok.records["tok_end"] - tok.records["tok_start"])
    resp = (kinds == 0) | (kinds == 1) | (kinds == 2)
    seg, tag, ln = tok.segment_tag, tok.tag, tok.length
    # lengths against the tables, per (segment, tag) of response and error records
    for tg, s in TABLE_SEGMENTS.items():
        in_seg = resp & (seg == spec.tag_code(tg))
        if not in_seg.any():
            continue
        for f in s.fields:
            m = in_seg & (tag == spec.tag_code(f.tag))
            if not m.any():
                continue
            if tg == "CR" and f.tag == "00":
                continue                                   # the text: its length is the CR count
            if f.fixed:
                _rows(tok, np.flatnonzero(m & (ln != f.max_length)), f"fixed length {f.max_length} expected", out)
            else:
                _rows(tok, np.flatnonzero(m & (ln > f.max_length)), f"longer than {f.max_length}", out)
            if f.catalog and f.kind == "code":
                idx = np.flatnonzero(m)
                offsets, data, valid = _decode.text_column(buf, tok.offset, tok.length, idx,
                                                           np.arange(len(idx), dtype=np.int64), 0, len(idx), len(idx))
                vals = pa.LargeStringArray.from_buffers(len(idx), pa.py_buffer(offsets), pa.py_buffer(data))
                keys = pa.array(list(getattr(catalogs, f.catalog)), type=pa.large_string())
                bad = np.asarray(pc.invert(pc.is_in(vals, value_set=keys)))
                _rows(tok, idx[bad], f"code not in catalogue {f.catalog}", out)
    # tags the manual does not define
    _rows(tok, np.flatnonzero(tok.unknown & resp), "tag not in the manual", out)
    # occurrences and order of segments within each record
    starts = np.flatnonzero((tag == seg) & resp)
    if len(starts):
        recs = tok.record[starts]
        order_lut = np.full(65536, -1, dtype=np.int16)
        limit_lut = np.zeros(65536, dtype=np.int32)
        for layout in (spec.RESPONSE, spec.ERROR):        # UR/AR rank first; ES keeps its response rank
            for k, s in enumerate(layout.segments):
                if order_lut[spec.tag_code(s.tag)] < 0:
                    order_lut[spec.tag_code(s.tag)] = k
                limit_lut[spec.tag_code(s.tag)] = s.max_occurs or 0
        rank = order_lut[seg[starts]]
        back = np.flatnonzero((np.diff(rank) < 0) & (np.diff(recs) == 0) & (rank[1:] >= 0)) + 1
        _rows(tok, starts[back], "segment out of the manual's order", out)
        key = recs * 65536 + seg[starts]
        first = np.r_[True, key[1:] != key[:-1]]
        run_start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
        nth = np.arange(len(key)) - run_start + 1
        lim = limit_lut[seg[starts]]
        over = np.flatnonzero((lim > 0) & (nth > lim))
        _rows(tok, starts[over], "more segments than the manual allows", out)
    problems = tables.problems
    extra = pa.Table.from_arrays([pa.array([r[i] for r in out], t.type) for i, t in enumerate(PROBLEMS_SCHEMA)],
                                 schema=PROBLEMS_SCHEMA)
    allp = pa.concat_tables([problems, extra])
    return allp.sort_by([("offset", "ascending")]) if allp.num_rows else allp


def validate(source) -> pa.Table:
    """The problems of a source (lenient scan: every damaged span is listed, nothing raises)."""
    from .scanner import scan_chunks
    parts = [validate_tokens(tok) for tok in scan_chunks(source, strict=False)]
    return pa.concat_tables(parts) if parts else PROBLEMS_SCHEMA.empty_table()
