"""The payment-history matrix and per-account metrics, against the manual and a plain-Python oracle."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import mxbureau
from mxbureau.analytics import history
from mxbureau.intl13 import synth, writer
from mxbureau.baselines import python_account_metrics

MANUAL_TL = {"updated_on": "15102010", "payment_history": "11112111111112111-111111",
             "history_latest_on": "05092010", "worst_mop": "02", "worst_delinquency_on": "11052010", "mop": "01"}


def one(tl, **more):
    return mxbureau.read(writer.record_bytes({"kind": "hit", "control_number": "1", "segments": [
        ("PN", {"paternal_surname": "A"}), ("TL", dict(tl, **more))]}))


def test_manual_example_worst_mop_month():
    """The manual's TL: latest 05092010, worst MOP 02 dated 11052010 -> the 2 at position 4 is May 2010."""
    t = one(MANUAL_TL)
    m = history.matrix(t["TL"], "2010-09-30")
    assert m.dtype == np.int8 and m.shape == (1, 24)
    assert m[0, :6].tolist() == [1, 1, 1, 1, 2, 1]
    may = (2010 * 12 + 9) - (2010 * 12 + 5)
    assert m[0, may] == 2 and m[0, 17] == history.NOT_REPORTED
    met = history.account_metrics(t, "2010-09-30").iloc[0]
    assert met["months_since_delinquency"] == 4 and met["worst_mop_3m"] == 1 and met["worst_mop_6m"] == 2
    assert met["delinquent_months_24m"] == 2 and met["current_streak_months"] == 4
    assert met["unreported_months_24m"] == 1 and not met["ever_90_plus"] and met["is_open"]


def test_alignment_drops_months_after_as_of_and_pads_no_data():
    t = one(MANUAL_TL)
    m = history.matrix(t["TL"], "2010-07-01")                # two months before the latest month
    assert m[0, :3].tolist() == [1, 1, 2]                   # July, June, May
    assert m[0, 22:].tolist() == [history.NO_DATA] * 2       # past the 24 characters
    m = history.matrix(t["TL"], dt.date(2011, 1, 31))        # four months after
    assert m[0, :4].tolist() == [history.NO_DATA] * 4 and m[0, 4:6].tolist() == [1, 1]


def test_every_code_has_its_value():
    t = one(MANUAL_TL, payment_history="1234567902UD- X")
    m = history.matrix(t["TL"], "2010-09-05")
    assert m[0, :15].tolist() == [1, 2, 3, 4, 5, 6, 7, 9, history.TOO_NEW, 2, history.NO_INFORMATION,
                                   history.ANNULLED, history.NOT_REPORTED, history.REMOVED, history.INVALID]
    t = one(MANUAL_TL, payment_history=None)
    assert (history.matrix(t["TL"], "2010-09-05") == history.NO_DATA).all()


def test_metrics_match_the_oracle_on_a_generated_portfolio():
    t = mxbureau.read(synth.generate_bytes(400, seed=12))
    as_of = dt.date(2026, 10, 31)
    got = history.account_metrics(t, as_of)
    rows = t["TL"].to_pylist()
    assert len(got) == len(rows) > 1000
    # the oracle: the straightforward loop the benchmarks measure against
    for i, want in enumerate(python_account_metrics(rows, as_of)):
        for k, v in want.items():
            if k in ("balance", "account_type"):
                continue
            g = got[k].iloc[i]
            if v is None:
                assert pd.isna(g), (i, k)
            elif isinstance(v, float):
                assert g == pytest.approx(v), (i, k)
            else:
                assert g == v, (i, k, g, v)
