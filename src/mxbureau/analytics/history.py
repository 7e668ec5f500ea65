"""MOP payment-history analytics: the history matrix and per-account metrics.

``matrix(tl, as_of)`` aligns every account's 24-month history (TL tag 27; leftmost character = the
month of tag 28, ``history_latest_on``) on a common calendar: column 0 is the ``as_of`` month, column
j is j months earlier. Rated months hold their MOP level (1-7, 9 for MOP 96/97/99); the other Anexo 4
codes are negative sentinels, so ``m >= 2`` selects delinquent months and ``m > 0`` rated ones.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import _decode
from ..intl13 import catalogs
from ..tables import schema_of
from .arrow import Codes, DateLike, as_of_month, by_source, chunk, is_in, month_index, nullable, record_keys

__all__ = ["NO_DATA", "TOO_NEW", "NO_INFORMATION", "ANNULLED", "NOT_REPORTED", "REMOVED", "INVALID",
           "matrix", "account_metrics", "account_metrics_schema", "Codes", "is_in"]

# The Anexo 4 levels (intl13.catalogs), by the names the analytics use.
NO_DATA = catalogs.HISTORY_NO_DATA
TOO_NEW = catalogs.HISTORY_TOO_NEW
NO_INFORMATION = catalogs.HISTORY_NO_INFORMATION
ANNULLED = catalogs.HISTORY_ANNULLED
NOT_REPORTED = catalogs.HISTORY_NOT_REPORTED
REMOVED = catalogs.HISTORY_REMOVED
INVALID = catalogs.HISTORY_INVALID

# Byte -> level, for the compiled matrix kernel.
_LEVELS = np.full(256, INVALID, dtype=np.int8)
for _ch, _lv in catalogs.HISTORY_LEVELS.items():
    _LEVELS[ord(_ch)] = _lv


def matrix(tl: pa.Table, as_of: DateLike, months: int = 24) -> np.ndarray:
    """int8 [accounts, months]: column 0 = the as_of month (see the module docstring)."""
    hist = chunk(tl.column("payment_history")).cast(pa.large_string())
    latest = chunk(tl.column("history_latest_on"))
    n = len(hist)
    bufs = hist.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=hist.offset * 8)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, np.uint8)
    valid = ~np.asarray(pc.is_null(hist)) & ~np.asarray(pc.is_null(latest))
    days = np.asarray(latest.fill_null(0).cast(pa.int32()))
    shift = (as_of_month(as_of) - month_index(days)).astype(np.int32)
    return _decode.code_matrix(np.ascontiguousarray(offsets), data, valid.astype(np.uint8), shift, months, _LEVELS)


def account_metrics(tables, as_of: DateLike, months: int = 24, hist: np.ndarray = None):
    """One row per account (TL): ``record``, ``position`` and

    worst_mop_3m / 6m / 12m / 24m   highest rated level in the window (null when none is rated)
    months_since_delinquency        months from as_of back to the latest month at level >= 2 (null: none)
    delinquent_months_24m           months at level >= 2
    current_streak_months           consecutive on-time months (level 1) back from as_of
    unreported_months_24m           months reported as '-'
    ever_90_plus                    level >= 5 in the 24 months, or a worst MOP (tag 38) of 05 or worse
    utilization                     balance / credit_limit for revolving accounts (null otherwise)
    is_open                         no closing date
    Returns a pandas DataFrame (nullable Int columns); given Tables (not a bare TL table) it starts
    with the keys ``reference`` and ``control_number`` of each account's record (and ``source`` for
    tables of several sources). ``hist``: a matrix(tl, as_of) already built."""
    if not isinstance(tables, pa.Table):
        parts = by_source(tables)
        frames = []
        for name, t in parts:
            m = account_metrics(t["TL"] if "TL" in t.names else _empty_tl(t), as_of, months, hist if len(parts) == 1 else None)
            keys = record_keys(t, m["record"].to_numpy())
            keys.index = m.index
            m = pd.concat([keys, m], axis=1)
            frames.append(m if name is None else m.assign(source=name)[["source"] + list(m.columns)])
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    tl = tables
    m = matrix(tl, as_of, months) if hist is None else hist
    out = {"record": np.asarray(tl.column("record")), "position": np.asarray(tl.column("position"))}
    # mt[j]: month j back from as_of for every account, one contiguous row (the matrix is stored
    # month-major). Every metric is a reduction over rows: boolean-mask assignments month by month took
    # 225 ms on 1M accounts. ``running`` is the worst level so far back from as_of: monotone, so each
    # window is one row of it and "months since delinquency" counts the rows still below 2.
    mt = np.ascontiguousarray(m.T)
    months = mt.shape[0]
    running = np.empty_like(mt)
    np.maximum(mt[0], 0, out=running[0])
    for j in range(1, months):                        # (ufunc.accumulate along axis 0 walks it column
        np.maximum(running[j - 1], mt[j], out=running[j])   # by column: 64 ms, rows: 6 ms)
    for w in (3, 6, 12, 24):
        worst = running[min(w, months) - 1]
        out[f"worst_mop_{w}m"] = nullable(worst, worst == 0, "Int8")
    since = np.add.reduce(running < 2, axis=0, dtype=np.int16)
    out["months_since_delinquency"] = nullable(since, since == months, "Int16")
    out["delinquent_months_24m"] = np.add.reduce(mt[:24] >= 2, axis=0, dtype=np.int16)
    ones = mt == 1                                    # on time in every month back to this one
    for j in range(1, months):
        np.logical_and(ones[j - 1], ones[j], out=ones[j])
    out["current_streak_months"] = np.add.reduce(ones, axis=0, dtype=np.int16)
    out["unreported_months_24m"] = np.add.reduce(mt[:24] == NOT_REPORTED, axis=0, dtype=np.int16)
    out["ever_90_plus"] = (running[min(24, months) - 1] >= 5) | is_in(tl, "worst_mop", catalogs.mops_at_least(5))
    revolving = is_in(tl, "account_type", ["R"])
    bal = np.asarray(chunk(tl.column("balance")).cast(pa.float64()).fill_null(np.nan))
    lim = np.asarray(chunk(tl.column("credit_limit")).cast(pa.float64()).fill_null(np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilization"] = np.where(revolving & (lim > 0), bal / lim, np.nan)
    out["is_open"] = np.asarray(pc.is_null(chunk(tl.column("closed_on"))))
    return pd.DataFrame(out)


def _empty_tl(tables) -> pa.Table:
    return schema_of("TL", tables.format).empty_table()


def account_metrics_schema(keys: bool = True) -> pd.DataFrame:
    """The frame ``account_metrics`` returns for no account: every column with its dtype (``keys``:
    given Tables, which add ``reference`` and ``control_number`` first; tables of several sources add
    ``source`` before them). The columns are the same whatever the data."""
    empty = schema_of("TL").empty_table()
    m = account_metrics(empty, "2000-01-31")
    if not keys:
        return m
    k = pd.DataFrame({"reference": pd.Series([], dtype="string"), "control_number": pd.Series([], dtype="string")})
    return pd.concat([k, m], axis=1)
