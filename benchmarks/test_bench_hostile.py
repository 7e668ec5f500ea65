"""Hostile input (issue #18): lenient time per byte on the pathological inputs against valid input of
the same size, at 1, 10 and 100 MB (1 MB in smoke mode), interleaved; and peak RSS of ``mxbureau
convert`` on the dense pattern and on a generated GB file, each in a subprocess.

    pytest benchmarks/test_bench_hostile.py -s          # prints a table; ratios in extra_info
"""
import os
import subprocess
import sys

import numpy as np

import mxbureau
from mxbureau.bench import interleaved
from mxbureau.intl13 import _scan

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "intl13"))
import test_linear as patterns  # noqa: E402  (the pathological inputs, built where they are tested)

DENSE_RECORD = patterns.HDR + b"PN00" * 249_980
DENSE_RECORD += b"ES06%06d0002**" % (len(DENSE_RECORD) + 16)


def _valid(size: int, corpus) -> np.ndarray:
    buf = corpus[2]
    reps = size // len(buf) + 1
    return np.tile(buf, reps)[:size].copy() if reps > 1 else buf[:size].copy()


def test_lenient_time_per_byte_vs_valid(benchmark, corpus):
    sizes = [1_000_000] if benchmark.disabled else [1_000_000, 10_000_000, 100_000_000]
    rows = {}
    for size in sizes:
        bufs = {"valid": _valid(size, corpus)}
        bufs.update({name: np.frombuffer(make(size), np.uint8) for name, make in patterns.PATTERNS.items()})
        fns = {}
        for name, b in bufs.items():
            # mxbureau.scan: what users run; _scan.scan_range: the compiled scan alone (the spans
            # pattern has a damaged span every 103 bytes: ~1 M Problem objects at 100 MB)
            fns["scan " + name] = (lambda b: lambda: mxbureau.scan(b, strict=False))(b)
            fns["core " + name] = (lambda b: lambda: _scan.scan_range(b, 0, len(b), False))(b)
        med = interleaved(fns, 1 if benchmark.disabled else 3, repeat=2)
        rows[size] = {k: v / size * 1e9 for k, v in med.items()}          # ns a byte
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    for size, r in rows.items():
        mb = size // 1_000_000
        for k, v in r.items():
            benchmark.extra_info[f"{k.replace(' ', '_')}_{mb}MB_ns_per_byte"] = round(v, 2)
        for how in ("scan", "core"):
            base = r[how + " valid"]
            print(f"\n{mb:>4} MB lenient {how} ns/byte: "
                  + ", ".join(f"{k.split()[1]} {v:.2f}" for k, v in r.items() if k.startswith(how))
                  + " | vs valid: " + ", ".join(f"{k.split()[1]} {v / base:.1f}x" for k, v in r.items()
                                                if k.startswith(how) and not k.endswith("valid")))
    # a small constant of valid input's time, and not growing with the size (35 s for 10 MB before)
    for size, r in rows.items():
        for k, v in r.items():
            if k.startswith("core") or k != "scan spans":
                assert v < 40 * r[k.split()[0] + " valid"] + 50, (size, k, v)


def _convert_peak_mb(path, out) -> float:
    # VmHWM: a child's ru_maxrss carries the parent's RSS at fork over exec
    code = ("import sys; from mxbureau.cli import main; main(['convert', sys.argv[1], '-o', sys.argv[2]]);"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    r = subprocess.run([sys.executable, "-c", code, str(path), str(out)], capture_output=True, text=True, check=True)
    return int(r.stdout.split()[-1]) / 1024


def test_convert_peak_rss(benchmark, corpus, tmp_path):
    if benchmark.disabled:
        benchmark.pedantic(lambda: None, rounds=1, iterations=1)
        return
    dense = tmp_path / "dense.intl"
    dense.write_bytes(DENSE_RECORD * 100)                                  # 100 MB
    big = tmp_path / "big.intl"
    with open(big, "wb") as f:                                            # ~1.1 GB of the generated corpus
        data = corpus[2].tobytes()
        for _ in range((1_100_000_000 // len(data)) + 1):
            f.write(data)
    peaks = {}
    benchmark.pedantic(lambda: peaks.update(dense=_convert_peak_mb(dense, tmp_path / "o1"),
                                            big=_convert_peak_mb(big, tmp_path / "o2")), rounds=1, iterations=1)
    benchmark.extra_info.update({f"convert_peak_rss_mb_{k}": round(v) for k, v in peaks.items()})
    benchmark.extra_info["big_bytes"] = os.path.getsize(big)
    print(f"\nconvert peak RSS: 100 MB dense pattern {peaks['dense']:.0f} MB, "
          f"{os.path.getsize(big) / 1e9:.2f} GB generated {peaks['big']:.0f} MB")
    assert peaks["dense"] < 1024 and peaks["big"] < 1024
