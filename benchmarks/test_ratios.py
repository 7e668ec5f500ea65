"""The issue's ratios, measured interleaved: rounds of scan, workers=2 and the C walk alternate on
the same bytes, so drift on a shared machine hits all of them alike. In a round each runs 3 times
back to back and its fastest counts (a bulk job repeats the same call; alternating single calls
defeats the token buffer pool); speeds are of the medians over rounds, a ratio the median of its
two cases' quotients round by round (bench.paired)."""

import numpy as np

import mxbureau
from mxbureau.baselines import c_walk, c_walk_threads
from mxbureau.bench import interleaved, medians, paired, static_split, timed_rounds, uneven


def test_scan_ratios_interleaved(benchmark, corpus):
    name, path, buf = corpus
    n = len(buf)
    fns = {"scan": lambda: mxbureau.scan(buf),
           "scan_workers_2": lambda: mxbureau.scan(buf, workers=2),
           "c_walk": lambda: c_walk(buf, np.empty(n // 8 + 64, dtype=np.int64)),
           "c_walk_threads_2": lambda: c_walk_threads(buf, 2)}
    odd = uneven(buf)                  # half the bytes in records that scan much faster than the rest
    fns.update({"uneven": lambda: mxbureau.scan(odd),
                "uneven_workers_2": lambda: mxbureau.scan(odd, workers=2),
                "uneven_workers_2_static": static_split(lambda: mxbureau.scan(odd, workers=2))})
    interleaved(fns, 2)                                   # warm-up (first huge pages of the process)
    rounds = 3 if benchmark.disabled else 11
    raw = benchmark.pedantic(timed_rounds, args=(fns, rounds), rounds=1, iterations=1)
    med = medians(raw)
    benchmark.extra_info.update({
        "bytes": n,
        "scan_mb_per_s": n / med["scan"] / 1e6,
        "scan_workers_2_mb_per_s": n / med["scan_workers_2"] / 1e6,
        "c_walk_mb_per_s": n / med["c_walk"] / 1e6,
        "scan_vs_c_walk": paired(raw, "c_walk", "scan"),
        "two_workers_vs_one": paired(raw, "scan", "scan_workers_2"),
        "c_walk_two_threads_vs_one": paired(raw, "c_walk", "c_walk_threads_2"),
        "uneven_two_workers_vs_one": paired(raw, "uneven", "uneven_workers_2"),
        "uneven_static_split_two_workers_vs_one": paired(raw, "uneven", "uneven_workers_2_static"),
    })
