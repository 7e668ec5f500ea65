"""The records table through one C Data import (columns.table_of, _decode.arrays_batch) against the
builder it replaced (records_reference.py: a pa.array a column; an error record's reference by the
new rule): generated corpora of every record
kind, consultas, damaged bytes, nothing; arrays_batch's own contract (nulls, bitmaps only where a row
is null, the checks before anything is trusted, the arrays kept alive); and TL's mop levels against
the compute take they were made with."""
import gc

import numpy as np
import pyarrow as pa
import pytest

import mxbureau
import records_reference
from corpora import ALL_KINDS
from mxbureau import _decode
from mxbureau.intl13 import catalogs, records, synth
from mxbureau.scanner import scan


def damaged(data: bytes) -> bytes:
    b = bytearray(data)
    rng = np.random.default_rng(4)
    for at in rng.integers(0, len(b), 40).tolist():
        b[at] = int(rng.integers(0, 256))
    return bytes(b)


@pytest.mark.parametrize("name", ["corpus", "consultas", "damaged", "empty", "one"])
def test_records_table_as_the_pa_array_builder_made_it(corpus, name):
    data = {"corpus": corpus, "consultas": synth.generate_bytes(300, seed=9, mix={"consulta": 0.7, "hit": 0.3}),
            "damaged": damaged(corpus[:400_000]), "empty": b"", "one": corpus[:corpus.index(b"**") + 2]}[name]
    tok = scan(data, strict=False)
    new, old = records.records_table(tok), records_reference.records_table(tok)
    new.validate(full=True)
    assert new.schema.equals(old.schema, check_metadata=True)
    assert new.equals(old), [c for c in new.column_names if not new.column(c).equals(old.column(c))]
    assert mxbureau.read(data, strict=False).records.drop_columns(["record_start"]).equals(old)


def test_arrays_batch_nulls_and_bitmaps():
    sch = pa.schema([pa.field("i", pa.int64()), pa.field("v", pa.int8()), pa.field("b", pa.bool_()),
                     pa.field("s", pa.large_string()), pa.field("d", pa.dictionary(pa.int32(), pa.large_string()))])
    cols = [(np.array([5, 6, 7]), None), (np.array([1, 2, 3], np.int8), np.array([1, 0, 1], bool)),
            (np.array([True, False, True]), np.array([0, 1, 1], np.uint8)),
            (np.array([0, 2, 2, 5]), np.frombuffer(b"abcde", np.uint8), np.array([1, 0, 1], np.uint8)),
            (np.array([1, -1, 0], np.int32), np.array([0, 1, 3]), np.frombuffer(b"xyz", np.uint8))]
    b = _decode.arrays_batch(sch, "ffbsd", cols, 3)
    del cols
    gc.collect()                                   # the batch holds its arrays
    b.validate(full=True)
    assert b.to_pylist() == [{"i": 5, "v": 1, "b": None, "s": "ab", "d": "yz"},
                             {"i": 6, "v": None, "b": False, "s": None, "d": None},
                             {"i": 7, "v": 3, "b": True, "s": "cde", "d": "x"}]
    assert b.column(0).buffers()[0] is None and b.column(3).null_count == 1
    # every row valid: no bitmap, and the next column's bits are its own
    b = _decode.arrays_batch(sch.remove(4).remove(3), "ffb", [(np.arange(9), np.ones(9, bool)),
                             (np.arange(9, dtype=np.int8), np.arange(9) % 2 == 0), (np.ones(9, bool), None)], 9)
    assert b.column(0).buffers()[0] is None and b.column(1).to_pylist() == [0, None, 2, None, 4, None, 6, None, 8]
    assert b.column(2).to_pylist() == [True] * 9


@pytest.mark.parametrize("kinds,cols,match", [
    ("f", [(np.arange(3, dtype=np.int32), None)], "contiguous array of 24 bytes"),        # int32 for int64
    ("f", [(np.arange(6)[::2], None)], "contiguous"),
    ("s", [(np.array([0, 4, 2, 3]), np.zeros(4, np.uint8), None)], "go back"),
    ("s", [(np.array([0, 1, 2, 9]), np.zeros(4, np.uint8), None)], "past the data"),
    ("d", [(np.array([0, 2, 1], np.int32), np.array([0, 1, 2]), np.zeros(2, np.uint8))], "past the dictionary"),
    ("x", [(np.arange(3), None)], "kind"),
])
def test_arrays_batch_checks_before_it_trusts(kinds, cols, match):
    types = {"f": pa.int64(), "s": pa.large_string(), "d": pa.dictionary(pa.int32(), pa.large_string()), "x": pa.int64()}
    with pytest.raises(ValueError, match=match):
        _decode.arrays_batch(pa.schema([pa.field("c", types[kinds])]), kinds, cols, 3)


def test_arrays_batch_widths_kept_per_schema_still_check():
    """The field widths are looked up once a schema: a second call with the same schema object still
    rejects an array of the wrong width, whichever field it is in; a field of a width Arrow's C Data
    values cannot have (300 bytes) is refused as not fixed-width."""
    sch = pa.schema([pa.field("a", pa.int32()), pa.field("b", pa.int64())])
    good = [(np.arange(3, dtype=np.int32), None), (np.arange(3), None)]
    assert _decode.arrays_batch(sch, "ff", good, 3).to_pydict() == {"a": [0, 1, 2], "b": [0, 1, 2]}
    with pytest.raises(ValueError, match="contiguous array of 12 bytes"):
        _decode.arrays_batch(sch, "ff", [(np.arange(3), None), good[1]], 3)        # int64 for int32
    with pytest.raises(ValueError, match="contiguous array of 24 bytes"):
        _decode.arrays_batch(sch, "ff", [good[0], (np.arange(3, dtype=np.int32), None)], 3)
    with pytest.raises(ValueError, match="not a fixed-width type"):
        _decode.arrays_batch(pa.schema([pa.field("w", pa.binary(300))]), "f", [(np.zeros(900, np.uint8), None)], 3)


def old_levels(col):
    chunks = []
    for a in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]):
        if not pa.types.is_dictionary(a.type):
            a = a.dictionary_encode()
        lut = np.array([catalogs.MOP_LEVELS.get(v, -1) for v in a.dictionary.to_pylist()], dtype=np.int8)
        chunks.append(pa.array(lut, pa.int8(), mask=lut < 0).take(a.indices))
    return pa.chunked_array(chunks, pa.int8())


@pytest.mark.parametrize("workers", [1, 2])
def test_mop_levels_as_the_compute_take_made_them(corpus, workers):
    # the decoder's KIND_LEVEL columns (Field.ordinal) against the pyarrow compute take over the MOP
    # column they replaced, chunk by chunk (workers=2: a chunk a part, each its own dictionary)
    t = mxbureau.read(corpus, workers=workers)
    for name in ("mop", "worst_mop"):
        got = t["TL"].column(f"{name}_level")
        assert got.type == pa.int8() and got.null_count > 0
        assert got.equals(old_levels(t["TL"].column(name))), name
    one = mxbureau.read(corpus, columns=["worst_mop_level"])["TL"]       # selecting the level decodes its code
    assert one.column_names == ["record", "record_start", "position", "worst_mop", "worst_mop_level"]
    assert one.column("worst_mop_level").combine_chunks().equals(t["TL"].column("worst_mop_level").combine_chunks())
