"""Threads for the compiled work (which releases the GIL): one shared pool, calls run at once, calls
shared out by weight."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List

__all__ = ["in_threads", "shared_out"]

_POOL = None


def _pool(workers: int) -> ThreadPoolExecutor:
    """One executor for the process, grown on demand: creating threads per call cost ~5% of a
    2-worker scan of the 57 MB corpus."""
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mxbureau")
    return _POOL


def in_threads(calls: List[Callable[[], object]]) -> list:
    """Run the calls at once, all but the last on the shared pool and the last in this thread (the
    GIL is released by the compiled work they do); their results in order."""
    futures = [_pool(len(calls) - 1).submit(c) for c in calls[:-1]] if len(calls) > 1 else []
    last = calls[-1]()
    return [f.result() for f in futures] + [last]


def shared_out(calls: List[Callable[[], object]], weights: List[float], workers: int) -> list:
    """Run the calls in at most ``workers`` threads, shared out by weight (largest first, each to the
    least loaded thread); their results in the calls' order."""
    if workers <= 1 or len(calls) <= 1:
        return [c() for c in calls]
    bins = [[] for _ in range(min(workers, len(calls)))]
    load = [0.0] * len(bins)
    for i in sorted(range(len(calls)), key=lambda i: -weights[i]):
        j = load.index(min(load))
        bins[j].append(i)
        load[j] += weights[i]
    out = [None] * len(calls)

    def run(b):
        for i in b:
            out[i] = calls[i]()
    in_threads([lambda b=b: run(b) for b in bins])
    return out
