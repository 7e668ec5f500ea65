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


def _levels(col) -> pa.ChunkedArray:
    """int8 levels of a dictionary (or string) column of MOP codes, chunk by chunk through each
    chunk's dictionary (one lookup per distinct code)."""
    chunks = []
    for a in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]):
        if not pa.types.is_dictionary(a.type):
            a = a.dictionary_encode()
        # the per-code levels gathered by the indices in numpy, the array made over its buffers: one
        # record's 8 accounts 12.8 -> ~4 us a column (a pa.array and a compute take before)
        lut = np.array([catalogs.MOP_LEVELS.get(v, -1) for v in a.dictionary.to_pylist()] + [-1], dtype=np.int8)
        ind = a.indices
        idx = np.frombuffer(ind.buffers()[1], np.int32, len(ind), ind.offset * 4) if len(ind) else np.zeros(0, np.int32)
        if ind.null_count:
            idx = np.where(np.asarray(ind.is_valid()), idx, len(lut) - 1)
        levels = lut[idx]
        bad = levels < 0
        chunks.append(pa.Array.from_buffers(pa.int8(), len(levels), [
            pa.py_buffer(np.packbits(~bad, bitorder="little")) if bad.any() else None, pa.py_buffer(levels)],
            int(bad.sum())))
    return pa.chunked_array(chunks, pa.int8())


def finish_tables(tables: Dict[str, pa.Table], tok=None) -> Dict[str, pa.Table]:
    for tag, pairs in LEVEL_COLUMNS.items():
        t = tables.get(tag)
        if t is None:
            continue
        for src, name in pairs:
            i = t.schema.get_field_index(src)
            if i < 0:
                continue
            meta = {b"derived_from": src.encode(), b"catalog": b"MOP_LEVELS"}
            t = t.add_column(i + 1, pa.field(name, pa.int8(), metadata=meta), _levels(t.column(i)))
        tables[tag] = t
    return tables
