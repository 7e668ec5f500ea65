"""Customer features, roll rates and the RS cross-check against plain-Python computations."""
import collections
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import mxbureau
from mxbureau import features, roll_rates, rs_crosscheck
from mxbureau.intl13 import synth, writer

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def portfolio():
    return mxbureau.read(synth.generate_bytes(500, seed=21))


def months_back(d):
    return (AS_OF.year * 12 + AS_OF.month) - (d.year * 12 + d.month)


def test_features_match_plain_python(portfolio):
    f = features(portfolio, AS_OF)
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
        # the record's first BC Score of either family (507, or 007 of an integrated report)
        bc = [s for s in sc if s["record"] == r and s["score_code"] in ("507", "007", "107")]
        if not bc:
            assert pd.isna(f.at[r, "bc_score"]) and pd.isna(f.at[r, "bc_score_exclusion"])
        elif bc[0]["exclusion_code"] is not None:
            assert pd.isna(f.at[r, "bc_score"]) and f.at[r, "bc_score_exclusion"] == int(bc[0]["exclusion_code"][1:])
        elif bc[0]["score"] is not None:
            assert f.at[r, "bc_score"] == bc[0]["score"] and pd.isna(f.at[r, "bc_score_exclusion"])
        icc = [s["score"] for s in sc if s["record"] == r and s["score_code"] in ("504", "004")]
        assert (pd.isna(f.at[r, "icc"]) if not icc or icc[0] is None else f.at[r, "icc"] == icc[0])
    assert (f["worst_mop_24m"].dropna() >= f["worst_mop_3m"].dropna().reindex(f["worst_mop_24m"].dropna().index).fillna(0)).all()


def test_scores_of_both_product_families():
    """BC Score and ICC of an Informe Buró (507, 504) and of an integrated Reporte de Crédito (007,
    004: Anexo 14), and Prospector's BC Score (107). The issue's reply: SC08BC SCORE0003007 with a
    score of 0711 gave bc_score = NaN. Exclusions (Anexo 6, negative) are not scores."""
    def rec(*scores):
        return writer.record_bytes({"kind": "hit", "control_number": "1", "segments": [("PN", {"paternal_surname": "A"})] + [
            ("SC", dict(zip(("score_name", "score_code", "score"), s))) for s in scores]})
    data = b"".join([rec(("BC SCORE", "007", "0711")),
                     rec(("ICC", "004", "0006"), ("BC SCORE", "007", "0655")),
                     rec(("ICC", "504", "0003"), ("BC SCORE", "507", "0702")),
                     rec(("BC SCORE", "107", "0580")),
                     rec(("BC SCORE", "007", "-008")),
                     rec(("BC SCORE", "507", "-9"))])
    f = features(mxbureau.read(data), AS_OF)
    assert f["bc_score"].tolist()[:4] == [711, 655, 702, 580] and f["bc_score"].isna().tolist()[4:] == [True, True]
    assert f["bc_score_exclusion"].tolist()[4:] == [8, 9] and f["bc_score_exclusion"].isna().tolist()[:4] == [True] * 4
    assert f["icc"].tolist()[1:3] == [6, 3] and pd.isna(f["icc"].iloc[0])


def test_roll_rates_count_every_rated_transition(portfolio):
    rr = roll_rates(portfolio, AS_OF, months=12)
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
    assert rs_crosscheck(portfolio).empty, "the generator's RS agrees with its TL segments"
    rec = writer.record_bytes({"kind": "hit", "control_number": "1", "segments": [
        ("PN", {"paternal_surname": "A"}),
        ("TL", {"updated_on": "01012020", "mop": "02", "account_type": "R", "payment_history": "21"}),
        ("TL", {"updated_on": "01012020", "mop": "01", "account_type": "I", "payment_history": "12",
                "closed_on": "01012021"}),
        ("RS", {"integrated_on": "01012000", "accounts_total": "0002", "accounts_mop02": "01", "accounts_mop01": "01",
                "accounts_closed": "0001", "accounts_delinquent_now": "0001", "accounts_delinquent_ever": "0000",
                "accounts_revolving": "0001", "accounts_installment": "0001"})]})
    diff = rs_crosscheck(mxbureau.read(rec))
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


def _customer(ref, tls=(), iqs=()):
    segs = [("PN", {"paternal_surname": "PRUEBA", "first_name": "UNO"})]
    segs += [("TL", {"updated_on": "31102026", "account_number": "1", "account_type": "R", "mop": "01",
                     "payment_history": h, "history_latest_on": "31102026"}) for h in tls]
    segs += [("IQ", {"inquired_on": d, "contract_type": "CC"}) for d in iqs]
    return writer.record_bytes({"kind": "hit", "reference": ref, "member_code": "BC12345678",
                                "control_number": "1", "segments": segs})


def test_features_and_score_commands(tmp_path):
    """The CLI's features and scores for hand-built customers, worked out by hand with CARD (a =
    worst_mop_12m: <= 1 -> 10, <= 5 -> 0, else -20, missing 5; b = inquiries_6m: 0 -> 3, else -1;
    base 100):
    R0: history 1111.. (worst 1 -> 10), 2 inquiries in Sep/Oct 2026 (-1): 109, reason RB (3 - -1 = 4 short);
    R1: history 3211.. (worst 3 -> 0), no inquiry (3): 103, reason RA (10 short);
    R2: no account (missing -> 5), one inquiry 8 months back (outside 6 months: 3): 108, reason RA."""
    from mxbureau import cli
    src = tmp_path / "p.intl"
    error = writer.record_bytes({"kind": "error", "segments": [("UR", {"reference": "R9".rjust(25), "bad_request": "XXXX"})]})
    src.write_bytes(b"\n".join([_customer("R0", ["1" * 24], ["15092026", "01102026"]),
                                 _customer("R1", ["3211" + "1" * 20]),
                                 _customer("R2", [], ["15022026"]), error]))
    assert cli.main(["features", str(src), "-o", str(tmp_path / "f.parquet"), "--as-of", "2026-10-31"]) == 0
    f = pd.read_parquet(tmp_path / "f.parquet")
    assert list(f.index) == [0, 1, 2], "one row per response record; the error record is not a customer"
    assert f["worst_mop_12m"].tolist()[:2] == [1, 3] and pd.isna(f["worst_mop_12m"].iloc[2])
    assert f["inquiries_6m"].tolist() == [2, 0, 0] and f["accounts_open"].tolist() == [1, 1, 0]
    card = tmp_path / "card.json"
    import json
    card.write_text(json.dumps(CARD).replace('"a"', '"worst_mop_12m"').replace('"b"', '"inquiries_6m"'))
    assert cli.main(["score", str(src), "-o", str(tmp_path / "s.parquet"), "--as-of", "2026-10-31",
                     "--scorecard", str(card)]) == 0
    s = pd.read_parquet(tmp_path / "s.parquet")
    assert s["score"].tolist() == [109, 103, 108]
    assert s["reason_1"].tolist() == ["RB", "RA", "RA"] and s["reason_2"].isna().all()
    assert cli.main(["score", str(src), "-o", str(tmp_path / "s2.parquet"), "--as-of", "2026-10-31"]) == 0


def test_features_do_not_depend_on_the_order_of_account_rows(portfolio):
    tl = portfolio["TL"]
    perm = np.random.default_rng(0).permutation(tl.num_rows)
    shuffled = mxbureau.Tables({**dict(portfolio.items()), "TL": tl.take(perm)}, portfolio.records, portfolio.problems)
    a = features(portfolio, AS_OF)
    b = features(shuffled, AS_OF)
    pd.testing.assert_frame_equal(a, b)


def test_month_index_inside_and_outside_its_table():
    from mxbureau.analytics.arrow import month_index as _month_index
    days = np.array(["1899-12-31", "1900-01-01", "1970-01-15", "2026-10-31", "2199-12-31", "2200-01-01"],
                    dtype="datetime64[D]")
    want = days.astype("datetime64[M]").astype(np.int64)
    assert (_month_index(days.astype(np.int64)) == want).all()
    assert (_month_index(days[1:5].astype(np.int64)) == want[1:5]).all()
