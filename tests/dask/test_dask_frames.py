"""mxbureau.dask.read_intl13 in-process (the synchronous scheduler): every table equal to
mxbureau.read() of the whole file for blocksizes from 4 KiB (boundaries inside declarativas and at
separators) to more than the file, strict and lenient, damaged input; meta from the schemas (no
sampling) equal to every partition's dtypes, known categories and divisions; one task a range."""
import os

import dask
import pandas as pd
import pytest
from dask.callbacks import Callback

import mxbureau
import mxbureau.dask as mdd
from dask_inputs import as_values, damaged, expected, file_bytes, records_with_declarativas


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("frames")
    out = {}
    for name, n in (("small", 16), ("medium", 80)):
        data = file_bytes(records_with_declarativas(n, seed=n))
        out[name] = str(d / f"{name}.intl")
        open(out[name], "wb").write(data)
        out[name + "_bad"] = str(d / f"{name}_bad.intl")
        open(out[name + "_bad"], "wb").write(damaged(data))
    return out


def _compute(frames):
    with dask.config.set(scheduler="sync"):
        return dask.compute(frames)[0]


def _check_equal(got, path, strict):
    whole = mxbureau.read(path, strict=strict)
    n_scan = len(mxbureau.scan(path, strict=strict).errors)
    assert set(got) == {"records", "problems", *whole.names} | (set(got) - {"records", "problems"})
    for name, df in got.items():
        if name not in whole and name not in ("records", "problems"):
            assert len(df) == 0, name
            continue
        want = expected(whole, name, source=path, n_scan=n_scan)
        have = as_values(df)
        assert list(have["record_start"]) == list(want["record_start"]), name
        pd.testing.assert_frame_equal(have[list(want.columns)], want, check_dtype=False, obj=name)
    return whole


@pytest.mark.parametrize("which, blocksize, strict", [
    ("small", "4 KiB", False), ("small", 7000, True), ("medium", "64 KiB", True), ("medium", "10 MiB", False),
    ("small_bad", "6 KiB", False), ("medium_bad", "64 KiB", False)])
def test_every_table_equals_the_whole_read(files, which, blocksize, strict):
    path = files[which]
    frames = mdd.read_intl13(path, blocksize=blocksize, strict=strict)
    size = os.path.getsize(path)
    bs = mdd._blocksize(blocksize)
    assert frames["TL"].npartitions == max(1, -(-size // bs))
    whole = _check_equal(_compute(frames), path, strict)
    if which.endswith("_bad"):
        assert whole.problems.num_rows >= 3


def test_meta_categories_and_divisions(files):
    path = files["medium"]
    frames = mdd.read_intl13(path, blocksize="32 KiB")
    got = _compute(frames)
    for name, ddf in frames.items():
        assert ddf.known_divisions and ddf.divisions[0] == 0 and ddf.divisions[-1] == os.path.getsize(path)
        assert (ddf.dtypes == got[name].dtypes).all(), name
        assert ddf.index.name == "record_start" and "record" not in ddf.columns
    tl = frames["TL"]
    assert tl["account_type"].cat.known and list(tl["account_type"].cat.categories) == sorted(mxbureau.catalog("ACCOUNT_TYPES"))
    assert list(tl["source"].cat.categories) == [path]
    assert str(tl["balance"].dtype) == "Int64" and str(tl["history_latest_on"].dtype).startswith("datetime64")
    # divisions are right: a .loc over a byte span selects what the whole table has there
    starts = got["records"].index.to_numpy()
    a, b = int(starts[len(starts) // 3]), int(starts[2 * len(starts) // 3])
    with dask.config.set(scheduler="sync"):
        part = frames["TL"].loc[a:b].compute()
    assert part.index.equals(got["TL"].loc[a:b].index)
    # no sampling: building the frames reads nothing but the sizes
    assert all(not b.whole for b in mdd.blocks(path, "32 KiB")[1])


class _Count(Callback):
    def __init__(self):
        super().__init__()
        self.ranges = 0

    def _pretask(self, key, dsk, state):
        name = key[0] if isinstance(key, tuple) else key
        self.ranges += str(name).startswith("mxbureau-range-")


def test_each_range_is_read_once_for_all_tables(files):
    frames = mdd.read_intl13(files["medium"], blocksize="64 KiB")
    count = _Count()
    with count, dask.config.set(scheduler="sync"):
        dask.compute(frames)
    assert count.ranges == frames["TL"].npartitions


def test_strict_damage_raises_with_the_absolute_offset(files):
    path = files["medium_bad"]
    with pytest.raises(mxbureau.FormatError) as whole:
        mxbureau.read(path)
    with pytest.raises(mxbureau.FormatError) as got:
        _compute(mdd.read_intl13(path, blocksize="64 KiB", strict=True)["records"])
    assert got.value.source == path
    starts = [p.start for p in mxbureau.scan(path, strict=False).errors]
    assert got.value.offset == whole.value.offset or any(s <= got.value.offset < s + 20_000 for s in starts)


def test_segments_and_columns(files):
    path = files["medium"]
    frames = mdd.read_intl13(path, blocksize="64 KiB", segments="TL", columns=["balance", "mop"])
    assert set(frames) == {"records", "TL", "problems"}
    assert list(frames["TL"].columns) == ["source", "position", "balance", "mop", "mop_level"]
    got = _compute(frames)
    want = mxbureau.read(path, segments="TL", columns=["balance", "mop"])["TL"]
    assert got["TL"]["balance"].tolist() == want.column("balance").to_pylist()
