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
from typing import Callable, Dict, Optional

import numpy as np

__all__ = ["c_walk", "c_walk_threads", "pyscan", "parse_size", "run", "interleaved", "uneven", "static_split"]

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


def c_walk_threads(buf: np.ndarray, workers: int) -> int:
    """The C walk over the scanner's record-aligned ranges, one thread each (ctypes releases the GIL):
    what a parallel pass over these bytes can gain on this machine, the bound for scan(workers=)."""
    from .scanner import _bounds, in_threads
    c_walk_lib()                                  # compiled once, before any thread needs it
    b = _bounds(buf, 0, len(buf), workers)
    return sum(in_threads([lambda i=i: c_walk(buf[b[i]:b[i + 1]]) for i in range(len(b) - 1)]))


def uneven(buf: np.ndarray) -> np.ndarray:
    """Content that splits badly by bytes: records carrying 12,000-byte declarativas (the scanner
    steps over each in a few jumps) for as many bytes as the first half of buf, then that half.
    Two byte-equal ranges then take very different times: what work stealing is for."""
    from .writer import record_bytes
    half = bytes(buf[: len(buf) // 2])
    end = half.rfind(b"**")
    half = half[: end + 2] + b"\n" if end >= 0 else b""
    light = record_bytes({"kind": "hit", "reference": "BENCH", "member_code": "BC00000001", "control_number": "1",
                          "segments": [("PN", {"paternal_surname": "A"}),
                                       ("CR", {"declarativa": "D" * 12000})]}) + b"\n"
    return np.frombuffer(light * (len(half) // len(light)) + half, dtype=np.uint8)


def static_split(fn: Callable) -> Callable:
    """fn with work stealing off: each worker scans only its own byte range (the comparison)."""
    from . import scanner

    def run():
        old, scanner.MIN_STEAL_BYTES = scanner.MIN_STEAL_BYTES, 1 << 62
        try:
            return fn()
        finally:
            scanner.MIN_STEAL_BYTES = old
    return run


# --- the straightforward pure-Python loop analytics are measured against (also the tests' oracle) ---

_LATE72 = ("05", "06", "07", "96", "97", "99")


def python_account_metrics(tl_rows, as_of) -> list:
    """Per-account metrics by a plain loop over each history string (rows: TL table as dicts)."""
    import datetime as _dt
    as_of = _dt.date.fromisoformat(str(as_of)[:10])
    out = []
    for row in tl_rows:
        hist, latest = row["payment_history"], row["history_latest_on"]
        levels = {}
        if hist is not None and latest is not None:
            shift = (as_of.year * 12 + as_of.month) - (latest.year * 12 + latest.month)
            for k, ch in enumerate(hist):
                col = shift + k
                if 0 <= col < 24:
                    levels[col] = ({"9": 9}.get(ch, int(ch) if ch in "1234567" else None), ch)
        lvl = lambda c: levels.get(c, (None, None))[0]
        worst = lambda w: max((lvl(c) for c in range(w) if lvl(c)), default=None)
        util = None
        if row["account_type"] == "R" and row["credit_limit"] and row["balance"] is not None:
            util = row["balance"] / row["credit_limit"]
        out.append({
            "record": row["record"], "worst_mop_3m": worst(3), "worst_mop_6m": worst(6),
            "worst_mop_12m": worst(12), "worst_mop_24m": worst(24),
            "months_since_delinquency": next((c for c in range(24) if (lvl(c) or 0) >= 2), None),
            "delinquent_months_24m": sum(1 for c in range(24) if (lvl(c) or 0) >= 2),
            "current_streak_months": next((c for c in range(24) if lvl(c) != 1), 24),
            "unreported_months_24m": sum(1 for c in range(24) if levels.get(c, (0, ""))[1] == "-"),
            "ever_90_plus": any((lvl(c) or 0) >= 5 for c in range(24)) or row["worst_mop"] in _LATE72,
            "utilization": util, "is_open": row["closed_on"] is None, "balance": row["balance"],
            "account_type": row["account_type"]})
    return out


def python_features(metrics: list, iq_rows, as_of) -> dict:
    """Per-customer aggregation of python_account_metrics plus inquiries, by a plain loop."""
    import datetime as _dt
    as_of = _dt.date.fromisoformat(str(as_of)[:10])
    out = {}
    for m in metrics:
        f = out.setdefault(m["record"], {"accounts_open": 0, "accounts_closed": 0, "total_balance": None,
                                          "worst_mop_12m": None, "months_since_delinquency": None,
                                          "accounts_ever_90_plus": 0, "inquiries_6m": 0})
        f["accounts_open" if m["is_open"] else "accounts_closed"] += 1
        if m["balance"] is not None:
            f["total_balance"] = (f["total_balance"] or 0) + m["balance"]
        if m["worst_mop_12m"] is not None:
            f["worst_mop_12m"] = max(f["worst_mop_12m"] or 0, m["worst_mop_12m"])
        if m["months_since_delinquency"] is not None:
            f["months_since_delinquency"] = min(m["months_since_delinquency"], f["months_since_delinquency"]
                                                if f["months_since_delinquency"] is not None else 99)
        f["accounts_ever_90_plus"] += m["ever_90_plus"]
    for q in iq_rows:
        d = q["inquired_on"]
        back = (as_of.year * 12 + as_of.month) - (d.year * 12 + d.month) if d else -1
        if 0 <= back < 6 and q["record"] in out:
            out[q["record"]]["inquiries_6m"] += 1
    return out


def replicate(tables, times: int):
    """The tables repeated ``times`` (record indices shifted): a large portfolio for analytics."""
    import pyarrow as pa
    from .tables import Tables
    nrec = tables.records.num_rows

    def rep(t):
        parts = []
        for k in range(times):
            rec = pa.compute.add(t.column("record"), k * nrec)
            parts.append(t.set_column(t.schema.get_field_index("record"), t.schema.field("record"), rec))
        return pa.concat_tables(parts)
    return Tables({n: rep(tables[n]) for n in tables.names}, rep(tables.records), tables.problems)


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


def run(path: str, workers: int = 2, rounds: int = 5, progress: Optional[Callable[[str], None]] = None,
        accounts: int = 1_000_000) -> Dict:
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
    odd = uneven(buf)
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
        f"c_walk_threads_{workers}": lambda: c_walk_threads(buf, workers),
        "read_all_tables": lambda: read(buf),
        f"read_all_tables_workers_{workers}": lambda: read(buf, workers=workers),
        "read_tl": lambda: read(buf, segments=["TL"]),
        "pyarrow_csv_tl_one_thread": csv_read,
        "scan_uneven": lambda: scan(odd),
        f"scan_uneven_workers_{workers}": lambda: scan(odd, workers=workers),
        f"scan_uneven_workers_{workers}_static_split": static_split(lambda: scan(odd, workers=workers)),
    }
    say("warming up")
    interleaved(cases, 1, 1)
    say(f"measuring {len(cases)} cases x {rounds} rounds")
    med = interleaved(cases, rounds)
    say("analytics (account metrics + features) and their pure-Python loop")
    from .history import account_metrics
    from .portfolio import features
    tables = read(buf)
    as_of = "2026-10-31"
    times = max(1, -(-accounts // max(tables["TL"].num_rows, 1))) if "TL" in tables.names else 1
    big = replicate(tables, times)
    naccounts = big["TL"].num_rows if "TL" in big.names else 0
    both = lambda: features(big, as_of, metrics=account_metrics(big, as_of))
    both()                                   # warm, as every other case is (first-call page faults)
    ana = interleaved({"analytics": both}, max(1, rounds // 2), 1)["analytics"]
    sample = big["TL"].slice(0, min(naccounts, 50_000, accounts)).to_pylist() if naccounts else []
    iq = big["IQ"].slice(0, 0).to_pylist() if "IQ" in big.names else []
    t = time.perf_counter()
    python_features(python_account_metrics(sample, as_of), iq, as_of)
    py_rate = len(sample) / (time.perf_counter() - t) if sample else 0.0
    e2e = interleaved({"e2e": lambda: features(read(buf), as_of)}, 1, 1)["e2e"]
    say("the pure-Python twin (on the first 2 MB)")
    t = time.perf_counter()
    pyscan(piece)
    twin = time.perf_counter() - t
    say("convert to Parquet")
    conv = interleaved({"convert": convert}, 1, 1)["convert"]
    sizes = {k: n for k in med}
    sizes["pyarrow_csv_tl_one_thread"] = len(csv_bytes)
    sizes.update({k: len(odd) for k in med if k.startswith("scan_uneven")})
    results = [{"name": k, "seconds": v, "bytes": sizes[k], "mb_per_s": sizes[k] / v / 1e6,
                **({"tokens_per_s": ntok / v} if k.startswith(("scan", "c_walk")) and "uneven" not in k else {})}
               for k, v in med.items()]
    results.append({"name": "pure_python_twin", "seconds": twin, "bytes": len(piece),
                    "mb_per_s": len(piece) / twin / 1e6 if twin else 0.0})
    results.append({"name": "convert_parquet", "seconds": conv, "bytes": n, "mb_per_s": n / conv / 1e6})
    results.append({"name": "analytics_accounts", "seconds": ana, "accounts": naccounts,
                    "accounts_per_s": naccounts / ana, "mb_per_s": n * times / ana / 1e6})
    results.append({"name": "python_loop_analytics", "accounts": len(sample), "accounts_per_s": py_rate,
                    "seconds": len(sample) / py_rate if py_rate else 0.0})
    results.append({"name": "intl13_to_features", "seconds": e2e, "bytes": n, "mb_per_s": n / e2e / 1e6})
    rate = {r["name"]: r["mb_per_s"] for r in results if "mb_per_s" in r}
    return {
        "input_bytes": n, "tokens": ntok, "workers": workers, "rounds": rounds,
        "results": results,
        "ratios": {
            "scan_vs_pure_python": rate["scan"] / rate["pure_python_twin"] if rate["pure_python_twin"] else None,
            "scan_vs_c_walk": med["c_walk"] / med["scan"],
            f"workers_{workers}_vs_one" if workers != 2 else "two_workers_vs_one": med["scan"] / med[f"scan_workers_{workers}"],
            f"c_walk_{workers}_threads_vs_one": med["c_walk"] / med[f"c_walk_threads_{workers}"],
            f"uneven_workers_{workers}_vs_one": med["scan_uneven"] / med[f"scan_uneven_workers_{workers}"],
            f"uneven_workers_{workers}_vs_one_static_split":
                med["scan_uneven"] / med[f"scan_uneven_workers_{workers}_static_split"],
            f"read_workers_{workers}_vs_one": med["read_all_tables"] / med[f"read_all_tables_workers_{workers}"],
            "tl_table_vs_pyarrow_csv": med["pyarrow_csv_tl_one_thread"] / med["read_tl"],
            "analytics_vs_python_loop": (naccounts / ana) / py_rate if py_rate else None,
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
