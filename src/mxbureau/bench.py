"""The benchmarking harness behind ``mxbureau bench`` and the baselines ``benchmarks/`` measures against:
the plain C walk (the limit), the pure-Python twin (the peer) and pyarrow.csv (the columnar reader).

Timings drift on shared machines, so every ratio comes from one run with rounds interleaved: in a
round each case runs ``repeat`` times back to back (its fastest counts), and ratios are of the medians
over rounds.
"""
from __future__ import annotations

import ctypes
import io
import os
import re
import resource
import subprocess
import sys
import sysconfig
import tempfile
import time
from importlib import resources
from typing import Callable, Dict, List, Optional

import numpy as np

__all__ = ["c_walk", "pyscan", "parse_size", "run", "interleaved"]

from .reference import pyscan  # noqa: E402  (the peer)

_LIB = None


def c_walk_lib():
    """Compile data/c_walk.c with the C compiler Python was built with, -O3 like the extension."""
    global _LIB
    if _LIB is None:
        src = str(resources.files("mxbureau") / "data" / "c_walk.c")
        cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
        out = os.path.join(tempfile.mkdtemp(prefix="mxbureau-cwalk-"), "c_walk.so")
        subprocess.run([cc, "-O3", "-shared", "-fPIC", "-o", out, src], check=True)
        lib = ctypes.CDLL(out)
        lib.c_walk.restype = ctypes.c_int64
        lib.c_walk.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
        _LIB = lib
    return _LIB


def c_walk(buf: np.ndarray, out: Optional[np.ndarray] = None) -> int:
    """Walk the fields of buf (uint8 array), writing value offsets to out (fresh int64 memory)."""
    if out is None:
        out = np.empty(len(buf) // 4 + 64, dtype=np.int64)
    return c_walk_lib().c_walk(buf.ctypes.data, len(buf), out.ctypes.data)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 50MB, 1GB)")
    return int(float(m.group(1)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)])


def interleaved(fns: Dict[str, Callable], rounds: int, repeat: int = 3) -> Dict[str, float]:
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t)
            times[k].append(best)
    return {k: float(np.median(v)) for k, v in times.items()}


def _tl_csv(buf):
    import pyarrow as pa
    import pyarrow.csv as pcsv
    from .tables import read
    tl = read(buf, segments=["TL"])["TL"]
    plain = pa.Table.from_arrays([c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                                  for c in tl.columns], names=tl.column_names)
    sink = io.BytesIO()
    pcsv.write_csv(plain, sink)
    data = sink.getvalue()
    types = {f.name: f.type for f in plain.schema}
    return data, lambda: pcsv.read_csv(io.BytesIO(data), read_options=pcsv.ReadOptions(use_threads=False),
                                       convert_options=pcsv.ConvertOptions(column_types=types))


def run(path: str, workers: int = 2, rounds: int = 5, progress: Optional[Callable[[str], None]] = None) -> Dict:
    """Measure every case on the file at ``path``; returns the report (see ``mxbureau bench --json``)."""
    from .scanner import scan
    from .tables import read
    say = progress or (lambda msg: None)
    buf = np.fromfile(path, dtype=np.uint8)
    n = len(buf)
    tok = scan(buf)
    ntok = len(tok)
    del tok
    end = bytes(buf[: min(n, 2_000_000)]).rfind(b"**")
    piece = bytes(buf[: end + 2]) if end > 0 else bytes(buf[:0])
    say("preparing the CSV baseline")
    csv_bytes, csv_read = _tl_csv(buf)
    out_dir = tempfile.mkdtemp(prefix="mxbureau-bench-")

    def convert():
        from .cli import main
        with open(os.devnull, "w") as devnull:
            old, sys.stdout = sys.stdout, devnull
            try:
                main(["convert", path, "-o", out_dir])
            finally:
                sys.stdout = old

    cases = {
        "scan": lambda: scan(buf),
        f"scan_workers_{workers}": lambda: scan(buf, workers=workers),
        "scan_path_mmap": lambda: scan(path),
        "c_walk": lambda: c_walk(buf),
        "read_all_tables": lambda: read(buf),
        "read_tl": lambda: read(buf, segments=["TL"]),
        "pyarrow_csv_tl_one_thread": csv_read,
    }
    say("warming up")
    interleaved(cases, 1, 1)
    say(f"measuring {len(cases)} cases x {rounds} rounds")
    med = interleaved(cases, rounds)
    say("the pure-Python twin (on the first 2 MB)")
    t = time.perf_counter()
    pyscan(piece)
    twin = time.perf_counter() - t
    say("convert to Parquet")
    conv = interleaved({"convert": convert}, 1, 1)["convert"]
    sizes = {k: n for k in med}
    sizes["pyarrow_csv_tl_one_thread"] = len(csv_bytes)
    results = [{"name": k, "seconds": v, "bytes": sizes[k], "mb_per_s": sizes[k] / v / 1e6,
                **({"tokens_per_s": ntok / v} if k.startswith("scan") or k == "c_walk" else {})}
               for k, v in med.items()]
    results.append({"name": "pure_python_twin", "seconds": twin, "bytes": len(piece),
                    "mb_per_s": len(piece) / twin / 1e6 if twin else 0.0})
    results.append({"name": "convert_parquet", "seconds": conv, "bytes": n, "mb_per_s": n / conv / 1e6})
    rate = {r["name"]: r["mb_per_s"] for r in results}
    return {
        "input_bytes": n, "tokens": ntok, "workers": workers, "rounds": rounds,
        "results": results,
        "ratios": {
            "scan_vs_pure_python": rate["scan"] / rate["pure_python_twin"] if rate["pure_python_twin"] else None,
            "scan_vs_c_walk": med["c_walk"] / med["scan"],
            f"workers_{workers}_vs_one" if workers != 2 else "two_workers_vs_one": med["scan"] / med[f"scan_workers_{workers}"],
            "tl_table_vs_pyarrow_csv": med["pyarrow_csv_tl_one_thread"] / med["read_tl"],
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
