"""The benchmarking harness behind ``mxbureau bench`` (and helpers ``benchmarks/`` shares): every case
timed beside its baselines -- the plain C walk (the limit, ``baselines.py``), the pure-Python twin
(the peer) and pyarrow.csv (the columnar reader) -- and the inputs they need (uneven content, a
replicated portfolio).

Timings drift on shared machines, so every ratio comes from one run with rounds interleaved: in a
round each case runs ``repeat`` times back to back (its fastest counts); a case's figure is its median
over rounds, and a ratio is the median of the two cases' quotients round by round (``paired``).
"""
from __future__ import annotations

import io
import os
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from . import scanner
from .analytics.features import features
from .analytics.history import account_metrics
from .baselines import c_walk, c_walk_threads, python_account_metrics, python_features
from .convert import convert, parquet_options, writer_options
from .errors import UsageError
from .intl13.twin import pyscan
from .intl13.report import reports
from .intl13.writer import record_bytes
from .scanner import scan
from .tables import Tables, read

__all__ = ["parse_size", "run", "run_scaling", "run_parquet", "PARQUET_SETTINGS", "replicate_file", "interleaved", "timed_rounds", "medians", "paired", "uneven", "static_split", "replicate"]

def uneven(buf: np.ndarray) -> np.ndarray:
    """Content that splits badly by bytes: records carrying 12,000-byte declarativas (the scanner
    steps over each in a few jumps) for as many bytes as the first half of buf, then that half.
    Two byte-equal ranges then take very different times: what work stealing is for."""
    half = bytes(buf[: len(buf) // 2])
    end = half.rfind(b"**")
    half = half[: end + 2] + b"\n" if end >= 0 else b""
    light = record_bytes({"kind": "hit", "reference": "BENCH", "member_code": "BC00000001", "control_number": "1",
                          "segments": [("PN", {"paternal_surname": "A"}),
                                       ("CR", {"declarativa": "D" * 12000})]}) + b"\n"
    return np.frombuffer(light * (len(half) // len(light)) + half, dtype=np.uint8)


def static_split(fn: Callable) -> Callable:
    """fn with work stealing off: each worker scans only its own byte range (the comparison)."""

    def run():
        old, scanner.MIN_STEAL_BYTES = scanner.MIN_STEAL_BYTES, 1 << 62
        try:
            return fn()
        finally:
            scanner.MIN_STEAL_BYTES = old
    return run


def replicate(tables, times: int):
    """The tables repeated ``times`` (record indices shifted): a large portfolio for analytics."""
    nrec = tables.records.num_rows

    def rep(t):
        parts = []
        for k in range(times):
            rec = pc.add(t.column("record"), k * nrec)
            parts.append(t.set_column(t.schema.get_field_index("record"), t.schema.field("record"), rec))
        return pa.concat_tables(parts)
    return Tables({n: rep(tables[n]) for n in tables.names}, rep(tables.records), tables.problems)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", text.upper())
    if not m:
        raise UsageError(f"not a size: {text!r} (e.g. 50MB, 1GB)")
    return int(float(m.group(1)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)])


def timed_rounds(fns: Dict[str, Callable], rounds: int, repeat: int = 3) -> Dict[str, List[float]]:
    """Per case, its time in each round: the fastest of ``repeat`` runs back to back, the cases run
    one after another in every round."""
    times: Dict[str, List[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t)
            times[k].append(best)
    return times


def medians(times: Dict[str, List[float]]) -> Dict[str, float]:
    return {k: float(np.median(v)) for k, v in times.items()}


def interleaved(fns: Dict[str, Callable], rounds: int, repeat: int = 3) -> Dict[str, float]:
    """Per case, the median of its times over interleaved rounds (timed_rounds)."""
    return medians(timed_rounds(fns, rounds, repeat))


def paired(times: Dict[str, List[float]], a: str, b: str) -> float:
    """a's time over b's, round by round, and the median of those: the two cases of a round run
    seconds apart, so a drift of the machine's speed between rounds cancels out of each round's
    quotient, where the quotient of two medians may take them from different rounds. Four runs of
    ``mxbureau bench --size 50MB`` on one machine (2026-12-04), each statistic from the same rounds:
    one record's read() against the twin 1.46-2.20x as the quotient of medians (a run where the machine
    slowed between rounds), 2.11-2.19x paired; reports() 7.3-11.4x against 10.3-11.4x; the TL table
    against pyarrow.csv spread 8.3% against 5.5%; the other ratios within the runs' noise either way."""
    return float(np.median(np.asarray(times[a]) / np.asarray(times[b])))


def _one_record(piece: bytes) -> bytes:
    """A hit record of 3-4 KB from the corpus (the issue's "one 3.8 KB record")."""
    tok = scan(piece)
    r = tok.records
    sizes = r["end"] - r["start"]
    hits = np.flatnonzero((r["kind"] == "hit") & (sizes >= 3000) & (sizes <= 4000))
    i = int(hits[0]) if len(hits) else int(np.argmax(sizes))
    return piece[int(r["start"][i]):int(r["end"][i])]


def _tl_csv(buf):
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
    say = progress or (lambda msg: None)
    buf = np.fromfile(path, dtype=np.uint8)
    n = len(buf)
    end = bytes(buf[: min(n, 2_000_000)]).rfind(b"**")
    piece = bytes(buf[: end + 2]) if end > 0 else bytes(buf[:0])
    # One record first, before any bulk case leaves its garbage behind: measured in this order
    # (2026-12-03), read() of it took 255 us at the start, 264 once the pure-Python loop's 50,000 TL
    # rows were held as dicts (the cyclic GC walks them), 275 after convert (glibc's heap after large
    # frees), against the twin's 531-541 throughout -- the bench's own state, not read()'s cost.
    say("one record: read(), reports() and the twin's tokenizing of it")
    one = _one_record(piece)
    lat_rounds = timed_rounds({"read_one": lambda: read(one), "reports_one": lambda: list(reports(one)),
                               "twin_one": lambda: pyscan(one), "scan_one": lambda: scan(one)}, rounds, 20)
    lat = medians(lat_rounds)
    tok = scan(buf)
    ntok = len(tok)
    del tok
    say("preparing the CSV baseline")
    csv_bytes, csv_read = _tl_csv(buf)
    odd = uneven(buf)
    out_dir = tempfile.mkdtemp(prefix="mxbureau-bench-")

    def convert_parquet():
        convert([path], out_dir, overwrite=True)

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
    raw = timed_rounds(cases, rounds)
    med = medians(raw)
    say("analytics (account metrics + features) and their pure-Python loop")
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
    say("convert to Parquet, and its limit: read() + pyarrow.parquet.write_table of the same tables")
    limit_dir = tempfile.mkdtemp(prefix="mxbureau-bench-limit-")

    def convert_limit():
        t = read(buf)
        for name, table in t.all():
            if table.num_rows or name == "records":
                pq.write_table(table, os.path.join(limit_dir, f"{name}.parquet"),
                               **writer_options(table.schema, parquet_options()))   # convert's settings
    conv_rounds = timed_rounds({"convert": convert_parquet, "limit": convert_limit}, rounds, 1)
    conv, limit = (medians(conv_rounds)[k] for k in ("convert", "limit"))
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.rmtree(limit_dir, ignore_errors=True)
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
    results.append({"name": "convert_limit_read_and_write_table", "seconds": limit, "bytes": n, "mb_per_s": n / limit / 1e6})
    for k, v in lat.items():
        results.append({"name": k, "seconds": v, "bytes": len(one), "mb_per_s": len(one) / v / 1e6})
    rate = {r["name"]: r["mb_per_s"] for r in results if "mb_per_s" in r}
    return {
        "input_bytes": n, "tokens": ntok, "workers": workers, "rounds": rounds,
        "results": results,
        "ratios": {
            "scan_vs_pure_python": rate["scan"] / rate["pure_python_twin"] if rate["pure_python_twin"] else None,
            "scan_vs_c_walk": paired(raw, "c_walk", "scan"),
            f"workers_{workers}_vs_one" if workers != 2 else "two_workers_vs_one":
                paired(raw, "scan", f"scan_workers_{workers}"),
            f"c_walk_{workers}_threads_vs_one": paired(raw, "c_walk", f"c_walk_threads_{workers}"),
            f"uneven_workers_{workers}_vs_one": paired(raw, "scan_uneven", f"scan_uneven_workers_{workers}"),
            f"uneven_workers_{workers}_vs_one_static_split":
                paired(raw, "scan_uneven", f"scan_uneven_workers_{workers}_static_split"),
            f"read_workers_{workers}_vs_one": paired(raw, "read_all_tables", f"read_all_tables_workers_{workers}"),
            "tl_table_vs_pyarrow_csv": paired(raw, "pyarrow_csv_tl_one_thread", "read_tl"),
            "analytics_vs_python_loop": (naccounts / ana) / py_rate if py_rate else None,
            "read_vs_scan": paired(raw, "scan", "read_all_tables"),
            "convert_vs_its_limit": paired(conv_rounds, "limit", "convert"),
            "one_record_read_vs_twin": paired(lat_rounds, "twin_one", "read_one"),
            "one_record_reports_vs_twin": paired(lat_rounds, "twin_one", "reports_one"),
        },
        # every case's time in each round (the ratios' inputs)
        "rounds_seconds": {**raw, **lat_rounds,
                           "convert_parquet": conv_rounds["convert"],
                           "convert_limit_read_and_write_table": conv_rounds["limit"]},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


_SIZE_PROBE = """
import json, os, resource, sys, time
import mxbureau
path, what = sys.argv[1], sys.argv[2]
n = os.path.getsize(path)
r0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
if what == "scan":
    tok = mxbureau.scan(path)
else:
    tables = mxbureau.read(path)
took = time.perf_counter() - t
r1 = resource.getrusage(resource.RUSAGE_SELF)
with open("/proc/self/status") as f:
    hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
print(json.dumps({"bytes": n, "seconds": took, "peak_rss_bytes": hwm * 1024,
                  "user": r1.ru_utime - r0.ru_utime, "system": r1.ru_stime - r0.ru_stime}))
"""


def replicate_file(path: str, size: int, out: str) -> int:
    """``path`` repeated (a whole number of times) to at least ``size`` bytes in ``out``."""
    data = open(path, "rb").read()
    times = max(1, -(-size // len(data)))
    with open(out, "wb") as f:
        for _ in range(times):
            f.write(data)
    return times * len(data)


def run_scaling(path: str, large: int, rounds: int = 3, progress=None) -> Dict:
    """Per-byte time of scan() and read() on ``path`` and on a copy replicated to ``large`` bytes,
    and read()'s peak RSS per input byte on the large one: each in a fresh process (a first call's
    costs included, as a user's job pays them), the sizes interleaved, after one round that is not
    counted. That round warms the machine, not the process: on a VM, memory the guest has not
    touched since it booted costs a host fault at its first touch, which the first large run pays
    for most of its 2.6 GB (on a new machine of this project's VM, scan() of 1 GB in a fresh
    process: 4.3 ns a byte, 3.8 of it system time, in the first run; 1.05-1.09 in each run after,
    the 50 MB corpus's 1.07-1.5 too)."""
    say = progress or (lambda msg: None)
    big = tempfile.NamedTemporaryFile(prefix="mxbureau-bench-large-", suffix=".intl", delete=False).name
    try:
        say(f"replicating to {large / 1e9:.1f} GB")
        replicate_file(path, large, big)
        runs = {(w, s): [] for w in ("scan", "read") for s in ("small", "large")}
        for k in range(rounds + 1):
            for (what, size) in runs:
                out = subprocess.run([sys.executable, "-c", _SIZE_PROBE, path if size == "small" else big, what],
                                     capture_output=True, text=True, check=True)
                if k:                                   # round 0 warms the machine (see above)
                    runs[(what, size)].append(json.loads(out.stdout))
        res = {}
        for (what, size), rs in runs.items():
            ns = float(np.median([r["seconds"] / r["bytes"] * 1e9 for r in rs]))
            per_byte = lambda k: float(np.median([r[k] / r["bytes"] * 1e9 for r in rs]))
            # CPU time too: on a VM, memory the guest never touched before costs system time at the
            # first touch (the host backs it then), and a large input touches more of it
            res[f"{what}_{size}"] = {"ns_per_byte": ns, "bytes": rs[0]["bytes"],
                                     "user_ns_per_byte": per_byte("user"), "system_ns_per_byte": per_byte("system"),
                                     "peak_rss_per_byte": float(np.median([r["peak_rss_bytes"] / r["bytes"] for r in rs]))}
        res["ratios"] = {"scan_large_vs_small_per_byte": res["scan_large"]["ns_per_byte"] / res["scan_small"]["ns_per_byte"],
                         "read_large_vs_small_per_byte": res["read_large"]["ns_per_byte"] / res["read_small"]["ns_per_byte"],
                         "read_large_peak_rss_per_input_byte": res["read_large"]["peak_rss_per_byte"]}
        return res
    finally:
        os.unlink(big)


# Parquet writer settings that ``run_parquet`` measures: (name, parquet_options' arguments -- its
# choices and other ParquetWriter arguments --, rows a row group or None). The first is convert's
# default; each other one changes one thing from it.
PARQUET_SETTINGS = [
    ("snappy", {}, None),
    ("snappy-all-statistics", {"statistics": "all"}, None),
    ("snappy-no-statistics", {"statistics": "none"}, None),
    ("zstd-1", {"compression": "zstd", "compression_level": 1}, None),
    ("zstd-3", {"compression": "zstd", "compression_level": 3}, None),
    ("lz4", {"compression": "lz4"}, None),
    ("gzip", {"compression": "gzip"}, None),
    ("none", {"compression": "none"}, None),
    ("snappy-no-dictionary", {"use_dictionary": False}, None),
    ("snappy-row-groups-131072", {}, 131072),
]


def run_parquet(path: str, rounds: int = 5, settings=PARQUET_SETTINGS) -> Dict:
    """Parquet writer settings on the tables of the file at ``path`` (read once): for each, the time to
    write every table (``pq.write_table``, as convert's writer does, one thread), the bytes written and
    the time to read them all back (``pq.read_table``), interleaved over ``rounds``. Times are
    medians; ``*_vs_default`` are this setting's time (or size) over the first one's, convert's
    default: above 1, slower (or larger)."""
    tables = [(name, t) for name, t in read(path).all() if t.num_rows or name == "records"]
    n = os.path.getsize(path)
    root = tempfile.mkdtemp(prefix="mxbureau-bench-parquet-")
    try:
        dirs = {name: os.path.join(root, name) for name, _, _ in settings}
        for d in dirs.values():
            os.makedirs(d)
        opts = {name: parquet_options(**args) for name, args, _ in settings}

        def writer(name, rg):
            def write():
                for tname, t in tables:
                    pq.write_table(t, os.path.join(dirs[name], f"{tname}.parquet"), row_group_size=rg,
                                   **writer_options(t.schema, opts[name]))
            return write

        def reader(name):
            return lambda: [pq.read_table(os.path.join(dirs[name], f"{tname}.parquet"), use_threads=False)
                            for tname, _ in tables]

        writes = {f"write {name}": writer(name, rg) for name, _, rg in settings}
        interleaved(writes, 1, 1)                                 # warm-up
        med = interleaved(writes, rounds, 1)
        # read back after the last writes, on their own: reads right behind writes measured the
        # writeback, not the reader (the same snappy files 0.18-0.39 s)
        reads = {f"read {name}": reader(name) for name, _, _ in settings}
        interleaved(reads, 1, 1)
        med.update(interleaved(reads, rounds, 1))
        out, first = [], settings[0][0]
        size = {name: sum(os.path.getsize(os.path.join(dirs[name], f)) for f in os.listdir(dirs[name]))
                for name, _, _ in settings}
        for name, _, rg in settings:
            w, r = med[f"write {name}"], med[f"read {name}"]
            out.append({"name": name, "options": {**opts[name], "row_group_size": rg},
                        "write_seconds": w, "write_mb_per_s": n / w / 1e6, "bytes": size[name], "read_seconds": r,
                        "write_vs_default": w / med[f"write {first}"], "read_vs_default": r / med[f"read {first}"],
                        "size_vs_default": size[name] / size[first]})
        return {"input_bytes": n, "rounds": rounds, "settings": out}
    finally:
        shutil.rmtree(root, ignore_errors=True)
