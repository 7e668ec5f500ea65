"""What convert writes into Parquet, as a reader sees it: the codec asked for (snappy by default),
and statistics -- min, max, nulls -- on the numbers and dates, which a reader can prune row groups
with, but not on the codes or the free text (measured costly and useless: README "Parquet
settings"); the statistics it writes are the true ones. `mxbureau.dask.to_parquet` writes the same."""
import datetime

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau.cli import main
from mxbureau.convert import convert
from mxbureau.errors import UsageError
from mxbureau.intl13 import synth

DATA = synth.generate_bytes(60, seed=11, separator="lf")

# TL columns by what they hold (the schema's descriptions; named here, not derived from types)
NUMBERS_AND_DATES = ["record", "record_start", "position", "updated_on", "opened_on", "balance",
                     "credit_limit", "payment_amount", "mop_level", "history_latest_on"]
CODES = ["member_code", "account_type", "currency", "mop", "worst_mop", "observation"]
TEXT = ["account_number", "user_phone", "payment_history", "collateral"]


def _column_chunks(path):
    meta = pq.ParquetFile(path).metadata
    rg = meta.row_group(0)
    return {rg.column(i).path_in_schema: rg.column(i) for i in range(rg.num_columns)}


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    d = tmp_path_factory.mktemp("pq")
    src = d / "in.intl"
    src.write_bytes(DATA)
    out = {}
    for name, extra in (("default", []), ("zstd", ["--compression", "zstd"]), ("none", ["--compression", "none"]),
                        ("every", ["--statistics", "all"]), ("no-stats", ["--statistics", "none"])):
        assert main(["convert", str(src), "-o", str(d / name), "-q", *extra]) == 0
        out[name] = d / name / "TL" / "part-00000.parquet"
    return out


def test_the_codec_asked_for(converted):
    for name, codec in (("default", "SNAPPY"), ("zstd", "ZSTD"), ("none", "UNCOMPRESSED")):
        chunks = _column_chunks(converted[name])
        assert {c.compression for c in chunks.values()} == {codec}, name


def test_statistics_on_numbers_and_dates_only(converted):
    for name in ("default", "zstd", "none"):
        chunks = _column_chunks(converted[name])
        assert set(NUMBERS_AND_DATES + CODES + TEXT) <= set(chunks)
        for col in NUMBERS_AND_DATES:
            assert chunks[col].is_stats_set and chunks[col].statistics.has_min_max, (name, col)
        for col in CODES + TEXT:
            assert not chunks[col].is_stats_set, (name, col)


def test_statistics_all_or_none_when_asked(converted, tmp_path):
    every, none = _column_chunks(converted["every"]), _column_chunks(converted["no-stats"])
    assert all(c.is_stats_set for c in every.values()) and not any(c.is_stats_set for c in none.values())
    with pytest.raises(UsageError, match="statistics is one of"):
        convert([DATA], str(tmp_path / "o"), statistics="some")


def test_the_statistics_are_the_true_ones(converted):
    tl = mxbureau.read(DATA)["TL"]
    chunks = _column_chunks(converted["default"])
    for col in ("balance", "opened_on", "record_start"):
        mm = pc.min_max(tl.column(col)).as_py()
        st = chunks[col].statistics
        assert (st.min, st.max) == (mm["min"], mm["max"]), col
        assert st.null_count == tl.column(col).null_count, col
    assert isinstance(chunks["opened_on"].statistics.min, datetime.date)
    # a reader prunes with them: no row group can hold a balance above the maximum
    assert pq.read_table(converted["default"], filters=[("balance", ">", chunks["balance"].statistics.max)]).num_rows == 0


def test_dask_writes_the_same_statistics(converted, tmp_path):
    pytest.importorskip("dask")
    from mxbureau import dask as mdd
    src = tmp_path / "in.intl"
    src.write_bytes(DATA)
    mdd.to_parquet([str(src)], str(tmp_path / "d"), blocksize="1 MiB")
    mdd.to_parquet([str(src)], str(tmp_path / "e"), blocksize="1 MiB", statistics="none")
    none = _column_chunks(tmp_path / "e" / "TL" / "part-00000.parquet")
    assert not any(c.is_stats_set for c in none.values())
    ours = _column_chunks(converted["default"])
    theirs = _column_chunks(tmp_path / "d" / "TL" / "part-00000.parquet")
    # its parts carry source (text) and record_start, not record
    assert "source" in theirs and "record" not in theirs
    assert {c for c in theirs if theirs[c].is_stats_set} == {c for c in ours if ours[c].is_stats_set} - {"record"}
