"""What convert writes into Parquet, as a reader sees it: the codec asked for (snappy by default), and
statistics -- min, max, nulls -- on the numbers, dates and flags, which a reader prunes row groups
with, but not on the codes or the free text (measured costly and useless: README "Parquet
settings"); the statistics written are the true ones. `mxbureau.dask.to_parquet` writes the same.
A bad setting is refused before anything is written or removed."""
import datetime

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau.cli import EXIT_USAGE, main
from mxbureau.convert import convert
from mxbureau.errors import UsageError
from mxbureau.intl13 import synth

DATA = synth.generate_bytes(60, seed=11, separator="lf")

# Columns by what they hold (named from the schema's descriptions, not derived from types)
NUMBERS_AND_DATES = {
    "TL": ["record", "record_start", "position", "updated_on", "opened_on", "balance", "credit_limit",
           "payment_amount", "mop_level", "history_latest_on"],
    "records": ["record", "start", "length", "declared_length", "found", "ok"],      # found, ok: flags
}
CODES = {"TL": ["member_code", "account_type", "currency", "mop", "worst_mop", "observation"],
         "records": ["kind"]}
TEXT = {"TL": ["account_number", "user_phone", "payment_history", "collateral"],
        "records": ["reference", "member_code", "control_number"]}


def _chunks(path):
    """Every row group's column chunks: [{column path: ColumnChunkMetaData}]"""
    meta = pq.ParquetFile(path).metadata
    return [{meta.row_group(g).column(i).path_in_schema: meta.row_group(g).column(i)
             for i in range(meta.num_columns)} for g in range(meta.num_row_groups)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    d = tmp_path_factory.mktemp("pq")
    src = d / "in.intl"
    src.write_bytes(DATA)
    out = {}
    for name, extra in (("default", []), ("zstd", ["--compression", "zstd"]), ("none", ["--compression", "none"]),
                        ("every", ["--statistics", "all"]), ("no-stats", ["--statistics", "none"]),
                        ("groups", ["--row-group-size", "50"]),
                        ("groups-no-stats", ["--row-group-size", "50", "--statistics", "none"])):
        assert main(["convert", str(src), "-o", str(d / name), "-q", *extra]) == 0
        out[name] = d / name
    return out


def test_the_codec_asked_for(converted):
    for name, codec in (("default", "SNAPPY"), ("zstd", "ZSTD"), ("none", "UNCOMPRESSED")):
        for group in _chunks(converted[name] / "TL" / "part-00000.parquet"):
            assert {c.compression for c in group.values()} == {codec}, name


def test_statistics_on_numbers_and_dates_only(converted):
    for name in ("default", "zstd", "none", "groups"):
        for table in ("TL", "records"):
            groups = _chunks(converted[name] / table / "part-00000.parquet")
            assert len(groups) > (1 if name == "groups" and table == "TL" else 0)
            for group in groups:
                assert set(NUMBERS_AND_DATES[table] + CODES[table] + TEXT[table]) <= set(group), table
                for col in NUMBERS_AND_DATES[table]:
                    assert group[col].is_stats_set and group[col].statistics.has_min_max, (name, table, col)
                for col in CODES[table] + TEXT[table]:
                    assert not group[col].is_stats_set, (name, table, col)


def test_statistics_all_or_none_when_asked(converted):
    every = _chunks(converted["every"] / "TL" / "part-00000.parquet")[0]
    none = _chunks(converted["no-stats"] / "TL" / "part-00000.parquet")[0]
    assert all(c.is_stats_set for c in every.values()) and not any(c.is_stats_set for c in none.values())


def test_the_statistics_are_the_true_ones_and_prune(converted):
    tl = mxbureau.read(DATA)["TL"]
    group = _chunks(converted["default"] / "TL" / "part-00000.parquet")[0]
    for col in ("balance", "opened_on", "record_start"):
        mm = pc.min_max(tl.column(col)).as_py()
        st = group[col].statistics
        assert (st.min, st.max) == (mm["min"], mm["max"]), col
        assert st.null_count == tl.column(col).null_count, col
    assert isinstance(group["opened_on"].statistics.min, datetime.date)
    # row groups of 50 rows in record order: a filter on record_start leaves out the ones before it,
    # read from the statistics alone; without statistics every row group has to be read
    cut = tl.column("record_start")[120].as_py()
    for name, kept in (("groups", lambda n, total: 0 < n < total), ("groups-no-stats", lambda n, total: n == total)):
        frag = next(ds.dataset(converted[name] / "TL").get_fragments())
        total = len(list(frag.split_by_row_group()))
        n = len(list(frag.split_by_row_group(ds.field("record_start") > cut)))
        assert total > 1 and kept(n, total), (name, n, total)


def test_a_bad_setting_is_refused_and_removes_nothing(converted, tmp_path):
    out = converted["default"]
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(UsageError, match="statistics is one of"):
        convert([DATA], str(out), statistics="some", overwrite=True)
    with pytest.raises(UsageError, match="compression is one of"):
        convert([DATA], str(out), compression="brotli", overwrite=True)
    with pytest.raises(UsageError, match="Parquet settings"):
        convert([DATA], str(out), fmt="csv", statistics="all", overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == before
    src = tmp_path / "in.intl"
    src.write_bytes(DATA)
    assert main(["convert", str(src), "-o", str(tmp_path / "c"), "--format", "csv", "--compression", "zstd"]) == EXIT_USAGE
    assert not (tmp_path / "c").exists()


def test_dask_writes_the_same(converted, tmp_path):
    pytest.importorskip("dask")
    from mxbureau import dask as mdd
    src = tmp_path / "in.intl"
    src.write_bytes(DATA)
    mdd.to_parquet([str(src)], str(tmp_path / "d"), blocksize="1 MiB")
    ours = _chunks(converted["default"] / "TL" / "part-00000.parquet")[0]
    theirs = _chunks(tmp_path / "d" / "TL" / "part-00000.parquet")[0]
    # its parts carry source (text) and record_start, not record
    assert "source" in theirs and "record" not in theirs
    assert {c for c in theirs if theirs[c].is_stats_set} == {c for c in ours if ours[c].is_stats_set} - {"record"}
    assert {c.compression for c in theirs.values()} == {"SNAPPY"}
    mdd.to_parquet([str(src)], str(tmp_path / "e"), blocksize="1 MiB", statistics="none", compression="none")
    none = _chunks(tmp_path / "e" / "TL" / "part-00000.parquet")[0]
    assert not any(c.is_stats_set for c in none.values())
    assert {c.compression for c in none.values()} == {"UNCOMPRESSED"}
