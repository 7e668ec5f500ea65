"""A scorecard fitted with optbinning on mxbureau features scores the same with mxbureau."""
import numpy as np
import pandas as pd
import pytest

import mxbureau
from mxbureau.intl13 import synth

optbinning = pytest.importorskip("optbinning")


def test_an_optbinning_card_scores_the_same():
    from sklearn.linear_model import LogisticRegression
    t = mxbureau.read(synth.generate_bytes(3000, seed=77, separator="lf"))
    f = mxbureau.features(t, "2026-10-31")
    names = ["worst_mop_12m", "inquiries_6m", "revolving_utilization", "accounts_open"]
    X = f[names].astype(float)
    rng = np.random.default_rng(1)
    y = ((X["worst_mop_12m"].fillna(1) + X["inquiries_6m"] / 3 + rng.normal(0, 1.5, len(X))) > 3).astype(int)
    card = optbinning.Scorecard(binning_process=optbinning.BinningProcess(variable_names=names),
                                estimator=LogisticRegression(), scaling_method="min_max",
                                scaling_method_params={"min": 300, "max": 850})
    card.fit(X, y)
    ours = mxbureau.Scorecard.from_optbinning(card)
    got = ours.score(f, points=True)
    want = card.score(X)
    np.testing.assert_allclose(got["score"].to_numpy(), want, rtol=0, atol=1e-9)
    assert [c for c in got.columns if c.startswith("points_")] == [f"points_{n}" for n in names]
    # from the points table alone (no optbinning object): its bin edges are printed to 2 decimals,
    # so only values between a printed edge and the exact split may score differently
    again = mxbureau.Scorecard.from_optbinning(card.table(style="detailed")).score(f)["score"].to_numpy()
    off = np.flatnonzero(np.abs(again - want) > 1e-9)
    bp = card.binning_process_
    for i in off:
        near = [abs(X.iloc[i][n] - s) <= 0.005 for n in names for s in bp.get_binned_variable(n).splits]
        assert any(near), X.iloc[i]
    assert len(off) < 0.05 * len(want)


def test_bins_at_their_edges():
    table = pd.DataFrame({"Variable": ["x"] * 4, "Bin": ["(-inf, 1.00)", "[1.00, 3.00)", "[3.00, inf)", "Missing"],
                          "Points": [10.0, 20.0, 30.0, 5.0]})
    card = mxbureau.Scorecard.from_optbinning(table)
    s = card.score(pd.DataFrame({"x": [0.5, 1.0, 2.99, 3.0, 100.0, None]}))["score"].tolist()
    assert s == [10, 20, 20, 30, 30, 5], "right-open [a, b) bins; Missing scores nulls"
