"""The core's range primitives the Dask reader stands on: ``mxbureau.align`` (verified by the record
chain, not by the next record that parses), ``read``/``scan`` with ``start``/``stop`` (consecutive
ranges give the whole, offsets absolute), ``record_start`` in every table, and the declared
schemas of ``features`` / ``account_metrics`` (the same columns whatever the data)."""
import numpy as np
import pyarrow as pa
import pytest

import mxbureau
from dask_inputs import damaged, file_bytes, plain, records_with_declarativas
from mxbureau.intl13 import _scan, synth


@pytest.fixture(scope="module")
def data():
    return file_bytes(records_with_declarativas(60))


def _visited(tok):
    """Where the whole lenient scan goes: record starts and damaged spans' starts."""
    return set(tok.records["start"].tolist()) | {p.start for p in tok.errors}


def _next_real(data, p):
    while p < len(data) and data[p] in b"\n\r\x13":
        p += 1
    return p


def test_align_follows_the_chain_where_the_next_parsing_record_is_inside_a_declarativa(data):
    buf = np.frombuffer(data, np.uint8)
    whole = mxbureau.scan(data)
    starts = _visited(whole)
    naive_wrong = 0
    for pos in range(0, len(data), 211):
        a = mxbureau.align(data, pos)
        assert a >= pos
        assert _next_real(data, a) in starts or _next_real(data, a) == len(data), pos
        # nothing the whole scan reaches lies in [pos, a)
        assert not {s for s in starts if pos <= s < _next_real(data, a)} - {a}
        q = _scan.find_record_start(buf, pos)
        naive_wrong += q < len(data) and q not in starts
    assert naive_wrong > 5          # the input does put false starts after boundaries


def test_consecutive_ranges_equal_the_whole_read(data):
    whole = mxbureau.read(data)
    for step in (3000, 12_000, 50_000):
        cuts = list(range(0, len(data), step)) + [len(data)]
        parts = [mxbureau.read(data, start=a, stop=b) for a, b in zip(cuts, cuts[1:])]
        for name in ["records"] + whole.names:
            got = pa.concat_tables([p[name] for p in parts if name in p])
            want = whole[name]
            assert plain(got).equals(plain(want)), (step, name)
        assert all(p.records.num_rows == 0 or p.records.column("record")[0].as_py() == 0 for p in parts)


def test_range_offsets_are_positions_in_the_source(data):
    whole = mxbureau.read(data)
    mid = mxbureau.read(data, start=len(data) // 3, stop=2 * len(data) // 3)
    starts = mid.records.column("start").to_pylist()
    assert starts[0] == mxbureau.align(data, len(data) // 3)
    full = whole.records.column("start").to_pylist()
    i = full.index(starts[0])
    assert full[i:i + len(starts)] == starts
    tl = mid["TL"]
    assert tl.column("record_start").to_pylist() == [starts[r] for r in tl.column("record").to_pylist()]


def test_strict_range_names_the_absolute_offset(data):
    bad = bytearray(data)
    at = len(data) * 3 // 4
    s = mxbureau.align(bytes(bad), at)
    s = _next_real(data, s)
    bad[s + 60:s + 62] = b"#!"                       # a tag of the record's first segment
    bad = bytes(bad)
    with pytest.raises(mxbureau.FormatError) as whole:
        mxbureau.read(bad)
    with pytest.raises(mxbureau.FormatError) as part:
        mxbureau.read(bad, start=len(data) // 2, stop=None)
    assert part.value.offset == whole.value.offset >= s
    assert mxbureau.read(bad, start=0, stop=len(data) // 2).records.num_rows > 0


def test_damaged_spans_once_across_ranges(data):
    bad = damaged(data)
    whole = mxbureau.read(bad, strict=False)
    assert whole.problems.num_rows >= 4
    cuts = list(range(0, len(bad), 4000)) + [len(bad)]
    parts = [mxbureau.read(bad, start=a, stop=b, strict=False) for a, b in zip(cuts, cuts[1:])]
    got = pa.concat_tables([p.problems for p in parts]).drop_columns(["record"])
    key = lambda t: sorted(zip(t.column("start").to_pylist(), t.column("end").to_pylist(), t.column("problem").to_pylist()))
    assert key(got) == key(whole.problems.drop_columns(["record"]))
    recs = pa.concat_tables([p.records for p in parts]).column("start").to_pylist()
    assert recs == whole.records.column("start").to_pylist()        # no record twice, none lost


def test_record_start_in_every_table_and_schema():
    t = mxbureau.read(mxbureau.sample_path())
    starts = t.records.column("start").to_pylist()
    assert t.records.column("record_start").to_pylist() == starts
    for name in t.names:
        assert t[name].column_names[:2] == ["record", "record_start"]
        assert t[name].column("record_start").to_pylist() == [starts[r] for r in t[name].column("record").to_pylist()]
        assert mxbureau.schema_of(name).field("record_start").type == pa.int64()
    assert mxbureau.schema_of("records").names[:2] == ["record", "record_start"]
    assert "record_start" in mxbureau.schema("TL").column("column").to_pylist()


def test_features_have_every_column_whatever_the_data():
    want = mxbureau.features_schema()
    nohits = mxbureau.read(synth.generate_bytes(5, seed=2, mix={"nohit": 1.0}))
    assert "TL" not in nohits.names
    f = mxbureau.features(nohits, "2026-10-31")
    assert list(f.columns) == list(want.columns) and (f.dtypes == want.dtypes).all()
    assert len(f) == 5 and (f["accounts_open"] == 0).all() and f["bc_score"].isna().all()
    full = mxbureau.features(mxbureau.read(mxbureau.sample_path()), "2026-10-31")
    assert list(full.columns) == list(want.columns) and (full.dtypes == want.dtypes).all()
    m = mxbureau.account_metrics(nohits, "2026-10-31")
    ms = mxbureau.account_metrics_schema()
    assert list(m.columns) == list(ms.columns) and (m.dtypes == ms.dtypes).all()
