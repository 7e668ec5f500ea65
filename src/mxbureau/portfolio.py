"""Per-customer features, roll rates and the RS cross-check, from the typed tables (vectorized: no
Python loop over accounts).

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
bc_score, bc_score_exclusion, icc              BC Score 507 (exclusion codes, negative, kept apart), ICC 504
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import catalogs
from .history import DateLike, _as_of_month, _month_index, account_metrics, is_in, matrix

__all__ = ["features", "roll_rates", "rs_crosscheck", "BUCKETS"]

BUCKETS = ("current", "1-29", "30-59", "60-89", "90+")     # from MOP levels 1, 2, 3, 4, >=5


def _col(t: pa.Table, name: str) -> np.ndarray:
    return np.asarray(t.column(name).combine_chunks() if t.num_rows else pa.array([], t.schema.field(name).type))


def _num(t: pa.Table, name: str) -> np.ndarray:
    return np.asarray(t.column(name).cast(pa.float64()).fill_null(np.nan)) if t.num_rows else np.empty(0)


def _customers(tables) -> pd.Index:
    rec = tables.records
    kind = np.asarray(rec.column("kind").cast(pa.string()).fill_null(""), dtype=object)
    ok = np.asarray(rec.column("ok"))
    return pd.Index(np.asarray(rec.column("record"))[ok & np.isin(kind, ["hit", "nohit"])], name="record")


def features(tables, as_of: DateLike, metrics: pd.DataFrame = None) -> pd.DataFrame:
    """Per-customer features (see the module docstring). ``metrics``: the account_metrics of the same
    tables and as_of, when already computed (they are the bulk of the work)."""
    idx = _customers(tables)
    out = pd.DataFrame(index=idx)
    tl = tables["TL"] if "TL" in tables.names else None
    if tl is not None and tl.num_rows:
        m = account_metrics(tl, as_of) if metrics is None else metrics
        is_open = m["is_open"].to_numpy()
        worst24 = m["worst_mop_24m"].fillna(0).to_numpy()
        late = lambda level, codes: (worst24 >= level) | is_in(tl, "worst_mop", codes)
        rev_lim = _num(tl, "credit_limit")
        rev = is_open & is_in(tl, "account_type", ["R"]) & (rev_lim > 0)
        per = pd.DataFrame({
            "record": m["record"].to_numpy(),
            "accounts_open": is_open, "accounts_closed": ~is_open,
            "accounts_open_revolving": is_open & is_in(tl, "account_type", ["R"]),
            "accounts_open_installment": is_open & is_in(tl, "account_type", ["I"]),
            "accounts_open_mortgage": is_open & is_in(tl, "account_type", ["M"]),
            "accounts_open_open_end": is_open & is_in(tl, "account_type", ["O"]),
            "total_balance": _num(tl, "balance"), "total_past_due": _num(tl, "past_due"),
            "rev_bal": np.where(rev, _num(tl, "balance"), np.nan), "rev_lim": np.where(rev, rev_lim, np.nan),
            **{f"worst_mop_{w}m": m[f"worst_mop_{w}m"] for w in (3, 6, 12, 24)},
            "months_since_delinquency": m["months_since_delinquency"],
            "accounts_ever_30_plus": late(3, ["03", "04", "05", "06", "07", "96", "97", "99"]),
            "accounts_ever_60_plus": late(4, ["04", "05", "06", "07", "96", "97", "99"]),
            "accounts_ever_90_plus": late(5, ["05", "06", "07", "96", "97", "99"]),
            "accounts_adverse_observation": is_in(tl, "observation", catalogs.ADVERSE_OBSERVATION_KEYS),
        })
        sums = [c for c in per.columns if c.startswith("accounts_")]
        agg = per.groupby("record").agg({**{c: "sum" for c in sums}, "total_balance": "sum", "total_past_due": "sum",
                                         "rev_bal": "sum", "rev_lim": "sum",
                                         **{f"worst_mop_{w}m": "max" for w in (3, 6, 12, 24)},
                                         "months_since_delinquency": "min"})
        has_bal = per["total_balance"].notna().groupby(per["record"]).any()
        has_due = per["total_past_due"].notna().groupby(per["record"]).any()
        agg["total_balance"] = agg["total_balance"].where(has_bal)
        agg["total_past_due"] = agg["total_past_due"].where(has_due)
        with np.errstate(divide="ignore", invalid="ignore"):
            agg["revolving_utilization"] = (agg["rev_bal"] / agg["rev_lim"]).where(agg["rev_lim"] > 0)
        agg = agg.drop(columns=["rev_bal", "rev_lim"])
        order = ["accounts_open", "accounts_closed", "accounts_open_revolving", "accounts_open_installment",
                 "accounts_open_mortgage", "accounts_open_open_end", "total_balance", "total_past_due",
                 "revolving_utilization", "worst_mop_3m", "worst_mop_6m", "worst_mop_12m", "worst_mop_24m",
                 "months_since_delinquency", "accounts_ever_30_plus", "accounts_ever_60_plus",
                 "accounts_ever_90_plus", "accounts_adverse_observation"]
        out = out.join(agg[order])
    iq = tables["IQ"] if "IQ" in tables.names else None
    if iq is not None and iq.num_rows:
        months_back = _as_of_month(as_of) - _month_index(np.asarray(iq.column("inquired_on").cast(pa.int32()).fill_null(-10 ** 6)))
        rec = _col(iq, "record")
        for w in (3, 6, 12):
            out[f"inquiries_{w}m"] = pd.Series((months_back >= 0) & (months_back < w)).groupby(rec).sum()
    hawk = [tables[t] for t in ("HI", "HR") if t in tables.names and tables[t].num_rows]
    if hawk:
        rec = np.concatenate([_col(t, "record") for t in hawk])
        codes = [f"{p}{r}" for p in catalogs.HAWK_FRAUD_PREFIXES for r in "0123456789"]
        fraud = np.concatenate([is_in(t, "prevention_code", codes) for t in hawk])
        out["hawk_alerts"] = pd.Series(np.ones(len(rec), bool)).groupby(rec).sum()
        out["hawk_fraud_alerts"] = pd.Series(fraud).groupby(rec).sum()
    sc = tables["SC"] if "SC" in tables.names else None
    if sc is not None and sc.num_rows:
        s = pd.DataFrame({"rec": _col(sc, "record"), "val": _num(sc, "score"),
                          "bc": is_in(sc, "score_code", ["507"]), "icc": is_in(sc, "score_code", ["504"])})
        bc = s[s["bc"]].groupby("rec")["val"].first()
        out["bc_score"] = bc.where(bc >= 0)
        out["bc_score_exclusion"] = (-bc.where(bc < 0)).astype("Int16")
        out["icc"] = s[s["icc"]].groupby("rec")["val"].first()
    counts = [c for c in out.columns if c.startswith(("accounts_", "inquiries_", "hawk_"))]
    out[counts] = out[counts].fillna(0).astype("int32")
    for c in ("worst_mop_3m", "worst_mop_6m", "worst_mop_12m", "worst_mop_24m", "months_since_delinquency"):
        if c in out:
            out[c] = out[c].astype("Int16")
    return out


def roll_rates(tables, as_of: DateLike, months: int = 12) -> pd.DataFrame:
    """Month-over-month transitions between delinquency buckets (rows: bucket in month t-1, columns:
    bucket in month t) over the ``months`` months before as_of, across every account; each row sums to
    1. Months without a rated level on either side are left out. ``.attrs["counts"]`` holds the counts."""
    tl = tables["TL"] if not isinstance(tables, pa.Table) else tables
    m = matrix(tl, as_of, months + 1)
    b = np.where(m >= 5, 4, m - 1).astype(np.int16)             # level 1..4 -> 0..3, >= 5 -> 4
    b[m <= 0] = -1
    prev, cur = b[:, 1:].ravel(), b[:, :-1].ravel()              # column j+1 is the month before j
    keep = (prev >= 0) & (cur >= 0)
    counts = np.zeros((5, 5), dtype=np.int64)
    np.add.at(counts, (prev[keep], cur[keep]), 1)
    with np.errstate(invalid="ignore"):
        rates = counts / counts.sum(axis=1, keepdims=True)
    out = pd.DataFrame(rates, index=pd.Index(BUCKETS, name="from"), columns=pd.Index(BUCKETS, name="to"))
    out.attrs["counts"] = pd.DataFrame(counts, index=out.index, columns=out.columns)
    return out


_MOP_FIELDS = {"07": "accounts_mop07", "06": "accounts_mop06", "05": "accounts_mop05", "04": "accounts_mop04",
               "03": "accounts_mop03", "02": "accounts_mop02", "01": "accounts_mop01", "00": "accounts_mop00",
               "UR": "accounts_mop_ur", "96": "accounts_mop96", "97": "accounts_mop97", "99": "accounts_mop99"}


def rs_crosscheck(tables) -> pd.DataFrame:
    """Recompute from TL the RS counts the manual defines (accounts by current MOP, totals by type,
    closed, current and historical delinquency) and list, per record, where the bureau's first RS
    segment and the recomputation disagree: columns record, field, bureau, recomputed."""
    rs = tables["RS"].to_pandas() if "RS" in tables.names else pd.DataFrame()
    if rs.empty:
        return pd.DataFrame(columns=["record", "field", "bureau", "recomputed"])
    rs = rs[rs["position"] == 0].set_index("record")
    tl = tables["TL"] if "TL" in tables.names else None
    calc = pd.DataFrame(index=rs.index)
    if tl is not None and tl.num_rows:
        # "historical delinquency": MOP 02 or worse in the history, up to 72 months (the 24-month
        # string, or tag 38, the worst MOP of the 72 months) on an account now at UR or 01
        hist = tl.column("payment_history").combine_chunks()
        late_hist = np.asarray(pc.match_substring_regex(hist, "[2-79]").fill_null(False))
        late_72 = is_in(tl, "worst_mop", ["02", "03", "04", "05", "06", "07", "96", "97", "99"])
        df = pd.DataFrame({"record": _col(tl, "record"),
                           "accounts_total": 1,
                           "accounts_installment": is_in(tl, "account_type", ["I", "M"]),
                           "accounts_revolving": is_in(tl, "account_type", ["R", "O"]),
                           "accounts_closed": ~np.asarray(tl.column("closed_on").is_null()),
                           "accounts_delinquent_now": ~is_in(tl, "mop", ["UR", "00", "01"]),
                           "accounts_delinquent_ever": is_in(tl, "mop", ["UR", "01"]) & (late_hist | late_72),
                           **{field: is_in(tl, "mop", [code]) for code, field in _MOP_FIELDS.items()}})
        calc = df.groupby("record").sum()
    calc = calc.reindex(rs.index).fillna(0).astype("int64")
    rows = []
    for field in calc.columns:
        bureau = rs[field]
        diff = bureau.notna() & (bureau.astype("float64") != calc[field].astype("float64"))
        for r in diff[diff].index:
            rows.append((int(r), field, int(bureau[r]), int(calc.at[r, field])))
    return pd.DataFrame(rows, columns=["record", "field", "bureau", "recomputed"])
