"""Tokens -> one typed Arrow table per segment, plus ``records`` and ``problems``, for any format.

Column names and types come from the format's layout (``Format.tables``). Every table has ``record``
(index of the record in its source); tables of repeatable segments have ``position`` (0-based order
of the segment within its record). Types: dates -> date32 (00000000 -> null), amounts -> int64 with a
leading or trailing sign, counts -> int64, codes -> dictionary-encoded strings, free text -> strings
decoded from latin-1 and kept exactly (a payment history's spaces are data). Absent fields -> null.
Values that do not fit their type become null and are reported in ``problems`` (record, segment,
tag, offset; no value). Records of kinds the format does not decode (INTL13 consultas) are listed in
``records`` only.
"""
from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import _decode
from .columns import bitmap, dictionary, strings
from .errors import UnknownNameError, UsageError, snippet
from .formats import Format, get as get_format
from .layout import Field, tag_code
from .parallel import shared_out
from .redact import redact_table
from .scanner import scan
from .tokens import Tokens

__all__ = ["Tables", "build_tables", "read", "schema_of", "decoding", "PROBLEMS_SCHEMA", "token_problems",
           "with_values"]

_ARROW = {"text": pa.large_string(), "digits": pa.large_string(), "history": pa.large_string(),
          "code": pa.dictionary(pa.int32(), pa.large_string()), "int": pa.int64(), "amount": pa.int64(),
          "date": pa.date32()}
_KIND_CODE = {"text": _decode.KIND_TEXT, "digits": _decode.KIND_TEXT, "history": _decode.KIND_TEXT,
              "int": _decode.KIND_INT, "amount": _decode.KIND_AMOUNT, "date": _decode.KIND_DATE}
# Why a decoded value can be null, by decoder kind (reported in Tables.problems).
_BAD_REASON = {_decode.KIND_DATE: "not a valid date", _decode.KIND_INT: "not a number",
               _decode.KIND_AMOUNT: "not a number", _decode.KIND_CODE2: "longer than the field allows"}
MAX_FIELDS = _decode.MAX_FIELDS

PROBLEMS_SCHEMA = pa.schema([
    pa.field("record", pa.int64()), pa.field("segment", pa.large_string()), pa.field("tag", pa.large_string()),
    pa.field("offset", pa.int64()), pa.field("start", pa.int64()), pa.field("end", pa.int64()),
    pa.field("problem", pa.large_string()),
])


def _kind_code(f: Field) -> int:
    if f.kind == "code":               # dictionary-encoded by the decoder itself
        return _decode.KIND_CODE2 if f.max_length <= 2 else _decode.KIND_CODE
    return _KIND_CODE[f.kind]


def _field_meta(f: Field) -> Dict[bytes, bytes]:
    return {b"tag": f.tag.encode(), b"spanish": f.spanish.encode("utf-8"), b"type": f.type.encode(),
            b"max_length": str(f.max_length).encode(), b"kind": f.kind.encode()}


class Decoding:
    """What decoding a format's tables needs, built once per format: the table slots, the decoder's
    lookup tables and every table's schema.

    ``seg_lut``: segment tag code -> table slot; ``field_lut[slot, tag code]`` -> field number (both
    -1 where there is none: one load a token, 1 MB in all); ``field_kind[slot, field]`` -> decoder
    kind (-1 past the last field)."""

    def __init__(self, fmt: Format):
        self.format = fmt
        self.segments = dict(fmt.tables)
        self.slots: List[str] = list(self.segments)
        self.seg_lut = np.full(65536, -1, dtype=np.int16)
        self.field_lut = np.full((len(self.slots), 65536), -1, dtype=np.int8)
        self.field_kind = np.full((len(self.slots), MAX_FIELDS), -1, dtype=np.int8)
        for s, tag in enumerate(self.slots):
            seg = self.segments[tag]
            if len(seg.fields) >= MAX_FIELDS:
                raise UsageError(f"segment {tag} has more fields than the decoder's {MAX_FIELDS} column slots")
            self.seg_lut[tag_code(tag)] = s
            for f, fld in enumerate(seg.fields):
                self.field_lut[s, tag_code(fld.tag)] = f
                self.field_kind[s, f] = _kind_code(fld)
        self.take = np.zeros(256, dtype=np.int8)          # kind code (as uint8) -> decoded
        self.take[list(fmt.decoded_kinds)] = 1
        self.schemas = {tag: self._schema(tag) for tag in self.slots}

    def _schema(self, tag: str) -> pa.Schema:
        seg = self.segments[tag]
        fields = [pa.field("record", pa.int64(), nullable=False)]
        if seg.max_occurs != 1:
            fields.append(pa.field("position", pa.int32(), nullable=False))
        fields += [pa.field(f.name, _ARROW[f.kind], metadata=_field_meta(f)) for f in seg.fields]
        return pa.schema(fields, metadata={b"segment": tag.encode(), b"spanish": seg.spanish.encode("utf-8")})

    def field_slots(self, tok: Tokens):
        """For every token: its table slot and its field number there (-1 where the tables have no
        such segment or field): two array lookups, no search."""
        slot = self.seg_lut[tok.segment_tag]
        field = np.where(slot >= 0, self.field_lut[np.maximum(slot, 0), tok.tag], -1)
        return slot, field


_DECODINGS: Dict[str, Decoding] = {}


def decoding(fmt: Optional[Format] = None) -> Decoding:
    """The (cached) Decoding of a format (default: INTL13)."""
    fmt = get_format(fmt)
    d = _DECODINGS.get(fmt.name)
    if d is None:
        d = _DECODINGS[fmt.name] = Decoding(fmt)
    return d


def schema_of(tag: str, format: Optional[str] = None) -> pa.Schema:
    """The Arrow schema of a segment table: the same for every chunk of every file."""
    d = decoding(format)
    if tag not in d.schemas:
        raise UnknownNameError(f"no table for segment {tag!r}; tables exist for {d.slots}")
    return d.schemas[tag]


class Tables:
    """The typed tables of a source: ``tables["TL"]`` (pyarrow.Table), ``tables.records``,
    ``tables.problems``, ``tables.names``; ``to_pandas()``, ``to_parquet(dir)``."""

    def __init__(self, tables: Dict[str, pa.Table], records: pa.Table, problems: pa.Table, format: str = None):
        self._tables = tables
        self.records = records
        self.problems = problems
        self.format = get_format(format).name

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
        os.makedirs(directory, exist_ok=True)
        paths = []
        for name, t in [("records", self.records)] + list(self._tables.items()):
            p = os.path.join(directory, f"{name}.parquet")
            pq.write_table(t, p, **kwargs)
            paths.append(p)
        return paths

    def redact(self, key) -> "Tables":
        """A copy with personal data replaced by keyed HMAC-SHA256 digests (the format's
        PERSONAL_DATA): deterministic per key, so joins on a redacted column still work; birth
        dates -> birth_year."""
        return Tables({k: redact_table(k, t, key, self.format) for k, t in self._tables.items()}, self.records,
                      self.problems.drop_columns(["value"]) if "value" in self.problems.column_names
                      else self.problems, self.format)

    def __repr__(self):
        rows = ", ".join(f"{k} {t.num_rows:,}" for k, t in self._tables.items())
        return f"<Tables records {self.records.num_rows:,}; {rows}; problems {self.problems.num_rows}>"


def _plan(d: Decoding, counts: np.ndarray):
    """Byte offsets of every column in one block (from Arrow's pool, reused across calls: fresh pages
    cost ~12k page faults, ~7 ms, on the TL table of the 57 MB corpus): per slot its records,
    positions, then per field values and validity, each 64-byte aligned. -> (plan, total bytes)."""
    plan = np.zeros((len(d.slots), 2 + 2 * MAX_FIELDS), dtype=np.int64)
    total = 0

    def take(nbytes):
        nonlocal total
        at = total
        total += (int(nbytes) + 63) & ~63
        return at
    for s in range(len(d.slots)):
        n = int(counts[s])
        plan[s, 0], plan[s, 1] = take(8 * n), take(4 * n)
        for f in range(len(d.segments[d.slots[s]].fields)):
            k = d.field_kind[s, f]
            width = 8 * (n + 1) if k == _decode.KIND_TEXT else (8 if k in (_decode.KIND_INT, _decode.KIND_AMOUNT) else 4) * n
            plan[s, 2 + 2 * f], plan[s, 3 + 2 * f] = take(width), take(n)
    return plan, total


def _column(kind: int, block: np.ndarray, at_val: int, at_valid: int, n: int, extra) -> pa.Array:
    valid = np.frombuffer(block, np.uint8, n, at_valid)
    if kind == _decode.KIND_TEXT:
        return strings(n, np.frombuffer(block, np.int64, n + 1, at_val), extra, valid)
    if kind in (_decode.KIND_CODE, _decode.KIND_CODE2):
        return dictionary(np.frombuffer(block, np.int32, n, at_val), valid, extra)
    if kind == _decode.KIND_DATE:
        return pa.Array.from_buffers(pa.date32(), n, [bitmap(valid), pa.py_buffer(np.frombuffer(block, np.int32, n, at_val))])
    return pa.Array.from_buffers(pa.int64(), n, [bitmap(valid), pa.py_buffer(np.frombuffer(block, np.int64, n, at_val))])


def _decode_part(d: Decoding, buf: np.ndarray, p, r0: int, r1: int, base: int, take: np.ndarray,
                 seg_lut: np.ndarray, records) -> tuple:
    """One token part through the compiled decoder: per slot its table (or None when empty), and the
    (token, column) pairs whose values failed their kind (global token indices)."""
    segs = _decode.Segments(buf, p["offset"], p["length"], p["tag"], records["tok_start"][r0:r1] - base,
                            records["tok_end"][r0:r1] - base, take[r0:r1], records["record"][r0:r1],
                            seg_lut, d.field_lut, d.field_kind, len(d.slots))
    counts = segs.counts
    plan, total = _plan(d, counts)
    block = np.frombuffer(pa.allocate_buffer(max(total, 1)), dtype=np.uint8)
    extras, (bad_tok, bad_col) = segs.fill(block, plan)
    out = []
    for s, tag in enumerate(d.slots):
        n = int(counts[s])
        if n == 0:
            out.append(None)
            continue
        seg = d.segments[tag]
        arrays = [pa.array(np.frombuffer(block, np.int64, n, plan[s, 0]))]
        if seg.max_occurs != 1:
            arrays.append(pa.array(np.frombuffer(block, np.int32, n, plan[s, 1])))
        arrays += [_column(int(d.field_kind[s, f]), block, plan[s, 2 + 2 * f], plan[s, 3 + 2 * f], n, extras[s][f])
                   for f in range(len(seg.fields))]
        out.append(pa.Table.from_arrays(arrays, schema=d.schemas[tag]))
    return out, (bad_tok + base, bad_col)


def decode(tok: Tokens, wanted: Optional[List[str]] = None, workers: int = 1):
    """The compiled pass, once per token part (a parallel scan's ranges; in ``workers`` threads):
    per part, per table slot a table or None, and the bad (token, column) pairs. Parts are decoded
    where they are: joining them first copied 14 bytes a token."""
    d = decoding(tok.format)
    r = tok.records
    take = (d.take[r["kind_code"].astype(np.uint8)] & r["ok"]).astype(np.int8)
    seg_lut = d.seg_lut
    if wanted is not None:
        seg_lut = d.seg_lut.copy()
        for tag in d.slots:
            if tag not in wanted:
                seg_lut[tag_code(tag)] = -1
    pieces = tok.pieces()
    return shared_out([lambda x=x: _decode_part(d, tok.buffer, *x, take, seg_lut, r) for x in pieces],
                      [len(x[0]["offset"]) for x in pieces], workers)


def build_tables(tok: Tokens, segments: Optional[Iterable[str]] = None, workers: int = 1) -> Tables:
    """Decode the tokens of the format's decoded record kinds into typed tables. The token parts of a
    parallel scan are decoded in up to ``workers`` threads; each table then has one chunk a part."""
    d = decoding(tok.format)
    wanted = list(d.slots) if segments is None else list(segments)
    unknown = [s for s in wanted if s not in d.segments]
    if unknown:
        raise UnknownNameError(f"no table for segment(s) {unknown}; tables exist for {d.slots}")
    parts = decode(tok, wanted if segments is not None else None, workers)
    tables: Dict[str, pa.Table] = {}
    for s, tag in enumerate(d.slots):
        if tag not in wanted:
            continue
        chunks = [t[s] for t, _ in parts if t[s] is not None]
        if not chunks:
            if segments is None:
                continue
            chunks = [d.schemas[tag].empty_table()]
        tables[tag] = chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
    bad_tok = np.concatenate([bad[0] for _, bad in parts])
    bad_col = np.concatenate([bad[1] for _, bad in parts])
    kinds = d.field_kind.reshape(-1)[bad_col]
    reasons = np.array([_BAD_REASON[k] for k in kinds.tolist()], dtype=object)
    problems = pa.concat_tables([scan_problems(tok), token_problems(tok, bad_tok, reasons)])
    if tok.format.finish_tables is not None:        # the format's own columns (Format.finish_tables)
        tables = tok.format.finish_tables(tok, tables)
    return Tables(tables, tok.format.records_table(tok), problems, tok.format.name)


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
         show_values: bool = False, format: Optional[str] = None) -> Tables:
    """Scan a source and decode its tables: ``read(path)["TL"]`` is the accounts table.
    ``workers=N`` scans and decodes in N threads (tables then have a chunk per scanned range).
    ``show_values=True`` puts the offending bytes in errors and problems (never by default)."""
    tok = scan(source, strict=strict, workers=workers, show_values=show_values, format=format)
    t = build_tables(tok, segments, workers=workers)
    if show_values:
        t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer), t.format)
    return t
