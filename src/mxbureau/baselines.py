"""The baselines mxbureau is measured against (``mxbureau bench`` and ``benchmarks/``): the plain C walk
over the same fields (the speed limit of a scan), in one thread or several, and the plain-Python
loop over payment histories that the vectorized analytics replace (the peer; the tests use it as
their oracle, as they use the pure-Python twin tokenizer ``intl13/twin.py``)."""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
import subprocess
import sysconfig
import tempfile
from importlib import resources
from typing import Optional

import numpy as np

from .intl13 import FORMAT, catalogs, spec
from .parallel import in_threads
from .scanner import bounds

__all__ = ["c_walk", "c_walk_threads", "python_account_metrics", "python_features"]

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
        lib.c_walk.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p] + [ctypes.c_int64] * 4
        _LIB = lib
    return _LIB


def c_walk(buf: np.ndarray, out: Optional[np.ndarray] = None) -> int:
    """Walk the fields of buf (uint8 array), writing value offsets to out (fresh int64 memory)."""
    if out is None:
        out = np.empty(len(buf) // 4 + 64, dtype=np.int64)
    return c_walk_lib().c_walk(buf.ctypes.data, len(buf), out.ctypes.data, spec.RESPONSE_COUNTRY_AT,
                               spec.RESPONSE_HEADER_LENGTH, spec.CONSULTA_HEADER_LENGTH, spec.ERROR_HEADER_LENGTH)


def c_walk_threads(buf: np.ndarray, workers: int) -> int:
    """The C walk over the scanner's record-aligned ranges, one thread each (ctypes releases the GIL):
    what a parallel pass over these bytes can gain on this machine, the bound for scan(workers=)."""
    c_walk_lib()                                  # compiled once, before any thread needs it
    b = bounds(FORMAT, buf, 0, len(buf), workers)
    return sum(in_threads([lambda i=i: c_walk(buf[b[i]:b[i + 1]]) for i in range(len(b) - 1)]))


_LATE72 = catalogs.mops_at_least(5)


def python_account_metrics(tl_rows, as_of) -> list:
    """Per-account metrics by a plain loop over each history string (rows: TL table as dicts)."""
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
                    lv = catalogs.HISTORY_LEVELS.get(ch)
                    levels[col] = (lv if lv is not None and lv > 0 else None, ch)
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
