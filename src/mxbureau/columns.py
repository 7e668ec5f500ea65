"""Arrow arrays over buffers the compiled decoders filled (no copy): validity bitmaps, strings,
dictionary-encoded codes, fixed-width header fields; and back, an array's values as Python objects
(``pylist``, for Report). Shared by tables.py, the formats' records tables and reports."""
from __future__ import annotations

import datetime
from typing import Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _decode

__all__ = ["bitmap", "strings", "dictionary", "coded", "fixed_strings", "token_strings", "pylist", "RECORD_FIELDS",
           "table_of", "string_buffers", "numbers", "texts", "empty"]

# Arrays are built here from buffers, never with pa.array: its first call imports pandas (0.4 s, half
# of `import mxbureau`), which scan, read, validate, convert and reports do not otherwise need.
_ARROW_OF = {np.dtype(np.int64): pa.int64(), np.dtype(np.int32): pa.int32(), np.dtype(np.int16): pa.int16(),
             np.dtype(np.int8): pa.int8(), np.dtype(np.uint8): pa.uint8(), np.dtype(np.float64): pa.float64()}

# The columns every format's records table starts with (Format.records_table).
RECORD_FIELDS = (
    pa.field("record", pa.int64(), nullable=False),
    pa.field("kind", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("start", pa.int64(), nullable=False),
    pa.field("length", pa.int64(), nullable=False),
)


def bitmap(valid: np.ndarray) -> Optional[pa.Buffer]:
    """An Arrow validity bitmap from one byte a row (None when every row is valid)."""
    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid.view(bool), bitorder="little"))


def numbers(values, mask: Optional[np.ndarray] = None) -> pa.Array:
    """A numpy array of numbers or booleans as an Arrow array (null where ``mask``), without a copy
    where it is contiguous."""
    values = np.ascontiguousarray(values)
    valid = None if mask is None else bitmap(~np.asarray(mask, bool))
    if values.dtype == np.bool_:
        return pa.Array.from_buffers(pa.bool_(), len(values), [valid, pa.py_buffer(np.packbits(values, bitorder="little"))])
    return pa.Array.from_buffers(_ARROW_OF[values.dtype], len(values), [valid, pa.py_buffer(values)])


def empty(schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` with no rows (``schema.empty_table()`` imports pandas)."""
    return pa.Table.from_batches([], schema)


def texts(values) -> pa.Array:
    """Python strings (any iterable of them; None: null) as a large_string array."""
    values = values if isinstance(values, list) else list(values)
    valid = None
    try:
        offsets, data = string_buffers(values)
    except TypeError:                   # a None (its join fails: no scan for None when there is none)
        valid = np.fromiter((v is not None for v in values), bool, len(values))
        offsets, data = string_buffers([v if v is not None else "" for v in values])
    return strings(len(offsets) - 1, offsets, data, valid)


def strings(n: int, offsets: np.ndarray, data: np.ndarray, valid: Optional[np.ndarray] = None) -> pa.Array:
    """A large_string array over int64 offsets and UTF-8 data."""
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data),
                                            None if valid is None else bitmap(valid))


def dictionary(indices: np.ndarray, valid: np.ndarray, values) -> pa.DictionaryArray:
    """int32 dictionary indices (valid where ``valid``) into values = (offsets, data) of UTF-8."""
    offsets, data = values
    d = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
    ind = pa.Array.from_buffers(pa.int32(), len(indices), [bitmap(valid), pa.py_buffer(indices)])
    return pa.DictionaryArray.from_arrays(ind, d)


def coded(indices: np.ndarray, values: pa.Array) -> pa.DictionaryArray:
    """A dictionary array from int32 indices into a fixed dictionary (negative: null): the same
    categories in every chunk, and 0.1 ms instead of 5 ms for pa.array over a numpy string column
    of 24k records."""
    return pa.DictionaryArray.from_arrays(numbers(indices, mask=indices < 0), values)


def fixed_strings(buf: np.ndarray, starts: np.ndarray, valid: np.ndarray, width: int) -> pa.Array:
    """Fixed-width latin-1 fields at starts, blanks stripped, null where not valid (compiled: gather,
    trim, transcode)."""
    valid = np.ascontiguousarray(valid, dtype=np.uint8)
    offsets, data = _decode.fixed_text(buf, np.ascontiguousarray(starts, dtype=np.int64), valid, width)
    return strings(len(starts), offsets, data, valid)


def string_buffers(values) -> tuple:
    """Strings' (int64 offsets, UTF-8 bytes) as numpy: a fixed dictionary for ``table_of``'s ``d``
    columns. Built without ``pa.array``, which imports pandas (0.4 s) at its first call; one encode of
    the joined strings (66k problem messages, min of 3: 5.5 ms, against 15.7 encoding each)."""
    values = values if isinstance(values, list) else list(values)
    joined = "".join(values)
    data = joined.encode()
    if len(data) == len(joined):                    # ASCII: a string's bytes are its characters
        lengths = np.fromiter(map(len, values), np.int64, len(values))
    else:
        lengths = np.fromiter((len(v.encode()) for v in values), np.int64, len(values))
    offsets = np.zeros(len(values) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets, np.frombuffer(data, np.uint8).copy()


def table_of(schema: pa.Schema, kinds: str, columns: list, n: int) -> pa.Table:
    """A table of ``schema`` over numpy buffers in one C Data import (``_decode.arrays_batch``: ``f``
    (values, valid), ``b`` (bools, valid), ``s`` (offsets, data, valid), ``d`` (int32 indices,
    negative null, and a dictionary's (offsets, data)); valid None: no nulls)."""
    return pa.Table.from_batches([_decode.arrays_batch(schema, kinds, columns, n)])


def token_strings(buf: np.ndarray, offset: np.ndarray, length: np.ndarray, rows: np.ndarray, n: int) -> pa.Array:
    """The values at (offset, length) as rows ``rows`` (increasing) of an n-row string column, kept
    exactly (latin-1 decoded); other rows null."""
    offsets, data, valid = _decode.text_column(buf, np.ascontiguousarray(offset, dtype=np.int64),
                                               np.ascontiguousarray(length, dtype=np.uint16),
                                               np.arange(len(rows), dtype=np.int64),
                                               np.ascontiguousarray(rows, dtype=np.int64), n)
    return strings(n, offsets, data, valid)


_EPOCH = datetime.date(1970, 1, 1).toordinal()
_DATE32, _DICTIONARY = pa.date32().id, pa.dictionary(pa.int32(), pa.string()).id


def pylist(a) -> list:
    """``a.to_pylist()`` (an Array or ChunkedArray), faster where pyarrow makes a scalar a value:
    codes (a dictionary: its values and the indices as Python lists, then one lookup a row; 18.8 ->
    ~3 us for a column of one record's 8 accounts) and dates (the days as ints: 7.8 -> ~3 us).
    Other types (ints, strings: ~1 us a column) through pyarrow's own."""
    if isinstance(a, pa.ChunkedArray):
        return pylist(a.chunk(0)) if a.num_chunks == 1 else [v for c in a.chunks for v in pylist(c)]
    tid = a.type.id
    if tid == _DICTIONARY:
        names = a.dictionary.to_pylist()
        return [None if i is None else names[i] for i in a.indices.to_pylist()]
    if tid == _DATE32:
        fromordinal = datetime.date.fromordinal
        return [None if d is None else fromordinal(_EPOCH + d) for d in a.view(pa.int32()).to_pylist()]
    return a.to_pylist()


def value_counts(column) -> dict:
    """Each value of a column (an Array or ChunkedArray, a dictionary's chunks with dictionaries of
    their own included) and how many rows hold it. (Counting a to_pylist() of the records' kind column
    took 26 ms for the 21k records of the 50 MB corpus, a fifteenth of its convert; this ~0.2 ms.)"""
    if not len(column):
        return {}
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return {d["values"]: d["counts"] for d in pc.value_counts(column).to_pylist()}
