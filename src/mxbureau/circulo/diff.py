"""Two months of a lender's Círculo files compared credit by credit: credits new this month, closed
this month (settled, or reported with a quita, dación or quebranto), vanished (reported last month,
not closed, and not reported now), fields that must never change once reported (CR-04 opening date,
CR-05 term, CR-06 type, CR-07 initial balance, CR-08 currency) changed, credits closed last month that
are reported again, and first-default dates (CR-21) not reported consistently.

A credit's key: its contract number (CR-02, unique in a lender's file) in format 1; in format 2,
which has none, the company's RFC and the credit's place among that company's credits. Rows carry
the key (rfc, contract_number) and the credit's company and credit indices in each file."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
import pyarrow as pa

from ..tables import Tables
from . import spec
from .format import format_of
from .reader import read

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["diff", "NEVER_CHANGE", "TABLES"]

# CR fields that must not change once reported ("Una vez reportado un valor, éste no debe modificarse")
NEVER_CHANGE = ("opened_on", "term_days", "credit_type", "initial_balance", "currency")
TABLES = ("new", "closed", "vanished", "changed", "reappeared", "first_default")
_CLOSING = ("forgiven_amount", "dation_in_payment", "charge_off")


def _tables(src, strict: bool, fmt) -> Tables:
    if isinstance(src, Tables):
        return src
    return read(src, strict=strict, segments=["HD", "EM", "CR", "DE"], format=fmt)


def _credits(t: Tables) -> pd.DataFrame:
    """One row per credit: its key, indices, the fields compared, whether it is closed, its balance."""
    import pandas as pd
    cr = t["CR"].to_pandas() if "CR" in t.names else pd.DataFrame(columns=["company", "credit", "position"])
    em = t["EM"].to_pandas()[["company", "rfc"]] if "EM" in t.names else pd.DataFrame(columns=["company", "rfc"])
    de = t["DE"].to_pandas()[["credit", "days_past_due", "amount"]] if "DE" in t.names \
        else pd.DataFrame(columns=["credit", "days_past_due", "amount"])
    hd = t["HD"].to_pandas() if "HD" in t.names else pd.DataFrame()
    fmt = 2 if len(hd) and str(hd["format"].iloc[0]) == "2" else 1
    cr = cr.drop(columns=["rfc"], errors="ignore").merge(em.rename(columns={"rfc": "rfc"}), on="company", how="left")
    agg = de.groupby("credit").agg(max_days=("days_past_due", "max"), balance=("amount", "sum"))
    cr = cr.merge(agg, left_on="credit", right_index=True, how="left")
    closing = np.zeros(len(cr), bool)
    for c in _CLOSING:
        if c in cr:
            closing |= cr[c].fillna(0).to_numpy() > 0
    settled = cr["settled_on"].notna().to_numpy() if "settled_on" in cr else np.zeros(len(cr), bool)
    cr["closed_how"] = np.where(settled, "settled", np.where(closing, "quita, dación or quebranto", None))
    cr["closed"] = settled | closing
    contract = cr["contract_number"] if "contract_number" in cr else pd.Series([None] * len(cr))
    if fmt == 1 and contract.notna().all():
        cr["key"] = contract.astype(str)
    else:
        cr["key"] = cr["rfc"].fillna("").astype(str) + "\x00" + cr["position"].astype(str)
    return cr


def _rows(df: pd.DataFrame, cols) -> pa.Table:
    import pandas as pd
    out = {}
    for c in cols:
        v = df[c] if c in df else pd.Series([None] * len(df), dtype=object)
        out[c] = v.reset_index(drop=True)
    t = pa.Table.from_pandas(pd.DataFrame(out), preserve_index=False)
    for c in ("company_previous", "credit_previous", "company_current", "credit_current"):
        if c in t.column_names:
            t = t.set_column(t.schema.get_field_index(c), c, t.column(c).cast(pa.int64()))
    return t


def _as_text(v) -> Optional[str]:
    import pandas as pd
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def diff(previous, current, *, strict: bool = False, format: Optional[str] = None) -> Tables:
    """Compare last month's file (or Tables) with this month's: a Tables with ``new``, ``closed``,
    ``vanished``, ``changed`` (one row per field changed: its tag, name, both values), ``reappeared``,
    ``first_default`` (kind changed or missing); ``records`` summarises each file, ``problems`` holds
    both reads' (with ``file``). Damaged blocks are skipped (``strict=False``) and reported there."""
    import pandas as pd
    fmt = format_of(format)
    tp, tc = _tables(previous, strict, fmt.name), _tables(current, strict, fmt.name)
    p, c = _credits(tp), _credits(tc)
    m = p.merge(c, on="key", how="outer", suffixes=("_previous", "_current"), indicator=True)
    m["rfc"] = m["rfc_current"].where(m["rfc_current"].notna(), m["rfc_previous"])
    m["contract_number"] = m["contract_number_current"].where(m["contract_number_current"].notna(),
                                                              m["contract_number_previous"])
    both = m[m["_merge"] == "both"]
    ids = ["rfc", "contract_number", "company_previous", "credit_previous", "company_current", "credit_current"]
    new = m[m["_merge"] == "right_only"]
    vanished = m[(m["_merge"] == "left_only") & ~m["closed_previous"].fillna(False).astype(bool)]
    closed = m[(m["_merge"] != "left_only") & m["closed_current"].fillna(False).astype(bool)
               & ~m["closed_previous"].fillna(False).astype(bool)]
    reappeared = both[both["closed_previous"].fillna(False).astype(bool)]
    changes = []
    cr = spec.SEGMENTS["CR"]
    for name in NEVER_CHANGE:
        a, b = f"{name}_previous", f"{name}_current"
        if a not in both or b not in both:
            continue
        pa_, cb = both[a], both[b]
        differ = ~((pa_.isna() & cb.isna()) | (pa_.astype(object) == cb.astype(object)))
        for _, row in both[differ].iterrows():
            changes.append({**{k: row[k] for k in ids}, "field": cr.field(name).tag, "field_name": name,
                            "previous": _as_text(row[a]), "current": _as_text(row[b])})
    fpi = []
    if "first_default_on_previous" in both and "first_default_on_current" in both:
        days = both["max_days_current"].fillna(0)
        pv, cv = both["first_default_on_previous"], both["first_default_on_current"]
        changed = pv.notna() & cv.notna() & (pv.astype(object) != cv.astype(object))
        missing = pv.notna() & cv.isna() & (days > 0)
        for kind, mask in (("changed", changed), ("missing", missing)):
            for _, row in both[mask].iterrows():
                fpi.append({**{k: row[k] for k in ids}, "kind": kind, "previous": _as_text(row["first_default_on_previous"]),
                            "current": _as_text(row["first_default_on_current"])})
    closed = closed.assign(how=closed["closed_how_current"])
    reappeared = reappeared.assign(how=reappeared["closed_how_previous"])
    tables = {
        "new": _rows(new, ids),
        "closed": _rows(closed, ids + ["how"]),
        "vanished": _rows(vanished, ids),
        "changed": _rows(pd.DataFrame(changes, columns=ids + ["field", "field_name", "previous", "current"]),
                         ids + ["field", "field_name", "previous", "current"]),
        "reappeared": _rows(reappeared, ids + ["how"]),
        "first_default": _rows(pd.DataFrame(fpi, columns=ids + ["kind", "previous", "current"]),
                               ids + ["kind", "previous", "current"]),
    }
    records = pa.table({
        "file": ["previous", "current"],
        "period": [_period(tp), _period(tc)],
        "companies": [tp["EM"].num_rows if "EM" in tp.names else 0, tc["EM"].num_rows if "EM" in tc.names else 0],
        "credits": [len(p), len(c)],
        "balance": [int(p["balance"].fillna(0).sum()), int(c["balance"].fillna(0).sum())],
        **{name: [0, tables[name].num_rows] for name in TABLES},
    })
    probs = [t.problems.append_column("file", pa.array([f] * t.problems.num_rows, pa.large_string()))
             for f, t in (("previous", tp), ("current", tc))]
    return Tables(tables, records, pa.concat_tables(probs), fmt.name)


def _period(t: Tables):
    if "HD" not in t.names or t["HD"].num_rows == 0:
        return None
    return t["HD"].column("period")[0].as_py()
