"""Typed tables beside pyarrow.csv (one thread) reading the same TL content as CSV, in one run."""
import io

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

import mxbureau
from mxbureau.bench import interleaved, medians, paired, timed_rounds
from mxbureau.convert import convert
from measure import record_throughput as _info


@pytest.fixture(scope="module")
def tl_csv(corpus):
    """The TL table of the corpus as CSV bytes, and the column types it has."""
    name, path, buf = corpus
    tl = mxbureau.read(buf, segments=["TL"])["TL"]
    plain = pa.Table.from_arrays([c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                                  for c in tl.columns], names=tl.column_names)
    sink = io.BytesIO()
    pcsv.write_csv(plain, sink)
    return sink.getvalue(), {f.name: f.type for f in plain.schema}, tl.num_rows


def _csv(data, types=None):
    conv = pcsv.ConvertOptions(column_types=types) if types else None
    return pcsv.read_csv(io.BytesIO(data), read_options=pcsv.ReadOptions(use_threads=False), convert_options=conv)


def test_read_all_tables(benchmark, corpus):
    name, path, buf = corpus
    t = benchmark.pedantic(mxbureau.read, args=(buf,), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert t["TL"].num_rows > 0


def test_read_tl_table(benchmark, corpus):
    name, path, buf = corpus
    t = benchmark.pedantic(mxbureau.read, args=(buf,), kwargs={"segments": ["TL"]}, rounds=5, iterations=1,
                           warmup_rounds=1)
    _info(benchmark, len(buf))
    assert t.names == ["TL"]


def test_pyarrow_csv_tl_one_thread(benchmark, corpus, tl_csv):
    data, types, rows = tl_csv
    t = benchmark.pedantic(_csv, args=(data, types), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(data))
    assert t.num_rows == rows


def test_convert_parquet(benchmark, corpus, tmp_path):
    name, path, buf = corpus
    summary = benchmark.pedantic(convert, args=([path], str(tmp_path / "out")), kwargs={"overwrite": True},
                                 rounds=2, iterations=1)
    _info(benchmark, len(buf))
    assert summary.bytes == len(buf) and summary.rows["TL"] > 0


def test_tl_vs_csv_interleaved(benchmark, corpus, tl_csv):
    """The issue's ratio: the typed TL table straight from INTL13 bytes vs pyarrow.csv (one thread)
    reading the same TL content, typed (column types given) and inferred; rounds alternate."""
    name, path, buf = corpus
    data, types, rows = tl_csv
    fns = {"tl_from_intl13": lambda: mxbureau.read(buf, segments=["TL"]),
           "csv_typed": lambda: _csv(data, types), "csv_inferred": lambda: _csv(data)}

    interleaved(fns, 1, 1)
    raw = benchmark.pedantic(timed_rounds, args=(fns, 3 if benchmark.disabled else 7), rounds=1, iterations=1)
    med = medians(raw)
    benchmark.extra_info.update({"bytes": len(buf), "csv_bytes": len(data),
                                 "tl_vs_csv_typed": paired(raw, "csv_typed", "tl_from_intl13"),
                                 "tl_vs_csv_inferred": paired(raw, "csv_inferred", "tl_from_intl13"),
                                 "tl_ms": med["tl_from_intl13"] * 1e3, "csv_typed_ms": med["csv_typed"] * 1e3})
