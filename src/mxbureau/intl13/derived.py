"""Columns computed from decoded ones, added to every table that has their source column: TL
``mop_level`` (and ``worst_mop_level``), the MOP code as an ordinal number (``catalogs.MOP_LEVELS``: 01-07
-> 1-7, 96/97/99 -> 9, 00 -> 0; UR and unknown codes null), so that ``mop_level >= 3`` selects what
``mop >= '03'`` on the text would get wrong (it matches 96 and UR)."""
from __future__ import annotations

from typing import Dict

import numpy as np
import pyarrow as pa

from . import catalogs

__all__ = ["finish_tables", "LEVEL_COLUMNS", "DESCRIPTIONS"]

LEVEL_COLUMNS = {"TL": (("mop", "mop_level"), ("worst_mop", "worst_mop_level"))}
DESCRIPTIONS = {
    ("TL", "mop_level"): "The current MOP (tag 26) as a number: 01-07 -> 1-7, 96/97/99 -> 9, 00 -> 0; "
                         "null for UR (no information). Computed by mxbureau, not in the reply.",
    ("TL", "worst_mop_level"): "The worst MOP of the history (tag 38) as a number, on the scale of mop_level. "
                               "Computed by mxbureau, not in the reply.",
}


_INT8 = pa.int8()
# the columns' fields, made once (a pa.field with metadata each call was ~3 us of read() of one record)
_FIELDS = {name: pa.field(name, _INT8, metadata={b"derived_from": src.encode(), b"catalog": b"MOP_LEVELS"})
           for pairs in LEVEL_COLUMNS.values() for src, name in pairs}


def _levels(col) -> pa.ChunkedArray:
    """int8 levels of a dictionary (or string) column of MOP codes, chunk by chunk through each
    chunk's dictionary (one lookup per distinct code)."""
    return pa.chunked_array([_level_chunk(a) for a in (col.chunks if isinstance(col, pa.ChunkedArray) else [col])],
                            _INT8)


def _level_chunk(a: pa.Array) -> pa.Array:
    if not pa.types.is_dictionary(a.type):
        a = a.dictionary_encode()
    # the per-code levels gathered by the indices in numpy, the array made over its buffers: one
    # record's 8 accounts 12.8 -> ~4 us a column (a pa.array and a compute take before); the nulls
    # from the indices' own bitmap (ind.is_valid() was ~4 us of the ~12 left)
    lut = np.array([catalogs.MOP_LEVELS.get(v, -1) for v in a.dictionary.to_pylist()] + [-1], dtype=np.int8)
    ind = a.indices
    n = len(ind)
    bufs = ind.buffers()
    idx = np.frombuffer(bufs[1], np.int32, n, ind.offset * 4) if n else np.zeros(0, np.int32)
    if ind.null_count:
        valid = np.unpackbits(np.frombuffer(bufs[0], np.uint8), count=ind.offset + n, bitorder="little")[ind.offset:]
        idx = np.where(valid.view(bool), idx, len(lut) - 1)
    levels = lut[idx]
    bad = levels < 0
    nbad = int(np.count_nonzero(bad))
    return pa.Array.from_buffers(_INT8, n, [pa.py_buffer(np.packbits(~bad, bitorder="little")) if nbad else None,
                                            pa.py_buffer(levels)], nbad)


def finish_tables(tables: Dict[str, pa.Table], tok=None) -> Dict[str, pa.Table]:
    for tag, pairs in LEVEL_COLUMNS.items():
        t = tables.get(tag)
        if t is None:
            continue
        for src, name in pairs:
            i = t.schema.get_field_index(src)
            if i < 0:
                continue
            col = t.column(i)
            # one chunk (every read but a parallel one's): the Array itself, which add_column wraps
            t = t.add_column(i + 1, _FIELDS[name], _level_chunk(col.chunk(0)) if col.num_chunks == 1 else _levels(col))
        tables[tag] = t
    return tables
