"""What the benchmark suites record beside pytest-benchmark's timings."""


def record_throughput(benchmark, nbytes: int) -> None:
    """bytes and MB/s (from the median) into the benchmark's extra_info."""
    benchmark.extra_info["bytes"] = int(nbytes)
    stats = getattr(benchmark, "stats", None)
    if stats is not None and getattr(stats, "stats", None) is not None:
        benchmark.extra_info["mb_per_s"] = nbytes / stats.stats.median / 1e6
