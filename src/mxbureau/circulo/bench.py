"""The measurements behind ``mxbureau circulo bench`` (and shared with benchmarks/test_bench_circulo.py):
read and validate throughput on a generated file, beside a plain C walk over the same segments (the
limit of a scan) and pyarrow.csv reading the same CR and DE tables as CSV with one thread (the
columnar reader); peak RSS of streamed reads and validation in a child process, for two chunk sizes
(memory follows the chunk, not the file). Ratios come from one run, rounds interleaved."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from ..bench import parse_size
from . import _scan, synth
from .format import FORMAT
from .reader import read, scan
from .validate import validate

__all__ = ["run", "format_report", "parse_size", "BYTES_PER_COMPANY", "corpus", "csv_of", "read_csv", "c_walk"]

# Bytes a generated company takes with its shareholders, credits, details and guarantors (no separator).
BYTES_PER_COMPANY = {1: 3260, 2: 3250}


def corpus(path: str, size: int, fmt: int = 1, seed: int = 7, separator: str = "none") -> str:
    """A generated file of about ``size`` bytes at ``path`` (kept and reused when it exists)."""
    if not os.path.exists(path):
        tmp = path + ".tmp"
        synth.generate(tmp, max(1, size // BYTES_PER_COMPANY[fmt]), seed=seed, format=fmt, separator=separator)
        os.replace(tmp, path)
    return path


def csv_of(buf) -> List[tuple]:
    """The CR and DE tables of buf as CSV bytes (dictionaries as their values) and their column types."""
    t = read(buf, segments=["CR", "DE"])
    out = []
    for tag in ("CR", "DE"):
        tab = t[tag]
        plain = pa.Table.from_arrays([c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                                      for c in tab.columns], names=tab.column_names)
        sink = io.BytesIO()
        pcsv.write_csv(plain, sink)
        out.append((sink.getvalue(), {f.name: f.type for f in plain.schema}))
    return out


def read_csv(data: List[tuple]):
    """pyarrow.csv, one thread, column types given, over the CSV of csv_of."""
    return [pcsv.read_csv(io.BytesIO(d), read_options=pcsv.ReadOptions(use_threads=False),
                          convert_options=pcsv.ConvertOptions(column_types=types)) for d, types in data]


def c_walk(buf: np.ndarray, out: Optional[np.ndarray] = None) -> int:
    """The plain C walk over the segments, writing every field value's offset (fresh memory unless
    ``out`` is given, as the scan's token index is)."""
    if out is None:
        out = np.empty(len(buf) // 4 + 64, dtype=np.int64)
    return _scan.plain_walk(buf, out, FORMAT.scanner)


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child of the (large) bench process
# would report the parent's peak.
_CHILD = """
import sys, mxbureau
from mxbureau.circulo import read_chunks, validate
path, what, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
if what == "read":
    rows = sum(t["CR"].num_rows if "CR" in t.names else 0 for t in read_chunks(path, chunk_bytes=chunk))
else:
    rows = validate(path, chunk_bytes=chunk).num_rows
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(int(hwm) // 1024, rows)
"""


def peak_rss(path: str, what: str, chunk: int) -> float:
    """Peak RSS (MB) of a child process reading (read_chunks) or validating the file by chunks."""
    out = subprocess.run([sys.executable, "-c", _CHILD, path, what, str(chunk)], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.split()[0])


def measure(fns: Dict[str, Callable], rounds: int, repeat: int = 3) -> Dict[str, Tuple[float, float]]:
    """Interleaved rounds (each case ``repeat`` times, its fastest counts): per case the medians over
    rounds of wall seconds and of this process's CPU seconds. On a shared machine the CPU time is what
    a case costs when it has a core (the wall time also holds the waits for one); the cases here run
    in one thread."""
    wall = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            bw = bc = float("inf")
            for _ in range(repeat):
                w, c = time.perf_counter(), time.process_time()
                fn()
                bw, bc = min(bw, time.perf_counter() - w), min(bc, time.process_time() - c)
            wall[k].append(bw)
            cpu[k].append(bc)
    return {k: (float(np.median(wall[k])), float(np.median(cpu[k]))) for k in fns}


def run(size: int = 500_000_000, path: Optional[str] = None, rounds: int = 3,
        progress: Optional[Callable[[str], None]] = None, keep: Optional[str] = None) -> Dict:
    """Measure every case on the file at ``path`` (or a generated one of ``size`` bytes)."""
    say = progress or (lambda m: None)
    tmpdir = None
    if path is None:
        if keep is None:
            tmpdir = tempfile.mkdtemp(prefix="mxbureau-circulo-bench-")
            keep = os.path.join(tmpdir, "bench.circulo")
        say(f"generating ~{size / 1e6:,.0f} MB")
        path = corpus(keep, size)
    buf = np.fromfile(path, dtype=np.uint8)
    n = len(buf)
    say("preparing the CSV baseline")
    data = csv_of(buf)
    csv_bytes = sum(len(d) for d, _ in data)
    ntok = len(scan(buf))
    fast = {
        "scan": lambda: scan(buf),
        "c_walk": lambda: c_walk(buf),
        "read_cr_de": lambda: read(buf, segments=["CR", "DE"]),
        "pyarrow_csv_cr_de_one_thread": lambda: read_csv(data),
    }
    slow = {"read_all_tables": lambda: read(buf), "validate": lambda: validate(buf)}
    say("warming up")
    measure({**fast, **slow}, 1, 1)
    say(f"measuring {len(fast)} cases x {rounds} rounds")
    both = measure(fast, rounds)
    say(f"measuring read and validate x {rounds} rounds")
    both.update(measure(slow, rounds, 1))
    med = {k: v[0] for k, v in both.items()}
    cpu = {k: v[1] for k, v in both.items()}
    say("peak RSS of streamed reads and validation (child processes)")
    rss = {f"{what}_chunk_{mb}MB": peak_rss(path, what, mb << 20) for what in ("read", "validate") for mb in (16, 64)}
    sizes = {k: n for k in med}
    sizes["pyarrow_csv_cr_de_one_thread"] = csv_bytes
    results = [{"name": k, "seconds": v, "cpu_seconds": cpu[k], "bytes": sizes[k], "mb_per_s": sizes[k] / v / 1e6,
                "mb_per_cpu_s": sizes[k] / cpu[k] / 1e6} for k, v in med.items()]
    rate = {r["name"]: r["mb_per_s"] for r in results}
    crate = {r["name"]: r["mb_per_cpu_s"] for r in results}
    if tmpdir:
        os.remove(path)
        os.rmdir(tmpdir)
    return {
        "input_bytes": n, "csv_bytes": csv_bytes, "tokens": ntok, "rounds": rounds, "results": results,
        "ratios": {
            "scan_vs_c_walk": med["c_walk"] / med["scan"],
            "read_all_vs_c_walk": med["c_walk"] / med["read_all_tables"],
            "cr_de_tables_vs_pyarrow_csv_time": med["pyarrow_csv_cr_de_one_thread"] / med["read_cr_de"],
            "read_all_mb_per_s_vs_pyarrow_csv_mb_per_s": rate["read_all_tables"] / rate["pyarrow_csv_cr_de_one_thread"],
            "validate_mb_per_s": rate["validate"],
        },
        "ratios_cpu": {
            "scan_vs_c_walk": cpu["c_walk"] / cpu["scan"],
            "read_all_vs_c_walk": cpu["c_walk"] / cpu["read_all_tables"],
            "cr_de_tables_vs_pyarrow_csv_time": cpu["pyarrow_csv_cr_de_one_thread"] / cpu["read_cr_de"],
            "read_all_mb_per_s_vs_pyarrow_csv_mb_per_s": crate["read_all_tables"] / crate["pyarrow_csv_cr_de_one_thread"],
            "validate_mb_per_s": crate["validate"],
        },
        "peak_rss_mb": rss,
    }


def format_report(rep: Dict) -> str:
    lines = [f"input {rep['input_bytes']:,} bytes ({rep['tokens']:,} tokens); CR+DE as CSV {rep['csv_bytes']:,} bytes"]
    lines.append(f"  {'':32s} {'wall ms':>9s} {'MB/s':>8s}  {'CPU ms':>9s} {'MB/CPU s':>9s}")
    for r in rep["results"]:
        lines.append(f"  {r['name']:32s} {r['seconds'] * 1e3:9.1f} {r['mb_per_s']:8.0f}  {r['cpu_seconds'] * 1e3:9.1f} "
                     f"{r['mb_per_cpu_s']:9.0f}")
    lines.append(f"ratios:{'':38s} {'wall':>8s} {'CPU':>8s}")
    for k, v in rep["ratios"].items():
        lines.append(f"  {k:44s} {v:8.2f} {rep['ratios_cpu'][k]:8.2f}")
    lines.append("peak RSS (MB): " + ", ".join(f"{k} {v:,.0f}" for k, v in rep["peak_rss_mb"].items()))
    return "\n".join(lines)
