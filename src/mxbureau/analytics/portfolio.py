"""Portfolio views over the typed tables: month-over-month roll rates between delinquency buckets,
and where the bureau's RS summary and the accounts (TL) disagree."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..intl13 import catalogs, spec
from .arrow import DateLike, column as _col, is_in
from .history import matrix

__all__ = ["roll_rates", "rs_crosscheck", "BUCKETS"]

BUCKETS = ("current", "1-29", "30-59", "60-89", "90+")     # from MOP levels 1, 2, 3, 4, >=5
# The payment-history characters of MOP 02 or worse (Anexo 4).
_LATE_CHARS = "".join(ch for ch, level in catalogs.HISTORY_LEVELS.items() if level >= 2)


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
        late_hist = np.asarray(pc.match_substring_regex(hist, f"[{_LATE_CHARS}]").fill_null(False))
        late_72 = is_in(tl, "worst_mop", catalogs.mops_at_least(2))
        df = pd.DataFrame({"record": _col(tl, "record"),
                           "accounts_total": 1,
                           "accounts_installment": is_in(tl, "account_type", ["I", "M"]),
                           "accounts_revolving": is_in(tl, "account_type", ["R", "O"]),
                           "accounts_closed": ~np.asarray(tl.column("closed_on").is_null()),
                           "accounts_delinquent_now": ~is_in(tl, "mop", ["UR", "00", "01"]),
                           "accounts_delinquent_ever": is_in(tl, "mop", ["UR", "01"]) & (late_hist | late_72),
                           **{field: is_in(tl, "mop", [code]) for code, field in spec.RS_MOP_FIELDS.items()}})
        calc = df.groupby("record").sum()
    calc = calc.reindex(rs.index).fillna(0).astype("int64")
    rows = []
    for field in calc.columns:
        bureau = rs[field]
        diff = bureau.notna() & (bureau.astype("float64") != calc[field].astype("float64"))
        for r in diff[diff].index:
            rows.append((int(r), field, int(bureau[r]), int(calc.at[r, field])))
    return pd.DataFrame(rows, columns=["record", "field", "bureau", "recomputed"])
