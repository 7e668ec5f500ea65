"""Tokens -> one typed Arrow table per segment, plus ``records`` and ``problems``, for any format.

Column names and types come from the format's layout (``Format.tables``). Every table has ``record``
(index of the record in its source) and ``record_start`` (byte offset of the record in its source:
the key that a byte range of the source knows too, see ``with_record_start``; in the records table
it equals ``start``); tables of repeatable segments have ``position`` (0-based order
of the segment within its record). Types: dates -> date32 (00000000 -> null), amounts -> int64 with a
leading or trailing sign, counts -> int64, codes -> dictionary-encoded strings, free text -> strings
decoded from latin-1 and kept exactly (a payment history's spaces are data). Absent fields -> null.
Values that do not fit their type become null and are reported in ``problems`` (record, segment,
tag, offset; no value). So are values longer than their field's maximum (a damaged length that
realigns would carry the next field's bytes, maybe personal, into a column redaction leaves alone),
tags repeated past what the spec allows, and tags and segments the spec does not define: each a
problem row, none in any column; in a strict read (``build_tables(strict=True)``) the first value too
long or tag repeated raises FormatError. A field the spec lets repeat (``Field.repeat``) has a column
per occurrence (``name``, ``name_2``...); a field with a short reading (``Field.short``) a column for
each reading; a numeric code field (``Field.code_width``) one spelling a value; an amount whose
negative values are codes (``Field.negative``) a code column beside it. Records of kinds the format
does not decode (INTL13 consultas) are listed in ``records`` only.
"""
from __future__ import annotations

import functools
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Dict, Iterator, List, NamedTuple, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import _decode
from .columns import numbers, texts, empty
from .errors import FormatError, UnknownNameError, UsageError, message, snippet
from .formats import Format, get as get_format
from .layout import Field, Segment, tag_code
from .parallel import shared_out
from .redact import redact_table
from .scanner import scan, scan_chunks
from .source import open_all
from .tokens import Tokens, safe_tag

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Tables", "build_tables", "read", "read_chunks", "schema_of", "decoding", "selection", "PROBLEMS_SCHEMA",
           "with_record_start", "records_schema", "RECORD_START",
           "token_problems", "with_values", "with_source", "pandas_types"]

_ARROW = {"text": pa.large_string(), "digits": pa.large_string(), "history": pa.large_string(),
          "code": pa.dictionary(pa.int32(), pa.large_string()), "int": pa.int64(), "amount": pa.int64(),
          "date": pa.date32()}
_KIND_CODE = {"text": _decode.KIND_TEXT, "digits": _decode.KIND_DIGITS, "history": _decode.KIND_TEXT,
              "int": _decode.KIND_INT, "amount": _decode.KIND_AMOUNT, "date": _decode.KIND_DATE}
_TEXT_KINDS = (_decode.KIND_TEXT, _decode.KIND_DIGITS)
# Why a decoded value can be null, by decoder kind (reported in Tables.problems).
_BAD_REASON = {_decode.KIND_DATE: "not a valid date", _decode.KIND_INT: "not a number",
               _decode.KIND_AMOUNT: "not a number", _decode.KIND_CODE2: "longer than the field allows",
               _decode.KIND_DIGITS: "not digits (the field is numeric)"}
# The messages of the values the decoder leaves out (strict reads raise on the first two, with the
# format's codes of these names: Format.decode_codes).
_LEFT_OUT = {_decode.WHY_TOO_LONG: "VALUE_TOO_LONG", _decode.WHY_REPEATED: "TAG_REPEATED"}
_DEFAULT_TEXT = {"VALUE_TOO_LONG": "value of {a} bytes, longer than the field's maximum of {b}",
                 "TAG_REPEATED": "tag repeated within its segment: the manual allows {b} occurrence(s)"}
_UNKNOWN = "tag not in the manual"
MAX_FIELDS = _decode.MAX_FIELDS
UNKNOWN_COLUMN = _decode.UNKNOWN_COLUMN
SKIPPED_COLUMN = _decode.SKIPPED_COLUMN

PROBLEMS_SCHEMA = pa.schema([
    pa.field("record", pa.int64()), pa.field("segment", pa.large_string()), pa.field("tag", pa.large_string()),
    pa.field("offset", pa.int64()), pa.field("start", pa.int64()), pa.field("end", pa.int64()),
    pa.field("problem", pa.large_string()),
])

_NO_PROBLEMS = empty(PROBLEMS_SCHEMA)


def _kind_code(f: Field) -> int:
    if f.kind == "code":               # dictionary-encoded by the decoder itself
        return _decode.KIND_CODE2 if f.max_length <= 2 else _decode.KIND_CODE
    if f.kind == "digits" and f.type != "N":
        return _decode.KIND_TEXT        # digits by use (a postal code), text by the manual: kept as written
    return _KIND_CODE[f.kind]


def _field_meta(f: Field) -> Dict[bytes, bytes]:
    return {b"tag": f.tag.encode(), b"spanish": f.spanish.encode("utf-8"), b"type": f.type.encode(),
            b"max_length": str(f.max_length).encode(), b"kind": f.kind.encode()}


class Column(NamedTuple):
    """One column of a segment table: the field (or short reading) whose values it holds, its
    decoder kind and which occurrence of the tag it is (1, or 2.. for a field the spec lets repeat)."""
    name: str
    field: Field
    kind: int
    occurrence: int


class Decoding:
    """What decoding a format's tables needs, built once per format: the table slots, their columns,
    the decoder's lookup tables and every table's schema.

    ``seg_lut``: segment tag code -> table slot (-1: none); ``seg_unknown``: 1 for a segment tag the
    format does not define; ``field_lut[slot, tag code]`` -> the column a value of the tag goes to
    first (UNKNOWN_COLUMN where there is none, SKIPPED_COLUMN for a tag passed over: one load a
    token, 1 MB in all; ``field_slots`` says -1
    there); per (slot, column): ``field_kind`` (decoder
    kind, -1 past the last column), ``field_max`` (the field's maximum length), ``field_longer`` (the
    column of a longer reading) and ``field_again`` (the column of the tag's next occurrence), -1 for
    none. ``columns[tag]``: the Columns of a table; ``derived[tag]``: column index -> the name of the
    code column an amount's negative values go to (Field.negative); ``ordinal[tag]``: column index ->
    the decoder's column of its code's levels (Field.ordinal)."""

    def __init__(self, fmt: Format, segments: Optional[Dict[str, Segment]] = None):
        self.format = fmt
        self.segments = dict(fmt.tables if segments is None else segments)
        self.slots: List[str] = list(self.segments)
        n = len(self.slots)
        self.seg_lut = np.full(65536, -1, dtype=np.int16)
        self.seg_unknown = np.ones(65536, dtype=np.int8)
        self.seg_unknown[list(fmt.segment_tags)] = 0
        self.field_lut = np.full((n, 65536), UNKNOWN_COLUMN, dtype=np.int8)
        self.field_kind = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.field_max = np.zeros((n, MAX_FIELDS), dtype=np.uint16)
        self.field_max[:, UNKNOWN_COLUMN] = 65535
        self.field_longer = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.field_again = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.columns: Dict[str, List[Column]] = {}
        self.derived: Dict[str, Dict[int, str]] = {}
        for s, tag in enumerate(self.slots):
            self.seg_lut[tag_code(tag)] = s
            self.seg_unknown[tag_code(tag)] = 0
            cols = self.columns[tag] = []
            self.derived[tag] = {}
            for fld in self.segments[tag].fields:
                # a short reading's column comes first: the decoder passes its longer values on to
                # the field's own column, which it fills after
                self.field_lut[s, tag_code(fld.tag)] = len(cols)
                if fld.short is not None:
                    self.field_longer[s, len(cols)] = len(cols) + 1
                    self._add(s, cols, Column(fld.short.name, fld.short, _kind_code(fld.short), 1))
                first = len(cols)
                for k, name in enumerate(fld.columns):
                    self._add(s, cols, Column(name, fld, _kind_code(fld), k + 1))
                    if k:
                        self.field_again[s, first + k - 1] = first + k
                    if fld.negative and k == 0:
                        self.derived[tag][len(cols) - 1] = fld.negative
        # The columns the decoder computes (no tag maps to them): an amount's negative values as codes
        # (Field.negative: a KIND_NEG column after the fields' columns), a code's levels (Field.ordinal:
        # a KIND_LEVEL column), and numeric codes spelled (Field.code_width, code_width_by), in the
        # fill instead of a pass over the imported arrays (pyarrow dictionaries, np.unique, a Python
        # dict a value: read() of one 3.4 KB record spent ~60 us there, of the 57 MB corpus ~5 ms; the
        # two MOP levels, numpy over the imported dictionaries and two add_column, ~70 us).
        self.field_neg = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.field_spell = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.field_by = np.full((n, MAX_FIELDS), -1, dtype=np.int8)
        self.field_order = np.full((n, MAX_FIELDS), -1, dtype=np.int8)    # the table's order of them
        value_maps = {}
        self.ncols = {}
        self.ordinal: Dict[str, Dict[int, int]] = {}
        for s, tag in enumerate(self.slots):
            cols, order, k = self.columns[tag], [], len(self.columns[tag])
            self.ordinal[tag] = {}
            for c, col in enumerate(cols):
                order.append(c)
                f = col.field
                computed = ([_decode.KIND_NEG] if c in self.derived[tag] else []) + \
                    ([_decode.KIND_LEVEL] if f.ordinal is not None and col.occurrence == 1 else [])
                for kind in computed:
                    if k >= SKIPPED_COLUMN:
                        raise UsageError(f"segment {tag} has more columns than the decoder's {MAX_FIELDS} slots")
                    self.field_kind[s, k] = kind
                    if kind == _decode.KIND_NEG:
                        self.field_max[s, k] = f.max_length - 1          # the codes' digits: -9 -> "-009"
                        self.field_neg[s, c] = k
                    else:
                        if col.kind not in (_decode.KIND_CODE, _decode.KIND_CODE2) or \
                                not all(0 <= lv <= 127 for _, lv in f.ordinal[2]):
                            raise UsageError(f"{tag}.{f.ordinal[0]}: levels (0-127) of a code column")
                        self.field_by[s, k] = c
                        value_maps[s * MAX_FIELDS + k] = {v.encode("utf-8"): lv for v, lv in f.ordinal[2]}
                        self.ordinal[tag][c] = k
                    order.append(k)
                    k += 1
                if f.code_width is not None:
                    self.field_spell[s, c] = f.code_width
                    if f.code_width_by is not None:
                        # the column of the field whose value sets the width; when a selection leaves
                        # it out, every row has the default width
                        by = int(self.field_lut[s, tag_code(f.code_width_by[0])])
                        self.field_by[s, c] = by if by < SKIPPED_COLUMN else -1
                        value_maps[s * MAX_FIELDS + c] = {v.encode("latin-1"): w for v, w in f.code_width_by[1]}
            self.field_order[s, :len(order)] = order
            self.ncols[tag] = k
        self.program = _decode.Program(self.seg_unknown, self.field_lut, self.field_kind, self.field_max,
                                       self.field_longer, self.field_again, self.field_neg, self.field_spell,
                                       self.field_by, self.field_order, value_maps, n)
        # bytes per row and fixed bytes of every column of the block (see _plan)
        self.w_row = np.zeros((n, 2 + 2 * MAX_FIELDS), dtype=np.int64)
        self.w_fix = np.zeros_like(self.w_row)
        self.w_row[:, 0], self.w_row[:, 1] = 8, 4
        for s, tag in enumerate(self.slots):
            for c in range(self.ncols[tag]):
                k = self.field_kind[s, c]
                self.w_row[s, 2 + 2 * c] = 8 if k in (*_TEXT_KINDS, _decode.KIND_INT, _decode.KIND_AMOUNT) else \
                    (1 if k == _decode.KIND_LEVEL else 4)
                self.w_fix[s, 2 + 2 * c] = 8 if k in _TEXT_KINDS else 0
                self.w_row[s, 3 + 2 * c] = 1
        # passed over in silence: a segment's identifier that is none of its fields (Círculo's), and
        # the fields a column selection leaves out (neither decoded nor reported as unknown tags)
        known = np.unique(np.concatenate([np.asarray(v, np.int64) for v in fmt.known.values()] or [np.zeros(0, np.int64)]))
        for s, tag in enumerate(self.slots):
            sc = tag_code(tag)
            tags = known[(known >> 16) == sc] & 0xFFFF           # the tags the format knows in the segment
            keep = [tag_code(f.tag) for f in self.segments[tag].fields]
            skip = np.setdiff1d(np.append(tags, sc), keep)
            self.field_lut[s, skip] = SKIPPED_COLUMN
        self.take = np.zeros(256, dtype=np.int8)          # kind code (as uint8) -> decoded
        self.take[list(fmt.decoded_kinds)] = 1
        self.decoded = {tag: self._schema(tag) for tag in self.slots}       # what the decoder fills
        # ... with record_start: the schema of the batch imported from the block (Segments.batch)
        self.started = {tag: with_record_start(empty(s), np.empty(0, np.int64)).schema
                        for tag, s in self.decoded.items()}
        self.nfs = {tag: len(self.columns[tag]) for tag in self.slots}
        self.has_pos = {tag: self.segments[tag].max_occurs != 1 for tag in self.slots}
        self.slot_started = [self.started[tag] for tag in self.slots]          # ... in slot order
        self.slot_has_pos = [self.has_pos[tag] for tag in self.slots]
        # ... and the tables' schemas: with the format's own columns (Format.finish_tables)
        self.schemas = finish(fmt, {tag: with_record_start(empty(s), np.empty(0, np.int64))
                                    for tag, s in self.decoded.items()})
        self.schemas = {tag: t.schema for tag, t in self.schemas.items()}

    def _add(self, s: int, cols: List[Column], col: Column) -> None:
        if len(cols) >= SKIPPED_COLUMN:
            raise UsageError(f"segment {self.slots[s]} has more columns than the decoder's {MAX_FIELDS} slots")
        c = len(cols)
        cols.append(col)
        self.field_kind[s, c] = col.kind
        self.field_max[s, c] = min(col.field.max_length, 65535)

    def _schema(self, tag: str) -> pa.Schema:
        seg = self.segments[tag]
        fields = [pa.field("record", pa.int64(), nullable=False)]
        if seg.max_occurs != 1:
            fields.append(pa.field("position", pa.int32(), nullable=False))
        describe = self.format.describe or (lambda t, c: "")
        for c, col in enumerate(self.columns[tag]):
            meta = _field_meta(col.field)
            meta[b"description"] = describe(tag, col.name).encode("utf-8")
            if col.occurrence > 1:
                meta[b"occurrence"] = str(col.occurrence).encode()
            fields.append(pa.field(col.name, _ARROW[col.field.kind], metadata=meta))
            if c in self.derived[tag]:
                name = self.derived[tag][c]
                fields.append(pa.field(name, _ARROW["code"],
                                       metadata=dict(meta, kind=b"code", derived=f"negative {col.name}".encode(),
                                                     description=describe(tag, name).encode("utf-8"))))
            if c in self.ordinal[tag]:
                name, catalog, _ = col.field.ordinal
                fields.append(pa.field(name, pa.int8(), metadata={
                    b"derived_from": col.name.encode(), b"catalog": catalog.encode(),
                    b"description": describe(tag, name).encode("utf-8")}))
        return pa.schema(fields, metadata={b"segment": tag.encode(), b"spanish": seg.spanish.encode("utf-8")})

    def field_slots(self, tok: Tokens):
        """For every token: its table slot and the column its tag goes to first there (-1 where the
        tables have no such segment or field): two array lookups, no search."""
        slot = self.seg_lut[tok.segment_tag]
        field = np.where(slot >= 0, self.field_lut[np.maximum(slot, 0), tok.tag], -1)
        return slot, np.where(field >= SKIPPED_COLUMN, -1, field)

    def column_of(self, tag: str, field_tag: str) -> int:
        """The column a value of ``field_tag`` goes to first in table ``tag`` (-1: none)."""
        c = int(self.field_lut[self.slots.index(tag), tag_code(field_tag)])
        return -1 if c >= SKIPPED_COLUMN else c


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
            segs = {tag: replace(seg, fields=tuple(f for f in seg.fields if set(column_names(f)) & set(columns[tag])))
                    if tag in columns else seg for tag, seg in fmt.tables.items()}
        d = _DECODINGS[key] = Decoding(fmt, segs)
    return d


def column_names(f: Field) -> tuple:
    """The table columns a field fills: its occurrences' (``name``, ``name_2``..), its short reading's,
    the code column of its negative values and the column of its levels. Selecting any of them
    decodes the field: all of them."""
    return f.columns + ((f.short.name,) if f.short is not None else ()) + ((f.negative,) if f.negative else ()) \
        + ((f.ordinal[0],) if f.ordinal is not None else ())


def selection(fmt: Format, segments=None, columns=None):
    """(table tags, table -> column names or None) from what a caller asked for: ``segments`` a tag, a
    comma-separated string or a list, any case; ``columns`` a list of column names (kept in every table
    that has them) or a dict table -> names. Unknown names: UnknownNameError."""
    tables = fmt.tables
    names_of = lambda tag: {n for f in tables[tag].fields for n in column_names(f)}
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
            have = names_of(tag)
            bad = [n for n in names if n not in have]
            if bad:
                raise UnknownNameError(f"table {tag} has no column(s) {bad}")
            picked[tag] = tuple(names)
        if tags is None:
            tags = list(picked)
        return tags, picked
    names = [columns] if isinstance(columns, str) else list(columns)
    scope = tags if tags is not None else list(tables)
    picked = {tag: tuple(n for n in names if n in names_of(tag)) for tag in scope}
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
# Made at the first call: pandas is imported only when used (it was 0.4 of the 0.8 s of `import mxbureau`).
@functools.cache
def _pandas_types() -> dict:
    import pandas as pd
    return {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.large_string(): pd.StringDtype(),
            pa.string(): pd.StringDtype()}


def pandas_types(arrow_type):
    """The default ``types_mapper`` of ``Tables.to_pandas`` (None: pyarrow's own conversion)."""
    return _pandas_types().get(arrow_type)


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
    col = pa.DictionaryArray.from_arrays(numbers(np.zeros(t.num_rows, np.int32)), texts([name]))
    return t.add_column(0, pa.field("source", _SOURCE_TYPE, nullable=False), col)


def _plan(d: Decoding, counts: np.ndarray):
    """Byte offsets of every column in one block (from Arrow's pool, reused across calls: fresh pages
    cost ~12k page faults, ~7 ms, on the TL table of the 57 MB corpus): per slot its records,
    positions, then per column values and validity, each 64-byte aligned. -> (plan, total bytes).
    Compiled (_decode.block_plan): a Python loop over the ~600 columns took 0.3 ms, a fifth of read() of
    one record; numpy's vectorized form ~90k instructions a call, this ~30k (callgrind)."""
    return _decode.block_plan(d.w_row, d.w_fix, counts)


def _decode_part(d: Decoding, buf: np.ndarray, p, r0: int, r1: int, base: int, take: np.ndarray,
                 seg_lut: np.ndarray, records, memory_pool=None) -> tuple:
    """One token part through the compiled decoder: per slot its table (or None when empty), and the
    (token, column, why) of the values left out or nulled (global token indices)."""
    ts, te = records["tok_start"][r0:r1], records["tok_end"][r0:r1]
    if base:                          # a later part of a parallel scan: token indices from its first
        ts, te = ts - base, te - base
    segs = _decode.Segments(d.program, buf, p["offset"], p["length"], p["tag"], ts, te, take[r0:r1],
                            records["record"][r0:r1], seg_lut)
    counts = segs.counts
    plan, total = _plan(d, counts)
    raw = pa.allocate_buffer(max(total, 1), memory_pool=memory_pool)
    block = np.frombuffer(raw, dtype=np.uint8)
    bad_tok, bad_col, bad_why = segs.fill(block, plan)
    # One RecordBatch a table through the C Data Interface, record_start included (one 3.4 KB hit
    # record, 166 columns: 1.2 ms of pa.Array.from_buffers a column and 0.16 ms of
    # with_record_start's add_column a table, against ~0.2 ms so); the codes already spelled and the
    # negative amounts split by the fill.
    first = int(records["record"][0]) if len(records["record"]) else 0
    out = segs.tables(d.slot_started, d.slot_has_pos, records["start"], first)
    return out, (bad_tok + base if base else bad_tok, bad_col, bad_why)


# The records table's work in tokens' worth of decoding, to share it out beside the parts: INTL13's
# ~465 ns a record against ~17.6 ns a token decoded (50 MB corpus, one worker). Only placement
# depends on it (2 parts, 2 workers: the records table goes with the lighter part).
RECORD_WEIGHT = 26


def decode(tok: Tokens, wanted: Optional[List[str]] = None, workers: int = 1, d: Optional[Decoding] = None,
           memory_pool=None):
    """The compiled pass, once per token part (a parallel scan's ranges; in ``workers`` threads),
    and the format's records table beside them (in the least loaded thread: with 2 workers on the
    50 MB corpus it was ~10 ms after the parts' ~80) -> (per part, per table slot a table or None,
    and the (token, column, why) of the values left out; the records table). Parts are decoded where
    they are: joining them first copied 14 bytes a token."""
    d = d or decoding(tok.format)
    r = tok.records
    take = d.take[r["kind_code"].view(np.uint8)] & r["ok"].view(np.int8)
    seg_lut = d.seg_lut
    if wanted is not None:
        seg_lut = d.seg_lut.copy()
        for tag in d.slots:
            if tag not in wanted:
                seg_lut[tag_code(tag)] = -1
    pieces = tok.pieces()
    calls = [lambda x=x: _decode_part(d, tok.buffer, *x, take, seg_lut, r, memory_pool) for x in pieces]
    weights = [len(x[0]["offset"]) for x in pieces]
    if workers <= 1 or len(calls) <= 1:
        # one part (every input under MIN_PARALLEL_BYTES): no thread hand-off for the records table
        return shared_out(calls, weights, workers), tok.format.records_table(tok)
    out = shared_out(calls + [lambda: tok.format.records_table(tok)], weights + [RECORD_WEIGHT * tok.n_records], workers)
    return out[:-1], out[-1]


def build_tables(tok: Tokens, segments=None, workers: int = 1, columns=None, strict: bool = False,
                 memory_pool=None) -> Tables:
    """Decode the tokens of the format's decoded record kinds into typed tables. ``segments``: only
    these tables (a tag, a comma-separated string or a list; any case); ``columns``: only these columns
    (a list, or a dict table -> names; ``record`` and ``position`` always; a field's sibling columns,
    ``column_names``, come along), the others are never decoded. The token parts of a parallel scan
    are decoded in up to ``workers`` threads; each table then has one chunk a part. ``strict``: the
    first value longer than its field's maximum, or tag repeated past what the spec allows, raises
    FormatError (else both are problem rows, like every value left out or nulled). Only the tables
    decoded are checked (``segments``). ``memory_pool``: the Arrow memory pool the decoded columns
    come from (default: Arrow's)."""
    tags, picked = selection(tok.format, segments, columns)
    d = decoding(tok.format, picked)
    wanted = list(d.slots) if tags is None else tags
    parts, records = decode(tok, wanted if tags is not None else None, workers, d, memory_pool)
    tables: Dict[str, pa.Table] = {}
    for s, tag in enumerate(d.slots):
        if tag not in wanted:
            continue
        chunks = [t[s] for t, _ in parts if t[s] is not None]
        if not chunks:
            if tags is None:
                continue
            chunks = [empty(d.started[tag])]
        tables[tag] = chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
    tables = finish(tok.format, tables, tok)
    bad_tok, bad_col, bad_why = (np.concatenate([bad[k] for _, bad in parts]) if len(parts) != 1 else parts[0][1][k]
                                 for k in range(3))
    if not len(bad_tok) and not tok.errors:
        # nothing to report: the one empty table (its two Arrow builds and a concat_tables were
        # ~90 us of read() of one 3.4 KB record)
        problems = _NO_PROBLEMS
    else:
        if strict:
            _raise_first(tok, d, bad_tok, bad_col, bad_why)
        problems = pa.concat_tables([scan_problems(tok),
                                     token_problems(tok, bad_tok, _reasons(tok, d, bad_tok, bad_col, bad_why))])
    return Tables(tables, _records_with_start(records), problems, tok.format.name)


def _records_with_start(t: pa.Table) -> pa.Table:
    """The records table with ``record_start`` after ``record``: a record's own ``start`` (the
    column itself, shared: a numpy gather and a pa.array were ~12 us of read() of one record)."""
    return t.add_column(t.schema.get_field_index("record") + 1, RECORD_START, t.column("start"))


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
        col = numbers(starts[np.asarray(rec.combine_chunks() if isinstance(rec, pa.ChunkedArray) else rec) - first])
    else:
        col = numbers(np.empty(0, np.int64))
    return t.add_column(t.schema.get_field_index("record") + 1, RECORD_START, col)


def records_schema(format: Optional[str] = None) -> pa.Schema:
    """The records table's schema as ``build_tables`` gives it (the format's, with ``record_start``)."""
    fmt = get_format(format)
    return with_record_start(empty(fmt.records_schema), np.empty(0, np.int64)).schema


def _details(tok: Tokens, d: Decoding, tokens, col: int, why: int):
    """(code name, a, b) of a value left out: its length and the field's maximum, or the occurrences
    the spec allows (the columns of the tag's chain)."""
    if why == _decode.WHY_TOO_LONG:
        return "VALUE_TOO_LONG", int(tok.take("length", [tokens])[0]), int(d.field_max.reshape(-1)[col])
    s, c, n = col // MAX_FIELDS, col % MAX_FIELDS, 1
    while d.field_again[s, c] >= 0:
        c, n = int(d.field_again[s, c]), n + 1
    return "TAG_REPEATED", 0, n


def _reasons(tok: Tokens, d: Decoding, bad_tok: np.ndarray, bad_col: np.ndarray, bad_why: np.ndarray) -> np.ndarray:
    """The problem text of each value left out or nulled (no value in any of them)."""
    kinds = d.field_kind.reshape(-1)[np.maximum(bad_col, 0)]
    out = np.empty(len(bad_tok), dtype=object)
    for k, (t, c, w, kind) in enumerate(zip(bad_tok.tolist(), bad_col.tolist(), bad_why.tolist(), kinds.tolist())):
        if w == _decode.WHY_VALUE:
            out[k] = _BAD_REASON[kind]
        elif w in _LEFT_OUT:
            name, a, b = _details(tok, d, t, c, w)
            out[k] = _text(tok.format, name).format(a=a, b=b)
        else:                                         # an unknown tag or segment
            out[k] = _UNKNOWN
    return out


def _text(fmt: Format, name: str) -> str:
    code = getattr(fmt, "decode_codes", {}).get(name)
    return fmt.messages.get(code, _DEFAULT_TEXT[name]) if code is not None else _DEFAULT_TEXT[name]


def _raise_first(tok: Tokens, d: Decoding, bad_tok: np.ndarray, bad_col: np.ndarray, bad_why: np.ndarray) -> None:
    """Strict decoding: FormatError for the first value too long or tag repeated (file order)."""
    hit = np.flatnonzero(np.isin(bad_why, list(_LEFT_OUT)))
    if not len(hit):
        return
    k = hit[np.argmin(bad_tok[hit])]
    t = int(bad_tok[k])
    name, a, b = _details(tok, d, t, int(bad_col[k]), int(bad_why[k]))
    code = getattr(tok.format, "decode_codes", {}).get(name, 0)
    raise FormatError(message({code: _text(tok.format, name)}, code, a, b),
                      offset=int(tok.take("offset", [t])[0]) + tok.base, record=int(tok.record_of([t])[0]),
                      segment=safe_tag(int(tok.take("segment_tag", [t])[0]), tok.format),
                      tag=safe_tag(int(tok.take("tag", [t])[0]), tok.format), code=code)


def scan_problems(tok: Tokens) -> pa.Table:
    """The damaged spans the scanner reported, as problem rows."""
    e = tok.errors
    ints = lambda name: numbers(np.array([getattr(p, name) for p in e], np.int64))
    return pa.Table.from_arrays([ints("record"), texts([p.segment for p in e]), texts([p.tag for p in e]),
                                 ints("offset"), ints("start"), ints("end"), texts([p.message for p in e])],
                                schema=PROBLEMS_SCHEMA)


def token_problems(tok: Tokens, idx: np.ndarray, problem) -> pa.Table:
    """Problem rows for tokens ``idx`` (one message, or one per token): record, segment, tag and the
    value's byte span; never the value."""
    idx = np.asarray(idx, dtype=np.int64)
    off = tok.take("offset", idx) + tok.base
    msg = texts(np.broadcast_to(np.asarray(problem, dtype=object), idx.shape).tolist())
    return pa.Table.from_arrays([numbers(tok.record_of(idx)), _tag_names(tok.take("segment_tag", idx)),
                                 _tag_names(tok.take("tag", idx)), numbers(off), numbers(off),
                                 numbers(off + tok.take("length", idx)), msg], schema=PROBLEMS_SCHEMA)


def _tag_names(codes) -> pa.Array:
    """Two-byte tag codes as their text (a code's trailing NUL bytes dropped, as numpy's S2 does)."""
    distinct, at = np.unique(np.asarray(codes, dtype=np.uint16), return_inverse=True)
    return texts([c.decode() for c in distinct.view("S2")]).take(numbers(at.astype(np.int64).ravel()))


def with_values(problems: pa.Table, buf, base: int = 0) -> pa.Table:
    """Problem rows plus a ``value`` column: the bytes of each span (at most 48; ``buf`` holds the
    source from offset ``base``). Only for show_values=True / --show-values, debugging on one's own
    machine: these are customers' data."""
    values = [snippet(buf, a - base, b - base) for a, b in zip(problems.column("start").to_pylist(),
                                                               problems.column("end").to_pylist())]
    return problems.append_column("value", pa.array(values, pa.large_string()))


# read() decodes an input larger than this chunk by chunk (chunks of READ_CHUNK_BYTES).
READ_WHOLE_BYTES = 128 << 20
READ_CHUNK_BYTES = 64 << 20


def _held_pool():
    """The memory pool of the tables that read() decodes chunk by chunk and holds: jemalloc where
    pyarrow has it. Arrow's default here, mimalloc, maps huge pages, which on this project's VM the
    host backs at their first touch: read() of 1 GB (each in a fresh process) 7.0-9.7 s with
    mimalloc, system time 4-5.4 ns a byte; 3.6-5.4 s with jemalloc, 0.8-0.95 (peak RSS 1.77 -> 1.70
    bytes a byte). Smaller inputs keep the default pool: read() of 50 MB again and again in one
    process reuses its memory, 150-210 ms a read with mimalloc, 171-240 with jemalloc."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:               # a pyarrow built without jemalloc
        return None


def read_chunks(source, *, chunk_bytes: int = 64 << 20, strict: bool = True, segments=None, columns=None,
                workers: int = 1, show_values: bool = False, format: Optional[str] = None,
                chunk_tokens: Optional[int] = None, memory_pool=None) -> Iterator[Tables]:
    """``Tables`` for consecutive record-aligned chunks of about ``chunk_bytes`` of each source (like
    pyarrow's streaming readers: bounded memory whatever the input's size). ``source`` as for
    ``read``; with several sources every table starts with a ``source`` column and ``record`` counts
    from 0 in each source. ``segments``, ``columns``: as for ``build_tables``; ``chunk_tokens``: as for
    ``scan_chunks`` (a chunk's tables are bounded by its tokens: by default chunk_bytes // 64);
    ``memory_pool``: as for ``build_tables``."""
    srcs = open_all(source)
    many = len(srcs) > 1
    for tok in scan_chunks(srcs, chunk_bytes=chunk_bytes, strict=strict, workers=workers,
                           show_values=show_values, format=format, chunk_tokens=chunk_tokens):
        t = build_tables(tok, segments, workers=workers, columns=columns, strict=strict, memory_pool=memory_pool)
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
    (a list, or a dict table -> names), the others not decoded at all. ``strict``: damage raises
    FormatError (the scanner's, a value longer than its field allows, a tag repeated past the spec). ``workers=N`` scans and
    decodes in N threads (tables then have a chunk per scanned range). ``show_values=True`` puts the
    offending bytes in errors and problems (never by default).

    ``start``, ``stop``: a byte range of one source -- the records that start in ``[align(start),
    align(stop))`` (``mxbureau.align``; ``lookback`` is its window), with offsets and
    ``record_start`` positions in the whole source, strict errors at absolute offsets, and
    ``record`` counting from 0 in the range. Consecutive ranges give the tables of the whole."""
    if start is not None or stop is not None:
        tok = scan(source, strict=strict, workers=workers, show_values=show_values, format=format,
                   start=start, stop=stop, lookback=lookback)
        t = build_tables(tok, segments, workers=workers, columns=columns, strict=strict)
        if show_values:
            t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer, tok.base), t.format)
        return t
    srcs = open_all(source)
    if len(srcs) == 1 and srcs[0].buffer is not None and len(srcs[0].buffer) <= READ_WHOLE_BYTES:
        tok = scan(srcs[0], strict=strict, workers=workers, show_values=show_values, format=format)
        t = build_tables(tok, segments, workers=workers, columns=columns, strict=strict)
        if show_values:
            t = Tables(t._tables, t.records, with_values(t.problems, tok.buffer, tok.base), t.format)
        return t
    # Larger inputs, streams and several sources: decoded chunk by chunk, each chunk's token index freed
    # once decoded, so that memory holds the tables and one chunk's index (a whole-file index is 1.46
    # bytes a byte of input: read() of 1 GB peaked at 3.9 GB in one piece).
    parts = list(read_chunks(srcs, strict=strict, segments=segments, columns=columns, workers=workers,
                             show_values=show_values, format=format, chunk_bytes=READ_CHUNK_BYTES,
                             memory_pool=_held_pool()))
    if not parts:                               # an empty stream
        return build_tables(scan(b"", format=format), segments, columns=columns)
    return Tables.concat(parts)
