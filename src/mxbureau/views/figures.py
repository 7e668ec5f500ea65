"""The numbers behind the portfolio page: the analytics of ``mxbureau.history`` and
``mxbureau.portfolio`` (``matrix``, ``account_metrics``, ``features``, ``roll_rates``), called once, and
folded into the counts each plot draws (histograms, group counts). Nothing here re-derives a metric:
every per-account or per-customer value is the analytics', this module only counts and sums them."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa

from ..intl13 import catalogs
from ..analytics.arrow import Codes, DateLike
from ..analytics.history import account_metrics, matrix
from ..analytics.features import features
from ..analytics.portfolio import BUCKETS, roll_rates
from ..analytics.scorecard import Scorecard
from . import codes

__all__ = ["Figures", "analytics", "figures", "LEVELS", "BC_EDGES"]

# Worst-MOP levels of the history matrix in the order plotted; 0 = nothing rated in the window.
LEVELS = (1, 2, 3, 4, 5, 6, 7, 9, 0)
BC_EDGES = np.arange(400, 851, 25)              # BC Score runs from 400 to 850 (manual, Optimiza)
UTIL_EDGES = np.array([-np.inf, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0000001, np.inf])
UTIL_LABELS = ("< 0%", "0–10%", "10–20%", "20–30%", "30–40%", "40–50%", "50–60%", "60–70%", "70–80%",
               "80–90%", "90–100%", "> 100%")
INQUIRY_CAP = 10                                 # 10 or more inquiries in one bar
KOB_GROUPS = 12                                  # the largest lender groups; the rest in one bar
# Current MOP (TL 26) -> delinquency bucket, as portfolio.BUCKETS names them; then the codes that rate
# nothing (00 too new, UR no information) and accounts without an MOP.
_BUCKET_OF = {"01": 0, "02": 1, "03": 2, "04": 3, "05": 4, "06": 4, "07": 4, "96": 4, "97": 4, "99": 4,
              "00": 5, "UR": 5}
BUCKET_NAMES = BUCKETS + ("00 / UR", "—")
BUCKET_CODES = ("01", "02", "03", "04", "05–07, 96, 97, 99", "00, UR", "")


@dataclass
class Figures:
    as_of: _dt.date
    records: int = 0
    customers: int = 0
    accounts: int = 0
    bc: np.ndarray = field(default_factory=lambda: np.empty(0))            # one BC Score per customer
    icc: np.ndarray = field(default_factory=lambda: np.empty(0))
    exclusions: List[Tuple[str, Optional[str], int]] = field(default_factory=list)
    score_errors: List[Tuple[str, Optional[str], int]] = field(default_factory=list)
    card: Optional[np.ndarray] = None
    card_name: Optional[str] = None
    kob: Optional[pd.DataFrame] = None          # lender group x LEVELS: accounts
    kob_codes: Dict[str, str] = field(default_factory=dict)
    kob_merged: int = 0                          # smaller groups summed into OTROS
    roll: Optional[pd.DataFrame] = None
    roll_counts: Optional[pd.DataFrame] = None
    util: np.ndarray = field(default_factory=lambda: np.zeros(len(UTIL_LABELS), np.int64))
    util_outside: int = 0                        # accounts without a utilisation (not revolving, no limit)
    buckets: Optional[pd.DataFrame] = None       # bucket -> accounts, balance
    inquiries: np.ndarray = field(default_factory=lambda: np.zeros(INQUIRY_CAP + 1, np.int64))
    inquiries_total: int = 0
    months: List[Tuple[int, int]] = field(default_factory=list)     # (year, month), as_of first
    rated: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    delinquent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def analytics(tables, as_of: DateLike):
    """The analytics the page shows, nothing else: (history matrix, account metrics, features, roll
    rates). Timed alone, this is "computing the figures" (benchmarks/test_bench_views.py)."""
    tl = tables["TL"] if "TL" in tables.names else None
    hist = metrics = rates = None
    if tl is not None and tl.num_rows:
        hist = matrix(tl, as_of)
        metrics = account_metrics(tl, as_of, hist=hist)
        rates = roll_rates(tl, as_of)
    feats = features(tables, as_of, metrics=metrics)
    return hist, metrics, feats, rates


def _scores(tables):
    """One score per customer and family from SC (the first of each): BC Score (507, and 007 of the
    integrated report), ICC (504, 004); exclusion codes (negative) and error codes counted apart.
    features() keeps 507 and 504 only; the page counts the integrated report's codes too."""
    if "SC" not in tables.names or not tables["SC"].num_rows:
        return np.empty(0), np.empty(0), [], []
    sc = tables["SC"]
    code = Codes(sc, "score_code")
    fam_of = np.array([1 if v in codes.BC_SCORE_CODES else 2 if v in codes.ICC_CODES else 0
                       for v in code.values.to_pylist()] + [0], dtype=np.int64)
    family = fam_of[code.index]
    rec = np.asarray(sc.column("record"))
    keep = np.flatnonzero(family > 0)
    _, first = np.unique(rec[keep] * 3 + family[keep], return_index=True)    # the first of each
    rows = keep[first]
    fam = family[rows]
    score = np.asarray(sc.column("score").combine_chunks().cast(pa.float64()).fill_null(np.nan))[rows]
    if "exclusion_code" in sc.column_names:        # exclusions have a column of their own ("-009")
        ex = Codes(sc, "exclusion_code")
        ex_val = np.array([float(v) if v.lstrip("-").isdigit() else np.nan for v in ex.values.to_pylist()] + [np.nan])
        score = np.where(np.isnan(score), ex_val[ex.index[rows]], score)
    err = Codes(sc, "error_code")
    err_at = err.index[rows]
    ok = (err_at < 0) & ~np.isnan(score)
    bc, icc = score[ok & (fam == 1) & (score >= 0)], score[ok & (fam == 2) & (score >= 0)]
    neg, counts = np.unique(score[ok & (fam == 1) & (score < 0)], return_counts=True)
    exclusions = [(*codes.exclusion(int(s)), int(n)) for s, n in sorted(zip(neg, counts), reverse=True)]
    e_idx, e_counts = np.unique(err_at[(err_at >= 0) & (fam == 1)], return_counts=True)
    names = err.values.to_pylist()
    errors = sorted((names[i], catalogs.SCORE_ERRORS.get(names[i]), int(n)) for i, n in zip(e_idx, e_counts))
    return bc, icc, exclusions, errors


def _lender_groups(tl: pa.Table):
    """Each account's lender group, as (group index per account, group names): the Anexo 1 generic
    name of the KOB of its member code (TL 01, first two letters) when the bureau shows it, else its
    user name (TL 02) when that is a generic name (what other users see), else "OTROS". Decided once
    per distinct value, then gathered (no Python loop over accounts)."""
    member, user = Codes(tl, "member_code"), Codes(tl, "user_name")
    names: List[str] = []
    index: Dict[str, int] = {}

    def gid(name: str) -> int:
        if name not in index:
            index[name] = len(names)
            names.append(name)
        return index[name]
    by_member = np.array([gid(catalogs.KOB[k][1]) if (k := codes.kob_of_member(v)) else -1
                          for v in member.values.to_pylist()] + [-1], dtype=np.int64)
    by_user = np.array([gid(v.strip() if v and codes.generic_kob(v) else "OTROS") for v in user.values.to_pylist()]
                       + [gid("OTROS")], dtype=np.int64)
    g = by_member[member.index]
    return np.where(g >= 0, g, by_user[user.index]), names


def figures(tables, as_of: DateLike, scores=None, parts=None) -> Figures:
    """Everything the page draws. ``scores``: a Scorecard (applied to the features), or its scores
    (a DataFrame with ``score``, a Series or an array). ``parts``: the result of analytics(), when
    already computed."""
    as_of_d = pd.Timestamp(np.datetime64(as_of, "D")).date()
    hist, metrics, feats, rates = analytics(tables, as_of) if parts is None else parts
    fig = Figures(as_of=as_of_d, records=tables.records.num_rows, customers=len(feats))
    fig.bc, fig.icc, fig.exclusions, fig.score_errors = _scores(tables)
    if scores is not None:
        if isinstance(scores, Scorecard):
            fig.card_name, scores = scores.name, scores.score(feats)
        s = scores["score"] if isinstance(scores, pd.DataFrame) else scores
        fig.card = np.asarray(pd.to_numeric(pd.Series(np.asarray(s)), errors="coerce").dropna(), dtype=float)
    inq = feats["inquiries_12m"].to_numpy() if "inquiries_12m" in feats else np.zeros(len(feats), np.int64)
    fig.inquiries = np.bincount(np.minimum(inq, INQUIRY_CAP).astype(np.int64), minlength=INQUIRY_CAP + 1)
    fig.inquiries_total = int(inq.sum())
    if metrics is None:
        return fig
    tl = tables["TL"]
    fig.accounts = tl.num_rows
    # worst MOP in 12 months by lender group
    worst = metrics["worst_mop_12m"].fillna(0).to_numpy(np.int64)
    gid, names = _lender_groups(tl)
    level_pos = np.zeros(10, np.int64)
    level_pos[list(LEVELS)] = np.arange(len(LEVELS))
    counts = np.bincount(gid * len(LEVELS) + level_pos[worst], minlength=len(names) * len(LEVELS))
    kob = pd.DataFrame(counts.reshape(len(names), len(LEVELS)), index=names, columns=list(LEVELS))
    kob = kob[kob.sum(axis=1) > 0]
    kob = kob.iloc[np.argsort(-kob.sum(axis=1).to_numpy(), kind="stable")]
    if len(kob) > KOB_GROUPS:
        fig.kob_merged = len(kob) - (KOB_GROUPS - 1) - (1 if "OTROS" in kob.index[KOB_GROUPS - 1:] else 0)
        keep = kob.iloc[:KOB_GROUPS - 1]
        rest = kob.iloc[KOB_GROUPS - 1:].sum().to_frame("OTROS").T
        kob = pd.concat([keep, rest]).groupby(level=0, sort=False).sum()
    fig.kob = kob
    fig.kob_codes = {g: ", ".join(codes.generic_kob(g)) for g in kob.index}
    # roll rates
    fig.roll, fig.roll_counts = rates, rates.attrs["counts"]
    # utilisation (revolving accounts with a limit; account_metrics leaves the others NaN)
    u = metrics["utilization"].to_numpy(float)
    has = ~np.isnan(u)
    fig.util = np.bincount(np.searchsorted(UTIL_EDGES, u[has], side="right") - 1, minlength=len(UTIL_LABELS))[:len(UTIL_LABELS)]
    fig.util_outside = int((~has).sum())
    # accounts and balances by current MOP bucket
    mop = Codes(tl, "mop")
    of_code = np.array([_BUCKET_OF.get(v, 6) for v in mop.values.to_pylist()] + [6], dtype=np.int64)
    b = of_code[mop.index]
    bal = np.asarray(tl.column("balance").combine_chunks().fill_null(0).cast(pa.float64()))
    fig.buckets = pd.DataFrame({"accounts": np.bincount(b, minlength=7), "balance": np.bincount(b, weights=bal, minlength=7)},
                               index=pd.Index(BUCKET_NAMES, name="bucket"))
    # delinquency by month, from the history matrix (column j = j months before as_of)
    fig.rated = (hist > 0).sum(axis=0).astype(np.int64)
    fig.delinquent = (hist >= 2).sum(axis=0).astype(np.int64)
    m0 = as_of_d.year * 12 + as_of_d.month - 1
    fig.months = [((m0 - j) // 12, (m0 - j) % 12 + 1) for j in range(hist.shape[1])]
    return fig
