"""Tokens -> one typed Arrow table per segment, plus ``records`` and ``problems``, for any format.

Column names and types come from the format's layout (``Format.tables``). Every table has ``record``
(index of the record in its source) and ``record_start`` (byte offset of the record in its source:
the key that a byte range of the source knows too, see ``with_record_start``; in the records table
it equals ``start``); tables of repeatable segments have ``position`` (0-based order
of the segment within its record). Types: dates -> date32 (00000000 -> null), amounts -> int64 with a
leading or trailing sign, counts -> int64, codes -> dictionary-encoded strings, free text -> strings
decoded from latin-1 and kept exactly (a payment history's spaces are data). Absent fields -> null.
Values that do not fit their type become null and are reported in ``problems`` (record, segment,
tag, offset; no value). Records of kinds the format does not decode (INTL13 consultas) are listed in
``records`` only.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Dict, Iterable, Iterator, List, Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import _decode
from .columns import bitmap, dictionary, strings
from .errors import UnknownNameError, UsageError, snippet
from .formats import Format, get as get_format
from .layout import Field, Segment, tag_code
from .parallel import shared_out
from .redact import redact_table
from .scanner import scan, scan_chunks
from .source import open_all
from .tokens import Tokens

__all__ = ["Tables", "build_tables", "read", "read_chunks", "schema_of", "decoding", "selection", "PROBLEMS_SCHEMA",
           "with_record_start", "records_schema", "RECORD_START",
           "token_problems", "with_values", "with_source", "pandas_types"]

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
    """What decoding a format's tables needs, built once per format (and once per column selection:
    ``segments`` then holds the tables with only their selected fields): the table slots, the
    decoder's lookup tables and every table's schema.

    ``seg_lut``: segment tag code -> table slot; ``field_lut[slot, tag code]`` -> field number (both
    -1 where there is none: one load a token, 1 MB in all); ``field_kind[slot, field]`` -> decoder
    kind (-1 past the last field)."""

    def __init__(self, fmt: Format, segments: Optional[Dict[str, Segment]] = None):
        self.format = fmt
        self.segments = dict(fmt.tables if segments is None else segments)
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
        self.decoded = {tag: self._schema(tag) for tag in self.slots}       # what the decoder fills
        # ... and the tables' schemas: with the format's own columns (Format.finish_tables)
        self.schemas = finish(fmt, {tag: with_record_start(s.empty_table(), np.empty(0, np.int64))
                                    for tag, s in self.decoded.items()})
        self.schemas = {tag: t.schema for tag, t in self.schemas.items()}

    def _schema(self, tag: str) -> pa.Schema:
        seg = self.segments[tag]
        fields = [pa.field("record", pa.int64(), nullable=False)]
        if seg.max_occurs != 1:
            fields.append(pa.field("position", pa.int32(), nullable=False))
        describe = self.format.describe or (lambda t, c: "")
        fields += [pa.field(f.name, _ARROW[f.kind], metadata={**_field_meta(f), b"description": describe(tag, f.name).encode("utf-8")})
                   for f in seg.fields]
        return pa.schema(fields, metadata={b"segment": tag.encode(), b"spanish": seg.spanish.encode("utf-8")})

    def field_slots(self, tok: Tokens):
        """For every token: its table slot and its field number there (-1 where the tables have no
        such segment or field): two array lookups, no search."""
        slot = self.seg_lut[tok.segment_tag]
        field = np.where(slot >= 0, self.field_lut[np.maximum(slot, 0), tok.tag], -1)
        return slot, field


def finish(fmt: Format, tables: Dict[str, pa.Table], tok: Optional[Tokens] = None) -> Dict[str, pa.Table]:
    """The format's own columns added to decoded tables (``Format.finish_tables``)."""
    return fmt.finish_tables(tables, tok) if fmt.finish_tables is not None else tables


_DECODINGS: Dict[str, Decoding] = {}


def decoding(fmt: Optional[Format] = None, columns: Optional[Dict[str, tuple]] = None) -> Decoding:
    """The (cached) Decoding of a format (default: INTL13); with ``columns`` (table -> the field
    names to decode), of that selection: the decoder then never touches the other fields."""
    fmt = get_format(fmt)
    key = (fmt.name, None if columns is None else tuple(sorted(columns.items())))
    d = _DECODINGS.get(key)
    if d is None:
        segs = None
        if columns is not None:
            segs = {tag: replace(seg, fields=tuple(f for f in seg.fields if f.name in columns.get(tag, ())))
                    if tag in columns else seg for tag, seg in fmt.tables.items()}
        d = _DECODINGS[key] = Decoding(fmt, segs)
    return d


def selection(fmt: Format, segments=None, columns=None):
    """(table tags, table -> field names or None) from what a caller asked for: ``segments`` a tag, a
    comma-separated string or a list, any case; ``columns`` a list of column names (kept in every table
    that has them) or a dict table -> names. Unknown names: UnknownNameError."""
    tables = fmt.tables
    if segments is None:
        tags = None
    else:
        items = segments.split(",") if isinstance(segments, str) else list(segments)
        tags = [str(s).strip().upper() for s in items if str(s).strip()]
        unknown = [s for s in tags if s not in tables]
        if unknown:
            raise UnknownNameError(f"no table for segment(s) {unknown}; tables exist for {list(tables)}")
    if columns is None:
        return tags, None
    if isinstance(columns, dict):
        picked = {}
        for tag, names in columns.items():
            tag = str(tag).upper()
            if tag not in tables:
                raise UnknownNameError(f"no table for segment {tag!r}; tables exist for {list(tables)}")
            have = {f.name for f in tables[tag].fields}
            bad = [n for n in names if n not in have]
            if bad:
                raise UnknownNameError(f"table {tag} has no column(s) {bad}")
            picked[tag] = tuple(names)
        if tags is None:
            tags = list(picked)
        return tags, picked
    names = [columns] if isinstance(columns, str) else list(columns)
    scope = tags if tags is not None else list(tables)
    picked = {tag: tuple(n for n in names if n in {f.name for f in tables[tag].fields}) for tag in scope}
    found = {n for v in picked.values() for n in v}
    bad = [n for n in names if n not in found and n not in ("record", "position")]
    if bad:
        raise UnknownNameError(f"no table has column(s) {bad}")
    if tags is None:
        tags = [tag for tag, v in picked.items() if v]
    return tags, {tag: v for tag, v in picked.items() if tag in tags}


def schema_of(tag: str, format: Optional[str] = None) -> pa.Schema:
    """The Arrow schema of a segment table (or of ``"records"``): the same for every chunk of every
    file."""
    if tag == "records":
        return records_schema(format)
    d = decoding(format)
    if tag not in d.schemas:
        raise UnknownNameError(f"no table for segment {tag!r}; tables exist for {d.slots}")
    return d.schemas[tag]


# pandas types for Arrow types by default (``Tables.to_pandas``): nullable integers and booleans (not
# float64 with NaN, not objects), pandas strings; dates come as datetime64, codes as categoricals.
_PANDAS_TYPES = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                 pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.large_string(): pd.StringDtype(),
                 pa.string(): pd.StringDtype()}


def pandas_types(arrow_type):
    """The default ``types_mapper`` of ``Tables.to_pandas`` (None: pyarrow's own conversion)."""
    return _PANDAS_TYPES.get(arrow_type)


class Tables:
    """The typed tables of a source: ``tables["TL"]`` (pyarrow.Table), ``tables.records``,
    ``tables.problems``, ``tables.names``; ``to_pandas()``, ``to_polars()``, ``to_parquet(dir)``."""

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
        if name == "problems":
            return self.problems
        return self._tables[name]

    def __contains__(self, name) -> bool:
        return name in self._tables or name in ("records", "problems")

    def __iter__(self):
        return iter(self._tables)

    def items(self):
        return self._tables.items()

    def all(self):
        """(name, table) of records, every segment table, then problems."""
        return [("records", self.records)] + list(self._tables.items()) + [("problems", self.problems)]

    def to_pandas(self, types_mapper=pandas_types, **kwargs) -> Dict[str, pd.DataFrame]:
        """One DataFrame per table (``records``, ``problems`` and each segment's). By default integers
        and booleans are pandas nullable types (Int64, boolean: no float NaN), text is pandas strings,
        dates datetime64[ms], codes categoricals. ``types_mapper`` and ``kwargs`` go to
        ``pyarrow.Table.to_pandas`` (``types_mapper=None``: pyarrow's defaults)."""
        kwargs.setdefault("date_as_object", False)
        return {k: t.to_pandas(types_mapper=types_mapper, **kwargs) for k, t in self.all()}

    def to_polars(self) -> Dict[str, "polars.DataFrame"]:  # noqa: F821
        """One polars DataFrame per table (needs polars: ``pip install polars``)."""
        pl = _polars()
        return {k: pl.from_arrow(t) for k, t in self.all()}

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

    def with_source(self, name: str) -> "Tables":
        """A copy whose every table (records and problems too) starts with a ``source`` column: the
        source's name, dictionary-encoded (one value)."""
        return Tables({k: with_source(t, name) for k, t in self._tables.items()}, with_source(self.records, name),
                      with_source(self.problems, name), self.format)

    @classmethod
    def concat(cls, parts: List["Tables"]) -> "Tables":
        """The tables of several chunks or sources, one after the other (no copy: Arrow chunks)."""
        if len(parts) == 1:
            return parts[0]
        seen = {n for p in parts for n in p.names}
        names = [n for n in decoding(parts[0].format).slots if n in seen]      # the format's table order
        cat = lambda ts: pa.concat_tables(ts) if len(ts) > 1 else ts[0]
        tables = {n: cat([p[n] for p in parts if n in p.names]) for n in names}
        return cls(tables, cat([p.records for p in parts]), cat([p.problems for p in parts]), parts[0].format)

    def __repr__(self):
        rows = ", ".join(f"{k} {t.num_rows:,}" for k, t in self._tables.items())
        return f"<Tables records {self.records.num_rows:,}; {rows}; problems {self.problems.num_rows}>"


def _polars():
    try:
        import polars                      # optional: only to_polars needs it
    except ImportError:
        raise UsageError("to_polars needs polars: pip install polars") from None
    return polars


_SOURCE_TYPE = pa.dictionary(pa.int32(), pa.large_string())


def with_source(t: pa.Table, name: str) -> pa.Table:
    """t with a first column ``source`` holding ``name`` on every row (dictionary-encoded)."""
    col = pa.DictionaryArray.from_arrays(pa.array(np.zeros(t.num_rows, np.int32)), pa.array([name], pa.large_string()))
    return t.add_column(0, pa.field("source", _SOURCE_TYPE, nullable=False), col)


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
        out.append(pa.Table.from_arrays(arrays, schema=d.decoded[tag]))
    return out, (bad_tok + base, bad_col)


def decode(tok: Tokens, wanted: Optional[List[str]] = None, workers: int = 1, d: Optional[Decoding] = None):
    """The compiled pass, once per token part (a parallel scan's ranges; in ``workers`` threads):
    per part, per table slot a table or None, and the bad (token, column) pairs. Parts are decoded
    where they are: joining them first copied 14 bytes a token."""
    d = d or decoding(tok.format)
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


def build_tables(tok: Tokens, segments=None, workers: int = 1, columns=None) -> Tables:
    """Decode the tokens of the format's decoded record kinds into typed tables. ``segments``: only
    these tables (a tag, a comma-separated string or a list; any case); ``columns``: only these columns
    (a list, or a dict table -> names; ``record`` and ``position`` always), the others are never
    decoded. The token parts of a parallel scan are decoded in up to ``workers`` threads; each table
    then has one chunk a part."""
    tags, picked = selection(tok.format, segments, columns)
    d = decoding(tok.format, picked)
    wanted = list(d.slots) if tags is None else tags
    parts = decode(tok, wanted if tags is not None else None, workers, d)
    tables: Dict[str, pa.Table] = {}
    for s, tag in enumerate(d.slots):
        if tag not in wanted:
            continue
        chunks = [t[s] for t, _ in parts if t[s] is not None]
        if not chunks:
            if tags is None:
                continue
            chunks = [d.decoded[tag].empty_table()]
        tables[tag] = chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
    tables = {tag: with_record_start(t, tok) for tag, t in tables.items()}
    tables = finish(tok.format, tables, tok)
    bad_tok = np.concatenate([bad[0] for _, bad in parts])
    bad_col = np.concatenate([bad[1] for _, bad in parts])
    kinds = d.field_kind.reshape(-1)[bad_col]
    reasons = np.array([_BAD_REASON[k] for k in kinds.tolist()], dtype=object)
    problems = pa.concat_tables([scan_problems(tok), token_problems(tok, bad_tok, reasons)])
    return Tables(tables, with_record_start(tok.format.records_table(tok), tok), problems, tok.format.name)


RECORD_START = pa.field("record_start", pa.int64(), nullable=False, metadata={
    b"description": b"Byte offset of the record in its source: with source, the key of a record whatever "
                    b"range or chunk of the source was read."})


def with_record_start(t: pa.Table, tok) -> pa.Table:
    """t with ``record_start`` after ``record``: the source offset of each row's record, taken from
    the records' ``start`` by the row's record index (``tok``: the Tokens the rows came from, or the
    starts themselves)."""
    starts = tok if isinstance(tok, np.ndarray) else tok.records["start"]
    rec = t.column("record")
    if t.num_rows:
        first = 0 if isinstance(tok, np.ndarray) or not tok.n_records else int(tok.records["record"][0])
        col = pa.array(starts[np.asarray(rec.combine_chunks() if isinstance(rec, pa.ChunkedArray) else rec) - first])
    else:
        col = pa.array(np.empty(0, np.int64))
    return t.add_column(t.schema.get_field_index("record") + 1, RECORD_START, col)


def records_schema(format: Optional[str] = None) -> pa.Schema:
    """The records table's schema as ``build_tables`` gives it (the format's, with ``record_start``)."""
    fmt = get_format(format)
    return with_record_start(fmt.records_schema.empty_table(), np.empty(0, np.int64)).schema


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
    off = tok.take("offset", idx) + tok.base
    msg = pa.array(np.broadcast_to(np.asarray(problem, dtype=object), idx.shape), pa.large_string())
    return pa.Table.from_arrays([pa.array(tok.record_of(idx)), tag_names(tok.take("segment_tag", idx)),
                                 tag_names(tok.take("tag", idx)), pa.array(off), pa.array(off),
                                 pa.array(off + tok.take("length", idx)), msg], schema=PROBLEMS_SCHEMA)


def with_values(problems: pa.Table, buf, base: int = 0) -> pa.Table:
    """Problem rows plus a ``value`` column: the bytes of each span (at most 48; ``buf`` holds the
    source from offset ``base``). Only for show_values=True / --show-values, debugging on one's own
    machine: these are customers' data."""
    values = [snippet(buf, a - base, b - base) for a, b in zip(problems.column("start").to_pylist(),
                                                               problems.column("end").to_pylist())]
    return problems.append_column("value", pa.array(values, pa.large_string()))


def read_chunks(source, *, chunk_bytes: int = 64 << 20, strict: bool = True, segments=None, columns=None,
                workers: int = 1, show_values: bool = False, format: Optional[str] = None) -> Iterator[Tables]:
    """``Tables`` for consecutive record-aligned chunks of about ``chunk_bytes`` of each source (like
    pyarrow's streaming readers: bounded memory whatever the input's size). ``source`` as for
    ``read``; with several sources every table starts with a ``source`` column and ``record`` counts
    from 0 in each source. ``segments``, ``columns``: as for ``build_tables``."""
    srcs = open_all(source)
    many = len(srcs) > 1
    for tok in scan_chunks(srcs, chunk_bytes=chunk_bytes, strict=strict, workers=workers,
                           show_values=show_values, format=format):
        t = build_tables(tok, segments, workers=workers, columns=columns)
        if show_values:
            t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer, tok.base), t.format)
        yield t.with_source(tok.source) if many else t


def read(source, *, strict: bool = True, segments=None, columns=None, workers: int = 1,
         show_values: bool = False, format: Optional[str] = None, start: Optional[int] = None,
         stop: Optional[int] = None, lookback: Optional[int] = None) -> Tables:
    """Scan sources and decode their tables: ``read(path)["TL"]`` is the accounts table.

    ``source``: a path (memory-mapped), ``-`` (stdin), bytes or a buffer, a binary file object, a
    compressed file (gzip, bzip2, xz, zstd; a zip archive's members are sources of their own), or a
    list or a glob of paths; with several sources every table starts with a ``source`` column and
    ``record`` counts from 0 in each. ``segments``: only these tables; ``columns``: only these columns
    (a list, or a dict table -> names), the others not decoded at all. ``workers=N`` scans and
    decodes in N threads (tables then have a chunk per scanned range). ``show_values=True`` puts the
    offending bytes in errors and problems (never by default).

    ``start``, ``stop``: a byte range of one source -- the records that start in ``[align(start),
    align(stop))`` (``mxbureau.align``; ``lookback`` is its window), with offsets and
    ``record_start`` positions in the whole source, strict errors at absolute offsets, and
    ``record`` counting from 0 in the range. Consecutive ranges give the tables of the whole."""
    if start is not None or stop is not None:
        tok = scan(source, strict=strict, workers=workers, show_values=show_values, format=format,
                   start=start, stop=stop, lookback=lookback)
        t = build_tables(tok, segments, workers=workers, columns=columns)
        if show_values:
            t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer, tok.base), t.format)
        return t
    srcs = open_all(source)
    if len(srcs) == 1 and srcs[0].buffer is not None:
        tok = scan(srcs[0], strict=strict, workers=workers, show_values=show_values, format=format)
        t = build_tables(tok, segments, workers=workers, columns=columns)
        if show_values:
            t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer, tok.base), t.format)
        return t
    parts = list(read_chunks(srcs, strict=strict, segments=segments, columns=columns, workers=workers,
                             show_values=show_values, format=format))
    if not parts:                               # an empty stream
        return build_tables(scan(b"", format=format), segments, columns=columns)
    return Tables.concat(parts)
