"""Month-over-month comparison on pairs of files built for each change kind: the previous month is
the base portfolio (May), the current one (June) changes exactly one thing; every other table of the
diff stays empty."""
import datetime as dt

import pytest

from circulo_cases import D, file_of, portfolio
from mxbureau import circulo
from mxbureau.circulo.diff import TABLES


def june(change):
    """June's portfolio: May's, without the settled C3 (reported for the last time in May), then
    ``change`` applied."""
    p = portfolio(1)
    p["credits"] = [c for c in p["credits"] if c["credit_id"] != "C3"]
    p["details"] = [d for d in p["details"] if d["credit_id"] != "C3"]
    for c in p["credits"]:
        if c.get("last_payment_on"):
            c["last_payment_on"] = c["last_payment_on"] + dt.timedelta(days=30) if c["credit_id"] == "C1" else c["last_payment_on"]
    change(p)
    return file_of(p, period="2024-06")


def compare(change):
    d = circulo.diff(file_of(portfolio(1)), june(change))
    return {name: d[name].to_pylist() for name in TABLES}, d


def only(got, name):
    for other in TABLES:
        if other != name:
            assert got[other] == [], other
    return got[name]


def test_unchanged_month():
    got, d = compare(lambda p: None)
    for name in TABLES:
        assert got[name] == [], name
    rec = d.records.to_pylist()
    assert [r["credits"] for r in rec] == [3, 2] and [r["period"] for r in rec] == [D(2024, 5, 1), D(2024, 6, 1)]


def test_new_credit():
    def add(p):
        p["credits"].append(dict(p["credits"][0], credit_id="C4", contract_number="C4"))
        p["details"].append(dict(credit_id="C4", days_past_due=0, amount=1000))
    rows = only(compare(add)[0], "new")
    assert [(r["contract_number"], r["company_current"], r["credit_current"], r["credit_previous"]) for r in rows] \
        == [("C4", 0, 2, None)]


def test_closed_credit():
    def settle(p):
        p["credits"][0].update(settled_on=D(2024, 6, 10), outstanding_principal=0)
        p["details"][0].update(amount=0)
    rows = only(compare(settle)[0], "closed")
    assert [(r["contract_number"], r["how"]) for r in rows] == [("C1", "settled")]


def test_vanished_credit():
    def drop(p):
        p["credits"] = [c for c in p["credits"] if c["credit_id"] != "C2"]
        p["details"] = [d for d in p["details"] if d["credit_id"] != "C2"]
        p["guarantors"] = []
    rows = only(compare(drop)[0], "vanished")
    assert [(r["contract_number"], r["credit_previous"], r["credit_current"]) for r in rows] == [("C2", 1, None)]


@pytest.mark.parametrize("name,value,tag", [("opened_on", D(2020, 2, 15), "04"), ("term_days", 720, "05"),
                                            ("credit_type", "1305", "06"), ("initial_balance", 90000, "07"),
                                            ("currency", "002", "08")])
def test_never_change_fields(name, value, tag):
    rows = only(compare(lambda p: p["credits"][0].update({name: value}))[0], "changed")
    assert [(r["contract_number"], r["field"], r["field_name"]) for r in rows] == [("C1", tag, name)]
    assert rows[0]["current"] == (value.isoformat() if hasattr(value, "isoformat") else str(value))


def test_settled_credit_reappears():
    def keep_c3(p):
        base = portfolio(1)
        p["credits"].append(base["credits"][2])
        p["details"].append(base["details"][3])
    rows = only(compare(keep_c3)[0], "reappeared")
    assert [(r["contract_number"], r["how"]) for r in rows] == [("C3", "settled")]


def test_charged_off_credit_reappears():
    prev = portfolio(1)
    prev["credits"][2].update(settled_on=None, charge_off=5000, observation_code="CV", credit_type="6280", term_days=0)
    cur = portfolio(1)
    cur["credits"][2].update(settled_on=None, charge_off=5000, observation_code="CV", credit_type="6280", term_days=0)
    d = circulo.diff(file_of(prev), file_of(cur, period="2024-06"))
    assert [(r["contract_number"], r["how"]) for r in d["reappeared"].to_pylist()] == [("C3", "quita, dación or quebranto")]


def test_first_default_reported_inconsistently():
    rows = only(compare(lambda p: p["credits"][1].update(first_default_on=D(2024, 2, 1)))[0], "first_default")
    assert [(r["contract_number"], r["kind"], r["previous"], r["current"]) for r in rows] == [
        ("C2", "changed", "2024-04-01", "2024-02-01")]
    d = circulo.diff(file_of(portfolio(1)), june(lambda p: p["credits"][1].update(first_default_on=None)))
    assert [(r["contract_number"], r["kind"]) for r in d["first_default"].to_pylist()] == [("C2", "missing")]


def test_format_2_keys_by_company_and_place():
    prev, cur = portfolio(2), portfolio(2)
    cur["details"] = [d for d in cur["details"] if d["days_past_due"] != 59]
    d = circulo.diff(file_of(prev, 2), file_of(cur, 2, period="2024-06"))
    assert all(d[name].num_rows == 0 for name in TABLES)
    cur["credits"].append(dict(company_id="A", credit_id="K3", credit_experiences=1, currency="001",
                               outstanding_principal=1, max_credit_used=1))
    cur["details"].append(dict(credit_id="K3", days_past_due=0, amount=1))
    d = circulo.diff(file_of(prev, 2), file_of(cur, 2, period="2024-06"))
    assert [(r["rfc"], r["credit_current"]) for r in d["new"].to_pylist()] == [("ABC800101AB1", 1)]
