"""The decoder's computed columns the way tables.py made them before the fill did (the reference the
fused kernels are checked against, tests/core/test_fused_columns.py): the tables decoded with no
column computed -- codes as read, amounts whole -- then, over the imported Arrow arrays, numeric
codes spelled (Field.code_width, code_width_by), an amount's negative values moved to its code
column (Field.negative) and a code's levels (Field.ordinal: TL mop_level) looked up in its imported
dictionary. Python and numpy, kept as they were."""
from typing import Dict, List

import numpy as np
import pyarrow as pa

from mxbureau import _decode
from mxbureau.layout import Field
from mxbureau.tables import Decoding, _plan, decoding, finish, selection


def raw_program(d):
    """d's field tables with nothing computed: no KIND_NEG column, no spelling."""
    kind = d.field_kind.copy()
    kind[(kind == _decode.KIND_NEG) | (kind == _decode.KIND_LEVEL)] = -1
    none = np.full_like(d.field_neg, -1)
    order = np.full_like(d.field_order, -1)
    for s, tag in enumerate(d.slots):
        order[s, :len(d.columns[tag])] = np.arange(len(d.columns[tag]))
    return _decode.Program(d.seg_unknown, d.field_lut, kind, d.field_max, d.field_longer, d.field_again,
                           none, none, none, order, {}, len(d.slots))


def reference_tables(tok, segments=None, columns=None) -> Dict[str, pa.Table]:
    """The segment tables of tok (one part) as the Python pass after the import made them."""
    tags, picked = selection(tok.format, segments, columns)
    d = decoding(tok.format, picked)
    prog = raw_program(d)
    r = tok.records
    take = (d.take[r["kind_code"].astype(np.uint8)] & r["ok"]).astype(np.int8)
    (p, r0, r1, base), = tok.pieces()
    segs = _decode.Segments(prog, tok.buffer, p["offset"], p["length"], p["tag"], r["tok_start"][r0:r1] - base,
                            r["tok_end"][r0:r1] - base, take[r0:r1], r["record"][r0:r1], d.seg_lut)
    counts = segs.counts
    plan, total = _plan(d, counts)
    raw = pa.allocate_buffer(max(total, 1))
    block = np.frombuffer(raw, dtype=np.uint8)
    segs.fill(block, plan)
    out = {}
    starts, first = r["start"], int(r["record"][0]) if len(r["record"]) else 0
    for s, tag in enumerate(d.slots):
        n = int(counts[s])
        if n == 0 or (tags is not None and tag not in tags):
            continue
        sch = d.started[tag]
        derived = set(d.derived[tag].values()) | {d.columns[tag][c].field.ordinal[0] for c in d.ordinal[tag]}
        raw_schema = pa.schema([f for f in sch if f.name not in derived], metadata=sch.metadata)
        rs = starts[np.frombuffer(raw, np.int64, n, int(plan[s][0])) - first]
        batch = segs.batch(s, raw_schema, d.has_pos[tag], rs)
        lead = 3 if d.has_pos[tag] else 2
        arrays = batch.columns
        cols = arrays[lead:]
        widths = {}
        for f, col in enumerate(d.columns[tag]):
            if col.field.code_width is not None:
                key = (col.field.code_width, col.field.code_width_by)
                if key not in widths:
                    widths[key] = _widths(d, tag, col.field, cols)
                cols[f] = _spell_codes(cols[f], widths[key])
        arrays = arrays[:lead]
        for f, col in enumerate(d.columns[tag]):
            arrays.append(cols[f])
            if f in d.derived[tag]:
                arrays[-1], codes = _split_negative(cols[f], col.field.max_length - 1)
                arrays.append(codes)
            if f in d.ordinal[tag]:
                arrays.append(_levels(cols[f], dict(col.field.ordinal[2])))
        out[tag] = pa.Table.from_arrays(arrays, schema=sch)
    return finish(tok.format, out, tok)
def _widths(d: Decoding, tag: str, f: Field, cols: List[pa.Array]):
    """The spelling width of a numeric code column: Field.code_width, or per row from the value of
    the field Field.code_width_by names (INTL13 SC reasons: 3 digits for an ICC score code)."""
    if f.code_width_by is None:
        return f.code_width
    by_tag, widths = f.code_width_by
    by = cols[d.column_of(tag, by_tag)]
    values = by.dictionary.to_pylist()
    table = dict(widths)
    per_value = np.array([table.get(v.strip() if v else v, f.code_width) for v in values] + [f.code_width], np.int64)
    return per_value[np.where(_valid(by), _values(by.indices, np.int32), -1)]


def _levels(arr: pa.DictionaryArray, levels: Dict[str, int]) -> pa.Array:
    """int8 levels of a code column through its dictionary, null for a code not in ``levels``."""
    lut = np.array([levels.get(v, -1) for v in arr.dictionary.to_pylist()] + [-1], dtype=np.int8)
    idx = np.where(_valid(arr), _values(arr.indices, np.int32), len(lut) - 1)
    out = lut[idx]
    return pa.array(out, pa.int8(), mask=out < 0)


def _valid(arr: pa.Array) -> np.ndarray:
    """The rows of arr with a value (bool), from its bitmap, not through fill_null / is_valid (compute
    kernels): one record's SC, _widths 17.0 -> 7.2 us, _split_negative 21.9 -> 13.1 us."""
    if not arr.null_count:
        return np.ones(len(arr), bool)
    bits = np.frombuffer(arr.buffers()[0], np.uint8)
    return np.unpackbits(bits, bitorder="little", count=arr.offset + len(arr))[arr.offset:].view(bool)


def _values(arr: pa.Array, dtype) -> np.ndarray:
    """A fixed-width array's values buffer as numpy, null rows holding whatever is there (the
    decoder's: 0)."""
    return np.frombuffer(arr.buffers()[1], dtype, len(arr), arr.offset * np.dtype(dtype).itemsize)


def _first_seen(keys: np.ndarray):
    """np.unique in order of first occurrence: (distinct keys, inverse). Dictionaries stay in that
    order, as the decoder's are, so that chunks unify to the same categories however a file is cut."""
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return uniq[order], rank[np.asarray(inverse).reshape(-1)]


def _spell(v: str, width: int) -> str:
    s = v.strip()
    return str(int(s)).zfill(width) if s.isdigit() and s.isascii() else v


def _spell_codes(arr: pa.DictionaryArray, width) -> pa.DictionaryArray:
    """A numeric code column with one spelling per value: blanks and leading zeros dropped, zeros put
    back to ``width`` digits (an int, or one per row). Values that are not digits stay as they are
    (validation reports them). The work is per distinct (value, width), then one gather into the
    indices' buffer, the validity bitmap kept; a column already spelled so is returned as it is
    (SC reasons of the 57 MB corpus: 0.47 ms a column through fill_null / where / a mask, 0.1 ms so)."""
    values = arr.dictionary.to_pylist()
    ind = arr.indices
    if not values or ind.offset:
        return arr
    raw = np.frombuffer(ind.buffers()[1], np.int32, len(ind))     # null rows hold some index: masked below
    names: Dict[str, int] = {}
    if np.ndim(width) == 0:
        # the decoder's dictionary is in order of first occurrence, and every entry occurs
        spelled = [_spell(v, width) for v in values]
        if spelled == values:
            return arr
        lut = np.array([names.setdefault(v, len(names)) for v in spelled], np.int32)
        new = lut[raw]
    else:
        # every (value, width) that occurs already spelled so (one record's SC reasons): as it is
        # (20.2 -> 6.0 us a column)
        used = np.unique(width).tolist()
        if all(_spell(v, w) == v for v in values for w in used):
            return arr
        wide = int(np.max(width)) + 1
        key = raw.astype(np.int64) * wide + width
        ok = np.asarray(ind.is_valid()) if ind.null_count else np.ones(len(ind), bool)
        first = np.full(len(values) * wide, len(ind), np.int64)
        np.minimum.at(first, key[ok], np.flatnonzero(ok))
        keys = np.flatnonzero(first < len(ind))
        keys = keys[np.argsort(first[keys], kind="stable")]             # first occurrence's order
        lut = np.zeros(len(values) * wide, np.int32)
        for k in keys.tolist():
            lut[k] = names.setdefault(_spell(values[k // wide], k % wide), len(names))
        if list(names) == values and np.array_equal(lut[keys], keys // wide):
            return arr
        new = lut[np.where(ok, key, 0)]
    indices = pa.Array.from_buffers(pa.int32(), len(ind), [ind.buffers()[0], pa.py_buffer(new)], ind.null_count)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.large_string()))


_NO_STRINGS = pa.array([], pa.large_string())


def _split_negative(arr: pa.Array, digits: int):
    """An amount column -> (its non-negative values, the negative ones as codes "-" + ``digits``
    digits: INTL13's exclusion codes, -9 -> "-009"); null where the value is null or in the other."""
    valid = _valid(arr)
    v = np.where(valid, _values(arr, np.int64), 0)
    neg = valid & (v < 0)
    if not neg.any():
        return arr, pa.DictionaryArray.from_arrays(pa.nulls(len(v), pa.int32()), _NO_STRINGS)
    kept = pa.array(v, pa.int64(), mask=~valid | neg)
    uniq, inverse = _first_seen(v[neg])
    idx = np.full(len(v), -1, np.int32)
    idx[neg] = inverse
    names = pa.array([f"-{-x:0{digits}d}" for x in uniq.tolist()], pa.large_string())
    return kept, pa.DictionaryArray.from_arrays(pa.array(idx, mask=idx < 0), names)
