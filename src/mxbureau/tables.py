"""Tokens -> one typed Arrow table per segment, plus ``records`` and ``problems``.

Column names and types come from spec.py. Every table has ``record`` (index of the record in its
source); tables of repeatable segments have ``position`` (0-based order of the segment within its
record). Types: dates -> date32 (00000000 -> null), amounts -> int64 with a leading or trailing sign,
counts -> int64, codes -> dictionary-encoded strings, free text -> strings decoded from latin-1 and
kept exactly (a payment history's spaces are data). Absent fields -> null. Values that do not fit
their type become null and are reported in ``problems`` (record, segment, tag, offset; no value).

Consulta (request) records are listed in ``records`` but not decoded into segment tables.
"""
from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional

import numpy as np
import pyarrow as pa

from . import _decode, spec
from .errors import snippet
from .tokens import KIND_NAMES, Tokens

__all__ = ["Tables", "build_tables", "read", "TABLE_SEGMENTS", "schema_of"]

# The segments that get tables, in the manual's order: response segments, then error segments.
TABLE_SEGMENTS: Dict[str, spec.Segment] = {s.tag: s for s in spec.RESPONSE.segments if s.tag != "ES"}
TABLE_SEGMENTS.update({s.tag: s for s in spec.ERROR.segments if s.tag != "ES"})
_SLOTS = list(TABLE_SEGMENTS)

_ARROW = {"text": pa.large_string(), "digits": pa.large_string(), "history": pa.large_string(),
          "code": pa.dictionary(pa.int32(), pa.large_string()), "int": pa.int64(), "amount": pa.int64(),
          "date": pa.date32()}


_KIND_CODE = {"text": _decode.KIND_TEXT, "digits": _decode.KIND_TEXT, "history": _decode.KIND_TEXT,
              "int": _decode.KIND_INT, "amount": _decode.KIND_AMOUNT,
              "date": _decode.KIND_DATE}
# Why a decoded value can be null, by decoder kind (reported in Tables.problems).
_BAD_REASON = {_decode.KIND_DATE: "not a valid date", _decode.KIND_INT: "not a number",
               _decode.KIND_AMOUNT: "not a number", _decode.KIND_CODE2: "longer than the field allows"}


def _kind_code(f: spec.Field) -> int:
    if f.kind == "code":               # dictionary-encoded by the decoder itself
        return _decode.KIND_CODE2 if f.max_length <= 2 else _decode.KIND_CODE
    return _KIND_CODE[f.kind]


def _luts():
    """seg_lut: segment tag code -> table slot; field_lut[slot, tag code] -> field number (both -1
    where there is none: one load a token, 1 MB in all); field_kind[slot, field] -> decoder kind."""
    seg_lut = np.full(65536, -1, dtype=np.int16)
    field_lut = np.full((len(_SLOTS), 65536), -1, dtype=np.int8)
    field_kind = np.full((len(_SLOTS), 64), -1, dtype=np.int8)
    for s, tag in enumerate(_SLOTS):
        seg = TABLE_SEGMENTS[tag]
        seg_lut[spec.tag_code(tag)] = s
        for f, fld in enumerate(seg.fields):
            field_lut[s, spec.tag_code(fld.tag)] = f
            field_kind[s, f] = _kind_code(fld)
    return seg_lut, field_lut, field_kind


_SEG_LUT, _FIELD_LUT, _FIELD_KIND = _luts()


def field_slots(tok: Tokens):
    """For every token: its table segment slot and its field number there (-1 where the tables have
    no such segment or field), by the decoder's lookup tables: two array lookups, no search."""
    slot = _SEG_LUT[tok.segment_tag]
    field = np.where(slot >= 0, _FIELD_LUT[np.maximum(slot, 0), tok.tag], -1)
    return slot, field


def _field_meta(f: spec.Field) -> Dict[bytes, bytes]:
    return {b"tag": f.tag.encode(), b"spanish": f.spanish.encode("utf-8"), b"type": f.type.encode(),
            b"max_length": str(f.max_length).encode(), b"kind": f.kind.encode()}


def schema_of(tag: str) -> pa.Schema:
    """The Arrow schema of a segment table: the same for every chunk of every file."""
    seg = TABLE_SEGMENTS[tag]
    fields = [pa.field("record", pa.int64(), nullable=False)]
    if seg.max_occurs != 1:
        fields.append(pa.field("position", pa.int32(), nullable=False))
    fields += [pa.field(f.name, _ARROW[f.kind], metadata=_field_meta(f)) for f in seg.fields]
    return pa.schema(fields, metadata={b"segment": tag.encode(), b"spanish": seg.spanish.encode("utf-8")})


RECORDS_SCHEMA = pa.schema([
    pa.field("record", pa.int64(), nullable=False),
    pa.field("kind", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("start", pa.int64(), nullable=False),
    pa.field("length", pa.int64(), nullable=False),
    pa.field("version", pa.int8()),
    pa.field("reference", pa.large_string()),
    pa.field("member_code", pa.large_string()),
    pa.field("found", pa.bool_()),
    pa.field("bureau_indicator", pa.large_string()),
    pa.field("control_number", pa.large_string()),
    pa.field("declared_length", pa.int64()),
    pa.field("cr_reading", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("ok", pa.bool_(), nullable=False),
])

PROBLEMS_SCHEMA = pa.schema([
    pa.field("record", pa.int64()), pa.field("segment", pa.large_string()), pa.field("tag", pa.large_string()),
    pa.field("offset", pa.int64()), pa.field("start", pa.int64()), pa.field("end", pa.int64()),
    pa.field("problem", pa.large_string()),
])


def _bitmap(valid: np.ndarray) -> Optional[pa.Buffer]:
    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid.view(bool), bitorder="little"))


def _arrow(kind: str, col, n: int) -> pa.Array:
    if col[0] == "text":
        return pa.LargeStringArray.from_buffers(n, pa.py_buffer(col[1]), pa.py_buffer(col[2]), _bitmap(col[3]))
    if col[0] == "code":
        offsets, data = col[2]
        dictionary = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
        indices = pa.Array.from_buffers(pa.int32(), n, [_bitmap(col[3]), pa.py_buffer(col[1])])
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    if col[0] == "date":
        return pa.Array.from_buffers(pa.date32(), n, [_bitmap(col[2]), pa.py_buffer(col[1])])
    return pa.Array.from_buffers(pa.int64(), n, [_bitmap(col[2]), pa.py_buffer(col[1])])


def _strings(buf: np.ndarray, starts: np.ndarray, valid: np.ndarray, width: int) -> pa.Array:
    """Fixed-width latin-1 strings at starts, blanks stripped, null where not valid (compiled: gather,
    trim, transcode)."""
    valid = np.ascontiguousarray(valid, dtype=np.uint8)
    offsets, data = _decode.fixed_text(buf, np.ascontiguousarray(starts, dtype=np.int64), valid, width)
    return pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(data), _bitmap(valid))


class Tables:
    """The typed tables of a source: ``tables["TL"]`` (pyarrow.Table), ``tables.records``,
    ``tables.problems``, ``tables.names``; ``to_pandas()``, ``to_parquet(dir)``."""

    def __init__(self, tables: Dict[str, pa.Table], records: pa.Table, problems: pa.Table):
        self._tables = tables
        self.records = records
        self.problems = problems

    @property
    def names(self) -> List[str]:
        return list(self._tables)

    def __getitem__(self, name: str) -> pa.Table:
        if name == "records":
            return self.records
        return self._tables[name]

    def __contains__(self, name) -> bool:
        return name in self._tables or name == "records"

    def __iter__(self):
        return iter(self._tables)

    def items(self):
        return self._tables.items()

    def to_pandas(self) -> Dict[str, "pandas.DataFrame"]:  # noqa: F821
        out = {"records": self.records.to_pandas()}
        for k, t in self._tables.items():
            out[k] = t.to_pandas()
        return out

    def to_parquet(self, directory, **kwargs) -> List[str]:
        """One Parquet file per table (records.parquet, TL.parquet, ...); returns the paths."""
        import pyarrow.parquet as pq
        os.makedirs(directory, exist_ok=True)
        paths = []
        for name, t in [("records", self.records)] + list(self._tables.items()):
            p = os.path.join(directory, f"{name}.parquet")
            pq.write_table(t, p, **kwargs)
            paths.append(p)
        return paths

    def redact(self, key) -> "Tables":
        """A copy with personal data replaced by keyed HMAC-SHA256 digests (spec.PERSONAL_DATA):
        deterministic per key, so joins on a redacted column still work; birth dates -> birth_year."""
        from .redact import redact_table
        return Tables({k: redact_table(k, t, key) for k, t in self._tables.items()}, self.records,
                      self.problems.drop_columns(["value"]) if "value" in self.problems.column_names
                      else self.problems)

    def __repr__(self):
        rows = ", ".join(f"{k} {t.num_rows:,}" for k, t in self._tables.items())
        return f"<Tables records {self.records.num_rows:,}; {rows}; problems {self.problems.num_rows}>"


def _buffer(tok: Tokens) -> np.ndarray:
    from .scanner import open_source
    return open_source(tok.buffer)[0]


_KINDS = pa.array(KIND_NAMES.tolist(), pa.large_string())
_CR_READINGS = pa.array(["text", "segment"], pa.large_string())


def _coded(indices: np.ndarray, dictionary: pa.Array) -> pa.DictionaryArray:
    """A dictionary array from int32 indices into a fixed dictionary (negative: null)."""
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=indices < 0), dictionary)


def records_table(tok: Tokens, buf: np.ndarray) -> pa.Table:
    r = tok.records
    n = tok.n_records
    kind_code = r["kind_code"]
    start = r["start"]
    is_resp = (kind_code == 0) | (kind_code == 1)
    is_cons = kind_code == 3
    is_err = kind_code == 2
    ok = r["ok"]
    hdr = ok & (is_resp | is_cons)            # whole headers: parsed records only

    member = _strings(buf, start + np.where(is_resp, 37, 40), hdr, 10)
    indicator = _strings(buf, start + 33, hdr & is_resp, 4)      # responses only (Anexo 14)
    # the reference: header positions 7-31, or for an error record the first field of UR / AR
    err = is_err & ok
    ref_at = start + 6
    if err.any():
        ref_at[err] = tok.take("offset", r["tok_start"][err])
    reference = _strings(buf, ref_at, hdr | err, 25)
    # control number: in a new-style ES the last two tokens are 00 (control number) and 01 (**)
    rows = np.flatnonzero(ok & (r["es_style"] == 1))
    es00 = r["tok_end"][rows] - 2
    offsets, data, valid = _decode.text_column(buf, tok.take("offset", es00), tok.take("length", es00),
                                               np.arange(len(rows), dtype=np.int64), rows, n)
    control = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), _bitmap(valid))
    found = pa.array(kind_code == 0, mask=~is_resp | ~ok)
    version = pa.array(r["version"], mask=r["version"] < 0)
    declared = pa.array(r["declared_length"].astype(np.int64), mask=r["declared_length"] < 0)
    # Both as indices into a fixed dictionary: the same categories in every chunk, and 0.1 ms
    # instead of 5 ms for pa.array over a numpy string column of 24k records.
    cr = _coded(r["cr_reading"].astype(np.int32) - 1, _CR_READINGS)
    kind = _coded(np.where(kind_code < 0, len(KIND_NAMES) - 1, kind_code).astype(np.int32), _KINDS)
    return pa.Table.from_arrays([
        pa.array(r["record"]), kind, pa.array(start), pa.array(r["end"] - start), version,
        reference, member, found, indicator, control, declared, cr, pa.array(ok)],
        schema=RECORDS_SCHEMA)


def decode(tok: Tokens, buf: np.ndarray, wanted: Optional[List[str]] = None, workers: int = 1):
    """The compiled pass alone, once per token part (a parallel scan's ranges; in ``workers``
    threads): per part, per table slot (n, record, position, columns) as numpy buffers, and the
    (token, column) pairs whose values failed their kind (global token indices). build_tables wraps
    these as Arrow. Parts are decoded where they are: joining them first copied 14 bytes a token."""
    from .scanner import shared_out
    r = tok.records
    take = ((r["kind_code"] <= 2) & (r["kind_code"] >= 0) & r["ok"]).astype(np.int8)
    seg_lut = _SEG_LUT
    if wanted is not None:
        seg_lut = _SEG_LUT.copy()
        for tag in _SLOTS:
            if tag not in wanted:
                seg_lut[spec.tag_code(tag)] = -1

    def part(p, r0, r1, base):
        segs, (bad_tok, bad_col) = _decode.decode_segments(
            buf, p["offset"], p["length"], p["tag"], r["tok_start"][r0:r1] - base, r["tok_end"][r0:r1] - base,
            take[r0:r1], r["record"][r0:r1], seg_lut, _FIELD_LUT, _FIELD_KIND, len(_SLOTS))
        return segs, (bad_tok + base, bad_col)

    pieces = tok.pieces()
    return shared_out([lambda x=x: part(*x) for x in pieces], [len(x[0]["offset"]) for x in pieces], workers)


def build_tables(tok: Tokens, segments: Optional[Iterable[str]] = None, buffer=None, workers: int = 1) -> Tables:
    """Decode the tokens of response and error records into typed tables. The token parts of a
    parallel scan are decoded in up to ``workers`` threads; each table then has one chunk a part."""
    buf = buffer if buffer is not None else _buffer(tok)
    if tok.n_records and len(buf) < int(tok.records["end"].max()):
        raise ValueError("the buffer does not hold these tokens")   # the decoders trust token offsets
    wanted = list(TABLE_SEGMENTS) if segments is None else [s for s in segments]
    unknown = [s for s in wanted if s not in TABLE_SEGMENTS]
    if unknown:
        raise KeyError(f"no table for segment(s) {unknown}; tables exist for {list(TABLE_SEGMENTS)}")
    parts = decode(tok, buf, wanted if segments is not None else None, workers)
    tables: Dict[str, pa.Table] = {}
    for s, tag in enumerate(_SLOTS):
        if tag not in wanted:
            continue
        chunks = [_table(tag, segs[s]) for segs, _ in parts]
        if sum(c.num_rows for c in chunks) == 0 and segments is None:
            continue
        chunks = [c for c in chunks if c.num_rows] or chunks[:1]
        tables[tag] = chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
    bad_tok = np.concatenate([bad[0] for _, bad in parts])
    bad_col = np.concatenate([bad[1] for _, bad in parts])
    kinds = _FIELD_KIND.reshape(-1)[bad_col]
    reasons = np.array([_BAD_REASON[k] for k in kinds.tolist()], dtype=object)
    problems = pa.concat_tables([scan_problems(tok), token_problems(tok, bad_tok, reasons)])
    return Tables(tables, records_table(tok, buf), problems)


def _table(tag: str, decoded) -> pa.Table:
    n, rec, pos, cols = decoded
    seg = TABLE_SEGMENTS[tag]
    arrays = [pa.array(rec)]
    if seg.max_occurs != 1:
        arrays.append(pa.array(pos))
    arrays += [_arrow(fld.kind, col, n) for fld, col in zip(seg.fields, cols)]
    return pa.Table.from_arrays(arrays, schema=schema_of(tag))


def scan_problems(tok: Tokens) -> pa.Table:
    """The damaged spans the scanner reported, as problem rows."""
    e = tok.errors
    return pa.Table.from_arrays([pa.array([p.record for p in e], pa.int64()),
                                 pa.array([p.segment for p in e], pa.large_string()),
                                 pa.array([p.tag for p in e], pa.large_string()),
                                 pa.array([p.offset for p in e], pa.int64()),
                                 pa.array([p.start for p in e], pa.int64()),
                                 pa.array([p.end for p in e], pa.int64()),
                                 pa.array([p.message for p in e], pa.large_string())], schema=PROBLEMS_SCHEMA)


def token_problems(tok: Tokens, idx: np.ndarray, problem) -> pa.Table:
    """Problem rows for tokens ``idx`` (one message, or one per token): record, segment, tag and the
    value's byte span; never the value."""
    idx = np.asarray(idx, dtype=np.int64)
    tag_names = lambda codes: pa.array(np.asarray(codes, dtype=np.uint16).view("S2")).cast(pa.large_string())
    off = tok.take("offset", idx)
    msg = pa.array(np.broadcast_to(np.asarray(problem, dtype=object), idx.shape), pa.large_string())
    return pa.Table.from_arrays([pa.array(tok.record_of(idx)), tag_names(tok.take("segment_tag", idx)),
                                 tag_names(tok.take("tag", idx)), pa.array(off), pa.array(off),
                                 pa.array(off + tok.take("length", idx)), msg], schema=PROBLEMS_SCHEMA)


def with_values(problems: pa.Table, buf) -> pa.Table:
    """Problem rows plus a ``value`` column: the bytes of each span (at most 48). Only for
    show_values=True / --show-values, debugging on one's own machine: these are customers' data."""
    values = [snippet(buf, a, b) for a, b in zip(problems.column("start").to_pylist(),
                                                 problems.column("end").to_pylist())]
    return problems.append_column("value", pa.array(values, pa.large_string()))


def read(source, *, strict: bool = True, segments: Optional[Iterable[str]] = None, workers: int = 1,
         show_values: bool = False) -> Tables:
    """Scan a source and decode its tables: ``read(path)["TL"]`` is the accounts table.
    ``workers=N`` scans and decodes in N threads (tables then have a chunk per scanned range).
    ``show_values=True`` puts the offending bytes in errors and problems (never by default)."""
    from .scanner import scan
    tok = scan(source, strict=strict, workers=workers, show_values=show_values)
    t = build_tables(tok, segments, workers=workers)
    if show_values:
        t = Tables(t._tables, t.records, with_values(t.problems, _buffer(tok)))
    return t
