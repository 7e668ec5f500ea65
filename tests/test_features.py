"""Customer features, roll rates and the RS cross-check against plain-Python computations."""
import collections
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import mxbureau
from mxbureau import portfolio as F, synth, writer

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def portfolio():
    return mxbureau.read(synth.generate_bytes(500, seed=21))


def months_back(d):
    return (AS_OF.year * 12 + AS_OF.month) - (d.year * 12 + d.month)


def test_features_match_plain_python(portfolio):
    f = F.features(portfolio, AS_OF)
    tl = portfolio["TL"].to_pylist()
    iq = portfolio["IQ"].to_pylist()
    sc = portfolio["SC"].to_pylist()
    kinds = portfolio.records.column("kind").to_pylist()
    assert list(f.index) == [i for i, k in enumerate(kinds) if k in ("hit", "nohit")]
    by = collections.defaultdict(list)
    for row in tl:
        by[row["record"]].append(row)
    for r in f.index:
        accts = by.get(r, [])
        assert f.at[r, "accounts_open"] == sum(a["closed_on"] is None for a in accts)
        assert f.at[r, "accounts_open_revolving"] == sum(a["closed_on"] is None and a["account_type"] == "R" for a in accts)
        bal = [a["balance"] for a in accts if a["balance"] is not None]
        assert (pd.isna(f.at[r, "total_balance"]) if not bal else f.at[r, "total_balance"] == sum(bal))
        revs = [a for a in accts if a["closed_on"] is None and a["account_type"] == "R" and (a["credit_limit"] or 0) > 0]
        if revs and all(a["balance"] is not None for a in revs):
            assert f.at[r, "revolving_utilization"] == pytest.approx(sum(a["balance"] for a in revs) / sum(a["credit_limit"] for a in revs))
        assert f.at[r, "inquiries_6m"] == sum(1 for q in iq if q["record"] == r and 0 <= months_back(q["inquired_on"]) < 6)
        bc = [s["score"] for s in sc if s["record"] == r and s["score_code"] == "507"]
        if bc and bc[0] is not None and bc[0] >= 0:
            assert f.at[r, "bc_score"] == bc[0] and pd.isna(f.at[r, "bc_score_exclusion"])
        elif bc and bc[0] is not None:
            assert pd.isna(f.at[r, "bc_score"]) and f.at[r, "bc_score_exclusion"] == -bc[0]
    assert (f["worst_mop_24m"].dropna() >= f["worst_mop_3m"].dropna().reindex(f["worst_mop_24m"].dropna().index).fillna(0)).all()


def test_roll_rates_count_every_rated_transition(portfolio):
    rr = F.roll_rates(portfolio, AS_OF, months=12)
    counts = rr.attrs["counts"]
    rows = rr.to_numpy()
    assert np.allclose(np.nansum(rows, axis=1)[counts.sum(axis=1).to_numpy() > 0], 1.0)
    bucket = lambda ch: None if ch not in "12345679" else min(int(ch), 5) - 1 if ch != "9" else 4
    want = np.zeros((5, 5), dtype=int)
    for a in portfolio["TL"].to_pylist():
        h, latest = a["payment_history"], a["history_latest_on"]
        if h is None or latest is None:
            continue
        cols = {}
        for k, ch in enumerate(h):
            col = months_back(latest) + k
            if 0 <= col <= 12:
                cols[col] = bucket(ch)
        for j in range(12):
            if cols.get(j) is not None and cols.get(j + 1) is not None:
                want[cols[j + 1], cols[j]] += 1
    assert (counts.to_numpy() == want).all() and want.sum() > 1000


def test_rs_crosscheck(portfolio):
    assert F.rs_crosscheck(portfolio).empty, "the generator's RS agrees with its TL segments"
    rec = writer.record_bytes({"kind": "hit", "control_number": "1", "segments": [
        ("PN", {"paternal_surname": "A"}),
        ("TL", {"updated_on": "01012020", "mop": "02", "account_type": "R", "payment_history": "21"}),
        ("TL", {"updated_on": "01012020", "mop": "01", "account_type": "I", "payment_history": "12",
                "closed_on": "01012021"}),
        ("RS", {"integrated_on": "01012000", "accounts_total": "0002", "accounts_mop02": "01", "accounts_mop01": "01",
                "accounts_closed": "0001", "accounts_delinquent_now": "0001", "accounts_delinquent_ever": "0000",
                "accounts_revolving": "0001", "accounts_installment": "0001"})]})
    diff = F.rs_crosscheck(mxbureau.read(rec))
    assert diff.to_dict("records") == [{"record": 0, "field": "accounts_delinquent_ever", "bureau": 0, "recomputed": 1}]


CARD = {"name": "t", "base": 100, "features": [
    {"feature": "a", "reason": "RA", "bins": [{"max": 1, "points": 10}, {"max": 5, "points": 0}, {"points": -20}],
     "missing": 5},
    {"feature": "b", "reason": "RB", "bins": [{"max": 0, "points": 3}, {"points": -1}]}]}


def test_scorecard_points_and_reasons():
    from mxbureau import Scorecard
    f = pd.DataFrame({"a": [0, 1, 2, 5, 6, None], "b": [0, 1, 0, 7, 1, 0]}, index=[10, 11, 12, 13, 14, 15])
    s = Scorecard(CARD).score(f)
    assert s["score"].tolist() == [113, 109, 103, 99, 79, 108]
    # shortfalls: a best 10, b best 3
    assert s.loc[13, ["reason_1", "reason_2"]].tolist() == ["RA", "RB"]
    assert s.loc[11, "reason_1"] == "RB" and pd.isna(s.loc[11, "reason_2"])
    assert pd.isna(s.loc[10, "reason_1"]) and list(s.index) == list(f.index)
    with pytest.raises(ValueError):
        Scorecard({"features": [{"feature": "a", "bins": [{"max": 5, "points": 1}, {"max": 2, "points": 0}]}]})
    with pytest.raises(KeyError):
        Scorecard(CARD).score(pd.DataFrame({"a": [1]}))


def test_features_and_score_commands(tmp_path):
    from mxbureau import cli
    src = tmp_path / "p.intl"
    src.write_bytes(synth.generate_bytes(120, seed=6))
    assert cli.main(["features", str(src), "-o", str(tmp_path / "f.parquet"), "--as-of", "2026-10-31"]) == 0
    f = pd.read_parquet(tmp_path / "f.parquet")
    assert f.equals(F.features(mxbureau.read(str(src)), "2026-10-31"))
    card = tmp_path / "card.json"
    import json
    card.write_text(json.dumps(CARD).replace('"a"', '"worst_mop_12m"').replace('"b"', '"inquiries_6m"'))
    assert cli.main(["score", str(src), "-o", str(tmp_path / "s.parquet"), "--as-of", "2026-10-31",
                     "--scorecard", str(card)]) == 0
    s = pd.read_parquet(tmp_path / "s.parquet")
    assert len(s) == len(f) and s["score"].between(100 - 20 - 1, 100 + 10 + 3).all()
    assert cli.main(["score", str(src), "-o", str(tmp_path / "s2.parquet"), "--as-of", "2026-10-31"]) == 0


def test_features_do_not_depend_on_the_order_of_account_rows(portfolio):
    tl = portfolio["TL"]
    perm = np.random.default_rng(0).permutation(tl.num_rows)
    shuffled = mxbureau.Tables({**dict(portfolio.items()), "TL": tl.take(perm)}, portfolio.records, portfolio.problems)
    a = F.features(portfolio, AS_OF)
    b = F.features(shuffled, AS_OF)
    pd.testing.assert_frame_equal(a, b)


def test_month_index_inside_and_outside_its_table():
    from mxbureau.history import _month_index
    days = np.array(["1899-12-31", "1900-01-01", "1970-01-15", "2026-10-31", "2199-12-31", "2200-01-01"],
                    dtype="datetime64[D]")
    want = days.astype("datetime64[M]").astype(np.int64)
    assert (_month_index(days.astype(np.int64)) == want).all()
    assert (_month_index(days[1:5].astype(np.int64)) == want[1:5]).all()
