"""Círculo load files: read (all tables; the CR and DE tables) and validate, beside the plain C walk
over the same segments and pyarrow.csv (one thread, types given) reading the same CR and DE tables
as CSV. Full runs use a ~100 MB generated file; smoke mode (--benchmark-disable) ~1 MB. The >= 500 MB
figures of the README come from `mxbureau circulo bench --size 500MB`."""
import os

import numpy as np
import pytest

from measure import record_throughput as _info
from mxbureau import circulo
from mxbureau.bench import interleaved, paired, timed_rounds
from mxbureau.circulo import bench as cbench


@pytest.fixture(scope="module")
def circulo_corpus(request):
    """(path, bytes as a uint8 array)"""
    smoke = request.config.getoption("benchmark_disable", False)
    size = 1_000_000 if smoke else 100_000_000
    d = os.environ.get("MXBUREAU_BENCH_DIR", os.path.join(os.path.dirname(__file__), "..", ".benchmarks", "corpora"))
    os.makedirs(d, exist_ok=True)
    p = cbench.corpus(os.path.join(d, f"circulo-{size}-seed7.txt"), size)
    return p, np.fromfile(p, dtype=np.uint8)


@pytest.fixture(scope="module")
def cr_de_csv(circulo_corpus):
    return cbench.csv_of(circulo_corpus[1])


def test_circulo_scan(benchmark, circulo_corpus):
    _, buf = circulo_corpus
    tok = benchmark.pedantic(circulo.scan, args=(buf,), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert tok.n_records > 2


def test_circulo_c_walk(benchmark, circulo_corpus):
    _, buf = circulo_corpus
    got = benchmark.pedantic(cbench.c_walk, args=(buf,), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert got > 0


def test_circulo_read_all_tables(benchmark, circulo_corpus):
    _, buf = circulo_corpus
    t = benchmark.pedantic(circulo.read, args=(buf,), rounds=3, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert t["CR"].num_rows > 0


def test_circulo_read_cr_de(benchmark, circulo_corpus):
    _, buf = circulo_corpus
    t = benchmark.pedantic(circulo.read, args=(buf,), kwargs={"segments": ["CR", "DE"]}, rounds=5, iterations=1,
                           warmup_rounds=1)
    _info(benchmark, len(buf))
    assert t.names == ["CR", "DE", "segments"]


def test_pyarrow_csv_cr_de_one_thread(benchmark, cr_de_csv):
    t = benchmark.pedantic(cbench.read_csv, args=(cr_de_csv,), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, sum(len(d) for d, _ in cr_de_csv))
    assert t[0].num_rows > 0


def test_circulo_validate(benchmark, circulo_corpus):
    path, buf = circulo_corpus
    f = benchmark.pedantic(circulo.validate, args=(buf,), rounds=3, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert f.num_rows == 0


def test_circulo_ratios_interleaved(benchmark, circulo_corpus, cr_de_csv):
    """The issue's ratios in one run: CR+DE tables vs pyarrow.csv on the same content (time), read and
    scan vs the plain C walk; rounds alternate."""
    _, buf = circulo_corpus
    fns = {"read_cr_de": lambda: circulo.read(buf, segments=["CR", "DE"]), "csv": lambda: cbench.read_csv(cr_de_csv),
           "scan": lambda: circulo.scan(buf), "c_walk": lambda: cbench.c_walk(buf), "read_all": lambda: circulo.read(buf)}
    interleaved(fns, 1, 1)
    raw = benchmark.pedantic(timed_rounds, args=(fns, 2 if benchmark.disabled else 5), rounds=1, iterations=1)
    # (keys of their own: benchmarks/conftest.py prints INTL13's "scan_vs_c_walk" in its own format)
    benchmark.extra_info.update({"bytes": len(buf), "csv_bytes": sum(len(d) for d, _ in cr_de_csv),
                                 "circulo_cr_de_vs_pyarrow_csv": paired(raw, "csv", "read_cr_de"),
                                 "circulo_scan_vs_plain_c_walk": paired(raw, "c_walk", "scan"),
                                 "circulo_read_all_vs_plain_c_walk": paired(raw, "c_walk", "read_all")})
