"""Benchmark corpora. Full runs use a ~57 MB corpus (and a ~11 MB one); in smoke mode
(--benchmark-disable, as CI runs it) a ~1 MB one, so the harness is checked quickly."""
import os

import numpy as np
import pytest

from mxbureau.intl13 import synth

SIZES = {"small": 5000, "large": 24000}        # records; ~2,350 bytes a record


def _corpus_path(records):
    d = os.environ.get("MXBUREAU_BENCH_DIR", os.path.join(os.path.dirname(__file__), "..", ".benchmarks", "corpora"))
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, f"corpus-{records}-seed7-lf.intl")
    if not os.path.exists(p):
        tmp = p + ".tmp"
        synth.write_file(tmp, records, seed=7, separator="lf", jobs=os.cpu_count() or 1)
        os.replace(tmp, p)
    return p


def pytest_generate_tests(metafunc):
    if "corpus" in metafunc.fixturenames:
        smoke = metafunc.config.getoption("benchmark_disable", False)
        names = ["smoke"] if smoke else list(SIZES)
        metafunc.parametrize("corpus", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def corpus(request):
    """(name, path, bytes as a uint8 array)"""
    records = 400 if request.param == "smoke" else SIZES[request.param]
    p = _corpus_path(records)
    data = np.fromfile(p, dtype=np.uint8)
    return request.param, p, data


def pytest_terminal_summary(terminalreporter, config):
    """Throughput and the ratios of the issue, from this run's medians."""
    bs = getattr(config, "_benchmarksession", None)
    if bs is None or config.getoption("benchmark_disable", False):
        return
    rates = {}
    inter = [b for b in bs.benchmarks if "scan_vs_c_walk" in b.extra_info or "tl_vs_csv_typed" in b.extra_info]
    for b in bs.benchmarks:
        if b in inter:
            continue
        if not b.stats or "bytes" not in b.extra_info:
            continue
        mbs = b.extra_info["bytes"] / b.stats.median / 1e6
        rates[b.name] = mbs
    if not rates and not inter:
        return
    tr = terminalreporter
    tr.section("mxbureau throughput (median, MB/s)")
    for name, v in sorted(rates.items()):
        tr.write_line(f"{name:60s} {v:10.1f}")
    tr.section("ratios")
    for b in inter:
        e = b.extra_info
        if "tl_vs_csv_typed" in e:
            tr.write_line(f"{b.name}: TL table from INTL13 {e['tl_ms']:.0f} ms; pyarrow.csv one thread on the same TL "
                          f"content: typed {e['tl_vs_csv_typed']:.2f}x, inferred {e['tl_vs_csv_inferred']:.2f}x "
                          "(csv time / ours, interleaved medians)")
            continue
        tr.write_line(f"{b.name}: scan {e['scan_mb_per_s']:.0f} MB/s, workers=2 {e['scan_workers_2_mb_per_s']:.0f} MB/s, "
                      f"C walk {e['c_walk_mb_per_s']:.0f} MB/s -> scan/C walk {e['scan_vs_c_walk']:.2f}x, "
                      f"workers 2/1 {e['two_workers_vs_one']:.2f}x (the C walk in 2 threads: "
                      f"{e['c_walk_two_threads_vs_one']:.2f}x; interleaved medians); half the bytes in "
                      f"declarativa records: workers 2/1 {e['uneven_two_workers_vs_one']:.2f}x, with a static "
                      f"split {e['uneven_static_split_two_workers_vs_one']:.2f}x")
    for size in ("small", "large"):
        get = lambda n: rates.get(f"{n}[{size}]")
        s1, s2, c, py = get("test_scan_workers_1"), get("test_scan_workers_2"), get("test_c_walk"), get("test_pure_python_twin")
        if s1 and c:
            tr.write_line(f"[{size}] scan / plain C walk:            {s1 / c:6.2f}x")
        if s1 and py:
            tr.write_line(f"[{size}] scan / pure-Python twin:        {s1 / py:6.1f}x")
        if s1 and s2:
            tr.write_line(f"[{size}] workers=2 / workers=1:          {s2 / s1:6.2f}x")
