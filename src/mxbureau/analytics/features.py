"""Per-customer features from the typed tables (vectorized: no Python loop over accounts).

``features(tables, as_of)`` -> one row per response record (index ``record``), analyst-ready:

accounts_open, accounts_closed                 accounts without / with a closing date
accounts_open_revolving / _installment /
  _mortgage / _open_end                        open accounts by type (TL 06: R, I, M, O)
total_balance, total_past_due                  sums over the customer's accounts (TL 22, 24)
revolving_utilization                          sum of balances / sum of limits, open revolving accounts
worst_mop_3m / 6m / 12m / 24m                  worst rated level across accounts in the window
months_since_delinquency                       from as_of back to the latest month >= MOP 02, any account
accounts_ever_30 / 60 / 90_plus                accounts ever at MOP 03 / 04 / 05 or worse (24-month
                                               history, or the 72-month worst MOP of tag 38)
inquiries_3m / 6m / 12m                        inquiries (IQ) within the months before as_of
accounts_adverse_observation                   accounts whose observation key (Anexo 5) is adverse
hawk_alerts, hawk_fraud_alerts                 HI + HR segments; those of fraud / identity types
bc_score, bc_score_exclusion, icc              the record's first BC Score (507, the integrated report's 007,
                                               Prospector's 107) and ICC (504, 004): catalogs.BC_SCORE_CODES,
                                               ICC_SCORE_CODES. bc_score is null when that BC Score is an
                                               exclusion: bc_score_exclusion holds it (SC exclusion_code
                                               "-009" -> 9); both null on an error code
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..intl13 import catalogs
from .arrow import (Codes, DateLike, as_of_month, by_source, column as _col, is_in, month_index, nullable,
                    numbers as _num, record_keys)
from .history import account_metrics

__all__ = ["features", "features_schema"]


def _customers(tables) -> pd.Index:
    rec = tables.records
    kind = np.asarray(rec.column("kind").cast(pa.string()).fill_null(""), dtype=object)
    ok = np.asarray(rec.column("ok"))
    return pd.Index(np.asarray(rec.column("record"))[ok & np.isin(kind, ["hit", "nohit"])], name="record")


class _PerCustomer:
    """Rows of a table folded per customer without pandas: each row's customer position by a binary
    search, sums by np.bincount (3 ms a column on 1M rows), maxima and minima by reduceat over the
    runs of one record (tables come in file order). pandas' groupby-agg took 400 ms of a 1.3 s
    features() on 1M accounts; a 2-D reduceat for the sums still 160 ms."""

    def __init__(self, customers: np.ndarray, rec: np.ndarray):
        self.n = n = len(customers)
        rows, runs = len(rec), None
        if rows and not (rec[1:] < rec[:-1]).any():      # file order: search once per record
            runs = np.flatnonzero(np.r_[True, rec[1:] != rec[:-1]])
            rec = rec[runs]
        pos = np.searchsorted(customers, rec)
        found = pos < n
        found[found] = customers[pos[found]] == rec[found]
        gid = np.where(found, pos, n)                   # n: a row of no customer (dropped)
        self.gid = gid if runs is None else np.repeat(gid, np.diff(np.r_[runs, rows]))

    def sum(self, *columns: np.ndarray) -> np.ndarray:
        """[customers, len(columns)] float64 sums."""
        return np.stack([np.bincount(self.gid, weights=c, minlength=self.n + 1)[:self.n] for c in columns], axis=1)

    def _fold(self, ufunc, block: np.ndarray, fill) -> np.ndarray:
        gid = self.gid
        if len(gid) > 1 and (gid[1:] < gid[:-1]).any():         # a table someone re-sorted
            order = np.argsort(gid, kind="stable")
            gid, block = gid[order], block[order]
        out = np.full((self.n + 1,) + block.shape[1:], fill, dtype=block.dtype)
        if len(gid):
            starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
            out[gid[starts]] = ufunc.reduceat(block, starts, axis=0)
        return out[:self.n]

    def max(self, block: np.ndarray, fill) -> np.ndarray:
        return self._fold(np.maximum, block, fill)

    def min(self, block: np.ndarray, fill) -> np.ndarray:
        return self._fold(np.minimum, block, fill)


_COUNTS = ("accounts_open", "accounts_closed", "accounts_open_revolving", "accounts_open_installment",
           "accounts_open_mortgage", "accounts_open_open_end")
_LATE = ("accounts_ever_30_plus", "accounts_ever_60_plus", "accounts_ever_90_plus", "accounts_adverse_observation")
_WORST = ("worst_mop_3m", "worst_mop_6m", "worst_mop_12m", "worst_mop_24m")


# Every column features() returns, in order, with its dtype: the same whatever the data (a range of a
# file without accounts, inquiries or scores has them too: Dask needs one meta for every partition).
# A customer without accounts has 0 in the counts and missing values elsewhere.
_COLUMNS = ((("reference", "string"), ("control_number", "string"))
            + tuple((c, "int32") for c in _COUNTS)
            + (("total_balance", "float64"), ("total_past_due", "float64"), ("revolving_utilization", "float64"))
            + tuple((c, "Int16") for c in _WORST) + (("months_since_delinquency", "Int16"),)
            + tuple((c, "int32") for c in _LATE)
            + tuple((f"inquiries_{w}m", "int32") for w in (3, 6, 12))
            + (("hawk_alerts", "int32"), ("hawk_fraud_alerts", "int32"),
               ("bc_score", "float64"), ("bc_score_exclusion", "Int16"), ("icc", "float64")))


def features_schema() -> pd.DataFrame:
    """The frame ``features`` returns for no customer: every column with its dtype, the index
    ``record`` (int64). Its columns are those of every result (tables of several sources add the
    index level ``source``)."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in _COLUMNS},
                        index=pd.Index(np.empty(0, np.int64), name="record"))


def _complete(out: pd.DataFrame) -> pd.DataFrame:
    """Every column of features_schema, in its order and dtype (absent ones: 0 for counts, missing)."""
    for c, t in _COLUMNS:
        if c not in out.columns:
            out[c] = pd.Series(0 if t == "int32" else None, index=out.index, dtype=t)
    out = out[[c for c, _ in _COLUMNS]]
    cast = {c: t for c, t in _COLUMNS if str(out[c].dtype) != t}
    return out.astype(cast) if cast else out


def features(tables, as_of: DateLike, metrics: pd.DataFrame = None) -> pd.DataFrame:
    """Per-customer features (see the module docstring), indexed by ``record`` (by ``source`` and
    ``record`` for tables of several sources), the first columns ``reference`` and ``control_number``
    (the keys to join back to a portfolio). ``metrics``: the account_metrics of the same tables and
    as_of, when already computed (they are the bulk of the work)."""
    parts = by_source(tables)
    if parts[0][0] is None:
        return _features(tables, as_of, metrics)
    return pd.concat([_features(t, as_of).assign(source=name).set_index("source", append=True)
                      .reorder_levels(["source", "record"]) for name, t in parts])


def _features(tables, as_of: DateLike, metrics: pd.DataFrame = None) -> pd.DataFrame:
    idx = _customers(tables)
    customers = idx.to_numpy()
    cols = {}
    tl = tables["TL"] if "TL" in tables.names else None
    if tl is not None and tl.num_rows:
        m = account_metrics(tl, as_of) if metrics is None else metrics
        g = _PerCustomer(customers, m["record"].to_numpy())
        is_open = m["is_open"].to_numpy()
        account_type, worst_mop = Codes(tl, "account_type"), Codes(tl, "worst_mop")
        worst = np.stack([m[c].fillna(0).to_numpy(np.int8) for c in _WORST], axis=1)
        late = lambda level, codes: (worst[:, 3] >= level) | worst_mop.isin(codes)
        counts = g.sum(is_open, ~is_open, *[is_open & account_type.isin([t]) for t in "RIMO"],
                       late(3, catalogs.mops_at_least(3)),
                       late(4, catalogs.mops_at_least(4)),
                       late(5, catalogs.mops_at_least(5)),
                       is_in(tl, "observation", catalogs.ADVERSE_OBSERVATION_KEYS)).astype(np.int32)
        bal, due, lim = _num(tl, "balance"), _num(tl, "past_due"), _num(tl, "credit_limit")
        rev = is_open & account_type.isin(["R"]) & (lim > 0)
        has_bal, has_due = ~np.isnan(bal), ~np.isnan(due)
        present = g.sum(has_bal, has_due)
        sums = g.sum(np.where(has_bal, bal, 0.0), np.where(has_due, due, 0.0),
                     np.where(rev & has_bal, bal, 0.0), np.where(rev, lim, 0.0))
        worst_c = g.max(worst, 0)
        since = m["months_since_delinquency"]
        since_c = g.min(since.fillna(127).to_numpy(np.int16), 127)
        for j, c in enumerate(_COUNTS):
            cols[c] = counts[:, j]
        cols["total_balance"] = np.where(present[:, 0] > 0, sums[:, 0], np.nan)
        cols["total_past_due"] = np.where(present[:, 1] > 0, sums[:, 1], np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["revolving_utilization"] = np.where(sums[:, 3] > 0, sums[:, 2] / sums[:, 3], np.nan)
        for j, c in enumerate(_WORST):
            cols[c] = nullable(worst_c[:, j], worst_c[:, j] == 0, "Int16")
        cols["months_since_delinquency"] = nullable(since_c, since_c == 127, "Int16")
        for j, c in enumerate(_LATE):
            cols[c] = counts[:, len(_COUNTS) + j]
    iq = tables["IQ"] if "IQ" in tables.names else None
    if iq is not None and iq.num_rows:
        back = as_of_month(as_of) - month_index(np.asarray(iq.column("inquired_on").cast(pa.int32()).fill_null(-10 ** 6)))
        g = _PerCustomer(customers, _col(iq, "record"))
        within = g.sum(*[(back >= 0) & (back < w) for w in (3, 6, 12)]).astype(np.int32)
        for j, w in enumerate((3, 6, 12)):
            cols[f"inquiries_{w}m"] = within[:, j]
    hawk = [tables[t] for t in ("HI", "HR") if t in tables.names and tables[t].num_rows]
    if hawk:
        codes = [f"{p}{r}" for p in catalogs.HAWK_FRAUD_PREFIXES for r in "0123456789"]
        alerts = np.zeros((len(customers), 2), np.int32)
        for t in hawk:
            fraud = is_in(t, "prevention_code", codes)
            alerts += _PerCustomer(customers, _col(t, "record")).sum(np.ones(len(fraud)), fraud).astype(np.int32)
        cols["hawk_alerts"], cols["hawk_fraud_alerts"] = alerts[:, 0], alerts[:, 1]
    sc = tables["SC"] if "SC" in tables.names else None
    if sc is not None and sc.num_rows:
        code = Codes(sc, "score_code")
        excl = Codes(sc, "exclusion_code")
        excl_num = np.array([-int(v) if v.lstrip("-").isdigit() else np.nan for v in excl.values.to_pylist()]
                            + [np.nan], dtype=np.float64)[excl.index]
        s = pd.DataFrame({"rec": _col(sc, "record"), "val": _num(sc, "score"), "excl": excl_num,
                          "bc": code.isin(catalogs.BC_SCORE_CODES), "icc": code.isin(catalogs.ICC_SCORE_CODES)})
        first = lambda m: s[m].drop_duplicates("rec").set_index("rec").reindex(idx)   # the record's first row
        bc = first(s["bc"])
        cols["bc_score"] = bc["val"].to_numpy()
        cols["bc_score_exclusion"] = bc["excl"].astype("Int16").array
        cols["icc"] = first(s["icc"])["val"].to_numpy()
    out = pd.DataFrame(cols, index=idx)
    counts = [c for c in out.columns if c.startswith(("accounts_", "inquiries_", "hawk_"))]
    out[counts] = out[counts].astype("int32")
    keys = record_keys(tables, customers)
    keys.index = idx
    return _complete(pd.concat([keys, out], axis=1))
