"""mxbureau.dask on one machine: a multi-file portfolio (a generated file replicated; >= 2 GB in a
full run, a few MB in smoke mode) INTL13 -> features and INTL13 -> Parquet on a LocalCluster of 1
worker and one of 2 workers (1 thread each, processes), rounds interleaved so that drift on a
shared machine hits both alike; beside them, in this process, single-process ``read()`` and
INTL13 -> features of one file and ``convert`` of one file, per byte.

Reported (extra_info, and printed with -s): MB/s of each, 2 workers / 1 worker, and the throughput
per worker over the single-process one. ``MXBUREAU_DASK_BENCH_GB`` sets the portfolio size (default
2.2), ``MXBUREAU_DASK_BENCH_ROUNDS`` the rounds (default 3). The portfolio is written under a
temporary folder on local disk and deleted after."""
import json
import os
import shutil
import tempfile

import numpy as np
import pytest
from distributed import Client, LocalCluster

import mxbureau
import mxbureau.dask as mdd
from mxbureau.bench import medians, paired, timed_rounds
from mxbureau.convert import convert
from mxbureau.intl13 import synth

AS_OF = "2026-10-31"
BLOCK = "128 MiB"


@pytest.fixture(scope="module")
def portfolio(request):
    smoke = request.config.getoption("benchmark_disable", False)
    gb = 0.004 if smoke else float(os.environ.get("MXBUREAU_DASK_BENCH_GB", "2.2"))
    d = tempfile.mkdtemp(prefix="mxbureau-dask-bench-", dir=os.environ.get("MXBUREAU_BENCH_DIR"))
    try:
        one = os.path.join(d, "month-00.intl")
        # one generated file (~2,350 bytes a record), replicated: generating 2 GB takes minutes
        per_file = 2_000_000 if smoke else 256 << 20
        synth.write_file(one, max(1, per_file // 2350), seed=7, separator="lf", jobs=os.cpu_count() or 1)
        size = os.path.getsize(one)
        copies = max(2, int(np.ceil(gb * 1e9 / size)))
        paths = [one]
        for i in range(1, copies):
            p = os.path.join(d, f"month-{i:02d}.intl")
            shutil.copyfile(one, p)
            paths.append(p)
        yield paths, smoke
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_dask_scaling(benchmark, portfolio, tmp_path):
    paths, smoke = portfolio
    total = sum(os.path.getsize(p) for p in paths)
    one = paths[0]
    one_size = os.path.getsize(one)
    rounds = 1 if smoke else int(os.environ.get("MXBUREAU_DASK_BENCH_ROUNDS", "3"))
    block = "256 KiB" if smoke else BLOCK
    out = tmp_path / "out"

    clusters = {n: LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                silence_logs=40) for n in (1, 2)}
    clients = {n: Client(c, set_as_default=False) for n, c in clusters.items()}
    try:
        def features_on(n):
            f = mdd.features(paths, AS_OF, blocksize=block)
            # computed on the workers; what comes back is each partition's row count
            rows = clients[n].compute(f.map_partitions(len)).result().sum()
            assert rows > 0

        def parquet_on(n):
            shutil.rmtree(out, ignore_errors=True)
            s = clients[n].compute(mdd.to_parquet(paths, str(out), blocksize=block, compute=False)).result()
            assert s.rows["TL"] > 0

        def single_read():
            mxbureau.read(one)

        def single_features():
            mxbureau.features(mxbureau.read(one, segments=list(mdd._ANALYTICS_SEGMENTS)), AS_OF)

        def single_convert():
            shutil.rmtree(tmp_path / "one", ignore_errors=True)
            convert([one], str(tmp_path / "one"), chunk_bytes=128 << 20)

        cases = {"features_1": lambda: features_on(1), "features_2": lambda: features_on(2),
                 "parquet_1": lambda: parquet_on(1), "parquet_2": lambda: parquet_on(2),
                 "read_single": single_read, "features_single": single_features, "convert_single": single_convert}
        for fn in ([] if smoke else cases.values()):      # warm-up: worker imports, page cache
            fn()

        raw = benchmark.pedantic(timed_rounds, args=(cases, rounds, 1), rounds=1, iterations=1)
        med = medians(raw)
    finally:
        for c in clients.values():
            c.close()
        for c in clusters.values():
            c.close()
    mbs = lambda n, t: n / t / 1e6
    info = {
        "portfolio_bytes": total, "files": len(paths), "file_bytes": one_size, "blocksize": block, "rounds": rounds,
        "features_1_worker_mb_s": mbs(total, med["features_1"]), "features_2_workers_mb_s": mbs(total, med["features_2"]),
        "parquet_1_worker_mb_s": mbs(total, med["parquet_1"]), "parquet_2_workers_mb_s": mbs(total, med["parquet_2"]),
        "read_single_process_mb_s": mbs(one_size, med["read_single"]),
        "features_single_process_mb_s": mbs(one_size, med["features_single"]),
        "convert_single_process_mb_s": mbs(one_size, med["convert_single"]),
    }
    info.update({
        "features_2_vs_1": paired(raw, "features_1", "features_2"),
        "parquet_2_vs_1": paired(raw, "parquet_1", "parquet_2"),
        "features_per_worker_vs_single_read": info["features_2_workers_mb_s"] / 2 / info["read_single_process_mb_s"],
        "features_per_worker_vs_single_features": info["features_2_workers_mb_s"] / 2 / info["features_single_process_mb_s"],
        "parquet_per_worker_vs_single_read": info["parquet_2_workers_mb_s"] / 2 / info["read_single_process_mb_s"],
        "parquet_per_worker_vs_single_convert": info["parquet_2_workers_mb_s"] / 2 / info["convert_single_process_mb_s"],
        "load_average": os.getloadavg(),
    })
    benchmark.extra_info.update(info)
    print(json.dumps(info, indent=1))
