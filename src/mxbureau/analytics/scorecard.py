"""Points-table scorecards: features -> score and the top adverse reason codes, vectorized.

A scorecard is JSON::

    {"name": "example", "base": 600,
     "features": [
       {"feature": "worst_mop_12m", "reason": "R01",
        "bins": [{"max": 1, "points": 40}, {"max": 2, "points": 0}, {"points": -60}],
        "missing": 10},
       ...]}

Bins are read in order: a value falls in the first bin whose ``max`` it does not exceed (a last bin
without ``max`` takes everything above; without one, values above the last max fall in the last bin);
with ``"right": false`` on a feature its bins are right-open: a value falls in the first bin whose
``max`` it is below (optbinning's ``[a, b)`` intervals). ``missing`` scores null values (0 when
absent). The score is ``base`` + the points of every feature. A feature's shortfall is its best possible points minus the
points it got; the reason codes of a customer are those of the 3 features with the largest shortfall
(ties: the card's order), skipping features with none.
"""
from __future__ import annotations

import json
from typing import Dict, List

import numpy as np
import pandas as pd

from ..errors import UnknownNameError, UsageError
from ..samples import scorecard_example_path

__all__ = ["Scorecard", "from_optbinning_table"]


class Scorecard:
    def __init__(self, spec: Dict):
        self.name = spec.get("name", "scorecard")
        self.base = float(spec.get("base", 0))
        self.features: List[Dict] = []
        for f in spec["features"]:
            bins = f["bins"]
            if not bins or any("points" not in b for b in bins):
                raise UsageError(f"scorecard feature {f.get('feature')!r}: bins need points")
            maxes = [b.get("max") for b in bins]
            finite = maxes[:-1] if maxes[-1] is None else maxes
            if None in finite or finite != sorted(finite):
                raise UsageError(f"scorecard feature {f['feature']!r}: bins must ascend, only the last without max")
            self.features.append({"feature": f["feature"], "reason": f.get("reason", f["feature"]),
                                  "side": "left" if f.get("right", True) else "right",
                                  "max": [float(m) for m in maxes if m is not None],
                                  "points": np.array([float(b["points"]) for b in bins]),
                                  "missing": float(f.get("missing", 0.0)), "open_top": maxes[-1] is None})

    @classmethod
    def from_optbinning(cls, card, name: str = "optbinning") -> "Scorecard":
        """A card from optbinning: its fitted ``optbinning.Scorecard``, or the points table that
        ``Scorecard.table()`` returns (columns Variable, Bin, Points; "basic" or "detailed" style: its
        bin edges are printed rounded, so the fitted card, whose exact split points are read from its
        binning process, scores exactly as optbinning does; the table alone to the edges' printed
        precision). Numerical variables only (optbinning's ``[a, b)`` bins become right-open bins);
        the points of its Missing bin score null values; base 0, as optbinning adds the points alone."""
        if hasattr(card, "table"):
            bp = card.binning_process_
            splits = {v: list(bp.get_binned_variable(v).splits) for v in card.table(style="summary")["Variable"].unique()}
            return cls(from_optbinning_table(card.table(style="detailed"), name, splits))
        return cls(from_optbinning_table(card, name))

    @classmethod
    def example(cls) -> "Scorecard":
        """The bundled example card (``mxbureau/data/scorecard_example.json``)."""
        return cls.from_json(scorecard_example_path())

    @classmethod
    def from_json(cls, path_or_text: str) -> "Scorecard":
        text = path_or_text
        if not path_or_text.lstrip().startswith("{"):
            with open(path_or_text, encoding="utf-8") as fh:
                text = fh.read()
        return cls(json.loads(text))

    def score(self, features: pd.DataFrame, reasons: int = 3, points: bool = False) -> pd.DataFrame:
        """-> DataFrame (index as ``features``): score, reason_1..reason_n, and with ``points`` the
        points of each feature (``points_<feature>``)."""
        n = len(features)
        total = np.full(n, self.base)
        each = {}
        shortfall = np.zeros((n, len(self.features)))
        for j, f in enumerate(self.features):
            if f["feature"] not in features:
                raise UnknownNameError(f"the scorecard needs feature {f['feature']!r}")
            x = pd.to_numeric(features[f["feature"]], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            k = np.searchsorted(np.array(f["max"]), x, side=f["side"])  # the first bin x <= max (or x < max)
            if not f["open_top"]:
                k = np.minimum(k, len(f["points"]) - 1)
            pts = np.where(np.isnan(x), f["missing"], f["points"][np.minimum(k, len(f["points"]) - 1)])
            total += pts
            each[f"points_{f['feature']}"] = pts
            best = max(f["points"].max(), f["missing"])
            shortfall[:, j] = best - pts
        out = pd.DataFrame({"score": total}, index=features.index)
        order = np.argsort(-shortfall, axis=1, kind="stable")
        codes = np.array([f["reason"] for f in self.features], dtype=object)
        for r in range(reasons):
            col = order[:, r] if r < len(self.features) else np.zeros(n, int)
            has = (shortfall[np.arange(n), col] > 0) if r < len(self.features) else np.zeros(n, bool)
            out[f"reason_{r + 1}"] = np.where(has, codes[col], None)
        if points:
            for k, v in each.items():
                out[k] = v
        return out


def from_optbinning_table(table: pd.DataFrame, name: str = "optbinning", splits: Dict = None) -> Dict:
    """An optbinning points table (columns Variable, Bin, Points) -> a scorecard spec (see above).
    ``splits``: variable -> its exact split points (else the table's printed bin edges are used)."""
    need = {"Variable", "Bin", "Points"}
    if not need <= set(table.columns):
        raise UsageError(f"an optbinning points table has columns {sorted(need)}")
    feats = []
    for var, rows in table.groupby("Variable", sort=False):
        bins, missing = [], 0.0
        for b, p in zip(rows["Bin"], rows["Points"]):
            if isinstance(b, str) and b in ("Missing", "Special"):
                if b == "Missing":
                    missing = float(p)
                continue
            if not isinstance(b, str) or not b.endswith(")") or "," not in b:
                raise UsageError(f"optbinning variable {var!r}: only numerical bins ([a, b)) are supported")
            hi = b.rsplit(",", 1)[1].strip(" )")
            bins.append({"points": float(p)} if hi == "inf" else {"max": float(hi), "points": float(p)})
        if splits is not None and var in splits:
            edges = [float(x) for x in splits[var]]
            if len(edges) != len(bins) - 1:
                raise UsageError(f"optbinning variable {var!r}: {len(edges)} split points for {len(bins)} bins")
            for b, edge in zip(bins, edges):
                b["max"] = edge
        feats.append({"feature": var, "reason": var, "bins": bins, "missing": missing, "right": False})
    return {"name": name, "base": 0, "features": feats}
