"""Scan throughput beside its baselines, on the same bytes in one run."""
import numpy as np

import mxbureau
from mxbureau.baselines import c_walk
from mxbureau.intl13.twin import pyscan


from measure import record_throughput as _info


def test_scan_workers_1(benchmark, corpus):
    name, path, buf = corpus
    mxbureau.scan(buf)                         # warm up: the process's first large allocation is slow
    tok = benchmark.pedantic(mxbureau.scan, args=(buf,), rounds=7, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    benchmark.extra_info["tokens"] = len(tok)
    benchmark.extra_info["index_bytes_per_token"] = tok.nbytes / len(tok)
    assert tok.records["ok"].all()


def test_scan_workers_2(benchmark, corpus):
    name, path, buf = corpus
    tok = benchmark.pedantic(mxbureau.scan, args=(buf,), kwargs={"workers": 2}, rounds=7, iterations=1,
                             warmup_rounds=1)
    _info(benchmark, len(buf))
    assert tok.records["ok"].all()


def test_scan_path_mmap(benchmark, corpus):
    name, path, buf = corpus
    tok = benchmark.pedantic(mxbureau.scan, args=(path,), rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert tok.n_records > 0


def test_scan_chunks_16mb(benchmark, corpus):
    name, path, buf = corpus
    run = lambda: sum(len(t) for t in mxbureau.scan_chunks(path, chunk_bytes=16 << 20))
    n = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert n == len(mxbureau.scan(buf))


def test_c_walk(benchmark, corpus):
    """The limit: a plain C loop walking the same fields, writing their offsets."""
    name, path, buf = corpus
    expected = len(mxbureau.scan(buf))

    def run():
        out = np.empty(len(buf) // 8 + 64, dtype=np.int64)    # fresh memory, like the scanner's
        return c_walk(buf, out)

    k = benchmark.pedantic(run, rounds=7, iterations=1, warmup_rounds=1)
    _info(benchmark, len(buf))
    assert k == expected


def test_pure_python_twin(benchmark, corpus):
    """The peer: the obvious pure-Python tokenizer, on the first ~2 MB (it runs at a few MB/s)."""
    name, path, buf = corpus
    piece = bytes(buf[: min(len(buf), 2_000_000)])
    end = piece.rindex(b"**\n") + 3
    piece = piece[:end]
    out = benchmark.pedantic(pyscan, args=(piece,), rounds=2, iterations=1)
    _info(benchmark, len(piece))
    assert not out["errors"]
