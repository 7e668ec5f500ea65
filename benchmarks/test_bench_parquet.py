"""Parquet writer settings on the corpus's tables, in one run (``mxbureau bench --parquet`` prints the
same): write time, size and read-back time of each beside convert's default, the first setting."""

from mxbureau.bench import run_parquet


def test_parquet_settings(benchmark, corpus):
    name, path, buf = corpus
    rounds = 1 if benchmark.disabled else 5
    rep = benchmark.pedantic(run_parquet, args=(path,), kwargs={"rounds": rounds}, rounds=1, iterations=1)
    by = {s["name"]: s for s in rep["settings"]}
    benchmark.extra_info.update({f"{k}_{m}": v[m] for k, v in by.items()
                                 for m in ("write_seconds", "bytes", "read_seconds")})
    # the default keeps statistics on some columns: more bytes than none, fewer than on every column
    assert by["snappy-all-statistics"]["bytes"] > by["snappy"]["bytes"] > by["snappy-no-statistics"]["bytes"]
    # what the codecs and dictionaries do to the size holds at any corpus size
    assert by["none"]["bytes"] > by["snappy"]["bytes"] > by["zstd-1"]["bytes"]
    assert by["snappy-no-dictionary"]["bytes"] > by["snappy"]["bytes"]
    assert all(s["write_seconds"] > 0 and s["read_seconds"] > 0 for s in rep["settings"])
    # gzip is the slow codec at every size (9x snappy's time at 2 MB, 23x at 50 MB)
    assert by["gzip"]["write_vs_default"] > 2
