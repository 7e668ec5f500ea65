"""Arrow arrays over buffers the compiled decoders filled (no copy): validity bitmaps, strings,
dictionary-encoded codes, fixed-width header fields; and back, an array's values as Python objects
(``pylist``, for Report). Shared by tables.py, the formats' records tables and reports."""
from __future__ import annotations

import datetime
from typing import Optional

import numpy as np
import pyarrow as pa

from . import _decode

__all__ = ["bitmap", "strings", "dictionary", "coded", "fixed_strings", "token_strings", "pylist"]


def bitmap(valid: np.ndarray) -> Optional[pa.Buffer]:
    """An Arrow validity bitmap from one byte a row (None when every row is valid)."""
    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid.view(bool), bitorder="little"))


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
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=indices < 0), values)


def fixed_strings(buf: np.ndarray, starts: np.ndarray, valid: np.ndarray, width: int) -> pa.Array:
    """Fixed-width latin-1 fields at starts, blanks stripped, null where not valid (compiled: gather,
    trim, transcode)."""
    valid = np.ascontiguousarray(valid, dtype=np.uint8)
    offsets, data = _decode.fixed_text(buf, np.ascontiguousarray(starts, dtype=np.int64), valid, width)
    return strings(len(starts), offsets, data, valid)


def token_strings(buf: np.ndarray, offset: np.ndarray, length: np.ndarray, rows: np.ndarray, n: int) -> pa.Array:
    """The values at (offset, length) as rows ``rows`` (increasing) of an n-row string column, kept
    exactly (latin-1 decoded); other rows null."""
    offsets, data, valid = _decode.text_column(buf, np.ascontiguousarray(offset, dtype=np.int64),
                                               np.ascontiguousarray(length, dtype=np.uint16),
                                               np.arange(len(rows), dtype=np.int64),
                                               np.ascontiguousarray(rows, dtype=np.int64), n)
    return strings(n, offsets, data, valid)


_EPOCH = datetime.date(1970, 1, 1).toordinal()
_INTS = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64}
_CODES = pa.dictionary(pa.int32(), pa.large_string())


def _valid(a: pa.Array):
    """Row -> has a value (a list of bools), None when every row has one."""
    if not a.null_count:
        return None
    bits = np.frombuffer(a.buffers()[0], np.uint8)
    return np.unpackbits(bits, bitorder="little", count=a.offset + len(a))[a.offset:].view(bool).tolist()


def _texts(a: pa.Array) -> list:
    """A large_string array's values, null rows as their (empty) slices."""
    _, offsets, data = a.buffers()
    o = np.frombuffer(offsets, np.int64, len(a) + 1, a.offset * 8).tolist()
    raw = data.to_pybytes() if data is not None else b""
    return [raw[o[k]:o[k + 1]].decode() for k in range(len(a))]


def pylist(a) -> list:
    """``a.to_pylist()`` (an Array or ChunkedArray) for the types the tables hold, read off the buffers:
    pyarrow makes a scalar a value, ~0.7 us; one record's tables (166 columns, ~300 values) took
    ~0.75 ms so in reports(), ~0.2 ms here. Other types: pyarrow's own."""
    if isinstance(a, pa.ChunkedArray):
        return [v for c in a.chunks for v in pylist(c)] if a.num_chunks != 1 else pylist(a.chunk(0))
    t, n = a.type, len(a)
    if t in _INTS or t == pa.date32():
        dt = _INTS.get(t, np.int32)
        v = np.frombuffer(a.buffers()[1], dt, n, a.offset * np.dtype(dt).itemsize).tolist() if n else []
        if t == pa.date32():
            valid = _valid(a)
            return [datetime.date.fromordinal(_EPOCH + x) if valid is None or valid[k] else None
                    for k, x in enumerate(v)]
    elif t == pa.large_string():
        v = _texts(a)
    elif t == _CODES:
        names = _texts(a.dictionary)
        ind = a.indices
        v = np.frombuffer(ind.buffers()[1], np.int32, n, ind.offset * 4).tolist() if n else []
        valid = _valid(ind)
        return [names[i] for i in v] if valid is None else [names[i] if ok else None for i, ok in zip(v, valid)]
    else:
        return a.to_pylist()
    valid = _valid(a)
    return v if valid is None else [x if ok else None for x, ok in zip(v, valid)]
