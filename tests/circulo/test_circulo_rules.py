"""Every validation rule (spec.RULES) with a file that breaks it exactly once -- and nothing else
fires. The files are the hand-built portfolios of circulo_cases.py, each changed in one field or one
segment, so what should fire is known from the manual's text, not from the code."""
import datetime as dt

import pytest

from circulo_cases import D, PERIOD_END, file_of, found, nth, patch, portfolio
from mxbureau import circulo
from mxbureau.circulo import spec


def p1():
    return portfolio(1)


def p2():
    return portfolio(2)


def with_(p, table, i, **kw):
    p[table][i].update(kw)
    return p


def late(days):
    return PERIOD_END + dt.timedelta(days=days)


def base1():
    return file_of(p1())


def cut(data, start, n):
    return data[:start] + data[start + n:]


def swap_ac_after_first_cr(data):
    ac, cr, de = nth(data, "AC", 0), nth(data, "CR", 0), nth(data, "DE", 0)
    a = data[ac:ac + 700]
    crde = data[cr:de + 150]
    return data[:ac] + crde + a + data[de + 150:]


def legacy_header(data):
    hd = data[:100]
    return hd[:45] + b"06" + b" " * 53 + data[100:]


def drop_block_credits(data, k):
    """Company k without its CRs and DEs (its EM and ACs kept)."""
    segs = circulo.read(data)["segments"].to_pylist()
    keep = [s for s in segs if not (s["company"] == k and s["tag"] in ("CR", "DE", "AV"))]
    lengths = {s.tag: s.length for s in spec.CIRCULO_5.segments}
    return b"".join(data[s["offset"]:s["offset"] + lengths[s["tag"]]] for s in keep)


def drop_segment(data, tag, k):
    o = nth(data, tag, k)
    return cut(data, o, spec.SEGMENTS[tag].length)


# (name, bytes, the findings expected: (rule, segment, field_name))
CASES = [
    ("S01 between blocks", lambda: (lambda d: d[:nth(d, "EM", 1)] + b"XYZ" + d[nth(d, "EM", 1):])(base1()),
     [("S01", None, None)]),
    ("S01 inside a block", lambda: (lambda d: d[:nth(d, "CR", 1)] + b"XYZ" + d[nth(d, "CR", 1):])(base1()),
     [("S01", None, None)]),
    ("S02 short CR", lambda: (lambda d: cut(d, nth(d, "CR", 0) + 40, 3))(base1()), [("S02", "CR", None)]),
    ("S03 DE identifier", lambda: (lambda d: d[:nth(d, "DE", 0) + 2] + b"XX" + d[nth(d, "DE", 0) + 4:])(base1()),
     [("S03", "DE", None)]),
    ("S04 CR field tag", lambda: (lambda d: d[:nth(d, "CR", 0) + 91] + b"5X" + d[nth(d, "CR", 0) + 93:])(base1()),
     [("S04", "CR", "term_days")]),
    ("S05 HD repeated", lambda: (lambda d: d[:nth(d, "EM", 1)] + d[:100] + d[nth(d, "EM", 1):])(base1()),
     [("S05", "HD", None)]),
    ("S05 HD missing", lambda: base1()[100:], [("S05", "HD", None)]),
    ("S06 TS missing", lambda: base1()[:-100], [("S06", "TS", None)]),
    ("S06 data after TS", lambda: base1() + b"XYZ", [("S06", None, None)]),
    ("S07 AC after a credit", lambda: swap_ac_after_first_cr(base1()), [("S07", "AC", None)]),
    ("S08 company without credits", lambda: drop_block_credits(base1(), 1), [("S08", "EM", None)]),
    ("S09 credit without detail", lambda: drop_segment(base1(), "DE", 3), [("S09", "CR", None)]),
    ("S10 two current details", lambda: file_of({**p1(), "details": p1()["details"] + [dict(credit_id="C1", days_past_due=0, amount=1)]}),
     [("S10", "DE", "days_past_due")]),
    ("S10 format 2 bucket twice", lambda: file_of({**p2(), "details": p2()["details"] + [dict(credit_id="K2", days_past_due=29, amount=1)]}, 2),
     [("S10", "DE", "days_past_due")]),
    ("S11 legacy header", lambda: legacy_header(base1()), [("S11", "HD", "filler")]),
    ("T01 company count", lambda: patch(base1(), "TS", "company_count", b"0000003"), [("T01", "TS", "company_count")]),
    ("T02 total amount", lambda: patch(base1(), "TS", "total_amount", b"0" * 29 + b"1"), [("T02", "TS", "total_amount")]),
    ("F01 required field", lambda: file_of(with_(p1(), "companies", 0, address_line1=None)), [("F01", "EM", "address_line1")]),
    ("F01 domestic colonia", lambda: file_of(with_(p1(), "companies", 0, neighborhood=None)), [("F01", "EM", "neighborhood")]),
    ("F01 foreign state", lambda: file_of(with_(p1(), "companies", 0, country="US", state=None, neighborhood=None,
                                                postal_code="77002")), [("F01", "EM", "foreign_state")]),
    ("F01 PFAE names", lambda: file_of(with_(p1(), "companies", 1, paternal_surname=None)), [("F01", "EM", "paternal_surname")]),
    ("F01 format-2 shareholder address", lambda: file_of({**p2(), "shareholders": [dict(
        company_id="A", rfc="XYZ900202CD3", company_name="INVERSIONES XYZ SA", share_pct=60, client_type="1",
        municipality="CUAUHTEMOC")]}, 2), [("F01", "AC", "address_line1"), ("F01", "AC", "neighborhood"),
                                           ("F01", "AC", "state"), ("F01", "AC", "postal_code")]),
    ("F02 numeric", lambda: patch(base1(), "CR", "term_days", b"00A60"), [("F02", "CR", "term_days")]),
    ("F03 date", lambda: patch(base1(), "CR", "last_payment_on", b"31022024"), [("F03", "CR", "last_payment_on")]),
    ("F03 period", lambda: patch(base1(), "HD", "period", b"132024"), [("F03", "HD", "period")]),
    ("F04 special flag", lambda: file_of(with_(p1(), "credits", 0, special_flag="X")), [("F04", "CR", "special_flag")]),
    ("F04 format", lambda: patch(base1(), "HD", "format", b"3"), [("F04", "HD", "format")]),
    ("F04 version", lambda: patch(base1(), "HD", "version", b"05"), [("F04", "HD", "version")]),
    ("F04 client type", lambda: patch(base1(), "EM", "client_type", b"9"), [("F04", "EM", "client_type")]),
    ("F04 state", lambda: file_of(with_(p1(), "companies", 0, state="XX")), [("F04", "EM", "state")]),
    ("F04 country", lambda: file_of(with_(p1(), "companies", 0, nationality="M1")), [("F04", "EM", "nationality")]),
    ("F04 format-2 bucket", lambda: file_of(with_(p2(), "details", 2, days_past_due=45), 2), [("F04", "DE", "days_past_due")]),
    ("F05 moral RFC", lambda: file_of(with_(p1(), "companies", 0, rfc="AB1800101AB1")), [("F05", "EM", "rfc")]),
    ("F05 shareholder homoclave", lambda: file_of(with_(p1(), "shareholders", 0, rfc="XYZ900202")), [("F05", "AC", "rfc")]),
    ("F05 fideicomiso Tema 5", lambda: file_of(with_(p1(), "companies", 0, client_type="3", rfc="CNBF240101001")),
     [("F05", "EM", "rfc")]),
    ("F06 filler", lambda: patch(base1(), "DE", "filler", b"X"), [("F06", "DE", "filler")]),
    ("F07 no aplica", lambda: file_of(with_(p1(), "credits", 0, credit_experiences=5)), [("F07", "CR", "credit_experiences")]),
    ("F07 format-2 contract", lambda: file_of(with_(p2(), "credits", 0, contract_number="X1"), 2), [("F07", "CR", "contract_number")]),
    ("F08 control character", lambda: patch(base1(), "EM", "address_line2", b"PISO\x013"), [("F08", "EM", "address_line2")]),
    ("V01 guarantor RFC", lambda: file_of(with_(p1(), "guarantors", 0, rfc="ABC800101AB1", client_type="1",
                                                company_name="ABC", first_name=None, paternal_surname=None,
                                                maternal_surname=None)), [("V01", "AV", "rfc")]),
    ("V02 shareholder RFC", lambda: file_of(with_(p1(), "shareholders", 0, rfc="ABC800101AB1")), [("V02", "AC", "rfc")]),
    ("V03 credit RFC", lambda: file_of(with_(p1(), "credits", 0, rfc="DEF800101AB1")), [("V03", "CR", "rfc")]),
    ("V04 detail RFC", lambda: file_of(with_(p1(), "details", 0, rfc="DEF800101AB1")), [("V04", "DE", "rfc")]),
    ("V05 credit RFC blank", lambda: patch(base1(), "CR", "rfc", b""), [("V05", "CR", "rfc")]),
    ("V05 shareholder RFC blank", lambda: file_of(with_(p1(), "shareholders", 0, rfc=None)), [("V05", "AC", "rfc")]),
    ("V06 postal code and state", lambda: file_of(with_(p1(), "companies", 0, postal_code="99000")), [("V06", "EM", "postal_code")]),
    ("V07 moral with names", lambda: file_of(with_(p1(), "companies", 0, first_name="JUAN")), [("V07", "EM", "first_name")]),
    ("V08 PFAE with Compañía", lambda: file_of(with_(p1(), "companies", 1, company_name="TALLER JUAN")), [("V08", "EM", "company_name")]),
    ("V09 rating", lambda: file_of(with_(p1(), "companies", 0, portfolio_rating="Z9")), [("V09", "EM", "portfolio_rating")]),
    ("V10 Banxico and SCIAN", lambda: file_of(with_(p1(), "companies", 0, economic_activity_2="461110")),
     [("V10", "EM", "economic_activity_2")]),
    ("V10 other format's placeholder", lambda: file_of(with_(p1(), "companies", 0, economic_activity_1="8888888")),
     [("V10", "EM", "economic_activity_1")]),
    ("V11 no opening date", lambda: file_of(with_(p1(), "credits", 0, opened_on=None)), [("V11", "CR", "opened_on")]),
    ("V12 settled with a balance", lambda: file_of(with_(with_(p1(), "details", 3, amount=100), "credits", 2,
                                                         outstanding_principal=50)), [("V12", "DE", "amount")]),
    ("V13 initial balance 0", lambda: file_of(with_(p1(), "credits", 0, initial_balance=0)), [("V13", "CR", "initial_balance")]),
    ("V14 opened after the period", lambda: file_of(
        with_(with_(p1(), "credits", 0, opened_on=late(16), last_payment_on=None, credit_type="6280", term_days=0,
                    outstanding_principal=0), "details", 0, amount=0),
        lender=circulo.Lender("0123", "005", "BANCO DE PRUEBA", report_date=late(20))), [("V14", "CR", "opened_on")]),
    ("V15 last payment after the period", lambda: file_of(with_(p1(), "credits", 0, last_payment_on=late(16))),
     [("V15", "CR", "last_payment_on")]),
    ("V16 last payment before opening", lambda: file_of(with_(p1(), "credits", 0, last_payment_on=D(2019, 12, 31))),
     [("V16", "CR", "last_payment_on")]),
    ("V17 restructured after the period", lambda: file_of(with_(p1(), "credits", 0, restructured_on=late(16))),
     [("V17", "CR", "restructured_on")]),
    ("V18 settled after the period", lambda: file_of(with_(p1(), "credits", 2, settled_on=late(16))), [("V18", "CR", "settled_on")]),
    ("V19 opened after the report date", lambda: file_of(
        with_(p1(), "credits", 0, opened_on=late(-2), last_payment_on=late(-2)),
        lender=circulo.Lender("0123", "005", "BANCO DE PRUEBA", report_date=late(-5))), [("V19", "CR", "opened_on")]),
    ("V20 first default before opening", lambda: file_of(with_(p1(), "credits", 1, first_default_on=D(2019, 1, 1))),
     [("V20", "CR", "first_default_on")]),
    ("V21 charge-off without observation", lambda: file_of(with_(p1(), "credits", 2, charge_off=1000)), [("V21", "CR", "charge_off")]),
    ("V22 quita without observation", lambda: file_of(with_(p1(), "credits", 2, forgiven_amount=1000)),
     [("V22", "CR", "forgiven_amount")]),
    ("V23 cash payment without settlement", lambda: file_of(with_(p1(), "credits", 0, cash_payment=500)),
     [("V23", "CR", "cash_payment")]),
    ("V24 opened after settled", lambda: file_of(with_(p1(), "credits", 2, opened_on=D(2024, 5, 12))), [("V24", "CR", "opened_on")]),
    ("V25 opened the day it settled", lambda: file_of(with_(p1(), "credits", 2, opened_on=D(2024, 5, 10))),
     [("V25", "CR", "opened_on")]),
    ("D01 term 0", lambda: file_of(with_(p1(), "credits", 0, term_days=0)), [("D01", "CR", "term_days")]),
    ("D02 detail 0 with days", lambda: file_of(with_(p1(), "details", 2, amount=0)), [("D02", "DE", "amount")]),
    ("D03 balance 0 without settlement", lambda: file_of(with_(with_(p1(), "details", 0, amount=0), "credits", 0,
                                                               credit_type="1305", outstanding_principal=0)),
     [("D03", "CR", "settled_on")]),
    ("D04 payment fields", lambda: file_of(with_(p1(), "credits", 0, number_of_payments=None)), [("D04", "CR", "number_of_payments")]),
    ("D05 first default missing", lambda: file_of(with_(p1(), "credits", 1, first_default_on=None)), [("D05", "CR", "first_default_on")]),
    ("D06 principal over balance", lambda: file_of(with_(p1(), "credits", 0, outstanding_principal=60000)),
     [("D06", "CR", "outstanding_principal")]),
    ("D07 detail contract", lambda: file_of(with_(p1(), "details", 0, contract_number="C9")), [("D07", "DE", "contract_number")]),
    ("D08 company repeated", lambda: file_of(with_(p1(), "companies", 1, rfc="ABC800101AB1", client_type="1",
                                                   company_name="OTRA SA", first_name=None, paternal_surname=None,
                                                   maternal_surname=None)), [("D08", "EM", "rfc")]),
    ("D09 contract repeated", lambda: file_of(with_(p1(), "credits", 1, contract_number="C1")), [("D09", "CR", "contract_number")]),
    ("D10 quita with a balance", lambda: file_of(with_(p1(), "credits", 0, forgiven_amount=1000, observation_code="LC")),
     [("D10", "CR", "forgiven_amount")]),
    ("D11 phone", lambda: file_of(with_(p1(), "companies", 0, phone="123")), [("D11", "EM", "phone")]),
]


def test_the_bases_break_nothing():
    assert found(file_of(p1())) == []
    assert found(file_of(p2(), 2)) == []


@pytest.mark.parametrize("name,make,expected", CASES, ids=[c[0] for c in CASES])
def test_one_rule_broken_once(name, make, expected):
    assert sorted(found(make()), key=str) == sorted(expected, key=str)


def test_every_rule_has_a_case():
    covered = {e[0] for _, _, exp in CASES for e in exp}
    assert covered == set(spec.RULES), sorted(set(spec.RULES) ^ covered)


def test_findings_name_place_and_never_a_value():
    d = file_of(with_(p1(), "companies", 0, rfc="AB1800101AB1"))
    t = circulo.validate(d)
    row = t.to_pylist()[0]
    em = nth(d, "EM", 0)
    assert row["offset"] == em + spec.SEGMENTS["EM"].field("rfc").value_start
    assert (row["company"], row["credit"], row["severity"], row["scope"]) == (0, None, "error", "company")
    assert "AB1800101AB1" not in str(t.to_pylist())
    # a credit's finding names its credit index in the file
    d = file_of(with_(p1(), "credits", 1, first_default_on=None))
    row = circulo.validate(d).to_pylist()[0]
    assert (row["company"], row["credit"], row["scope"]) == (0, 1, "credit")


def test_one_damaged_segment_does_not_cascade():
    """A CR cut short in the middle of a 200-company file: one finding, and every other block checked."""
    d = circulo.generate_bytes(200, seed=4)
    cr = nth(d, "CR", 150)
    bad = cut(d, cr + 30, 7)
    rows = circulo.validate(bad).to_pylist()
    assert [r["rule"] for r in rows] == ["S02"]
    assert rows[0]["offset"] == cr


def test_supplied_catalogues_are_checked(tmp_path):
    f = tmp_path / "monedas.csv"
    f.write_text("code,description\n001,Pesos\n002,Dolares\n")
    d = file_of(with_(p1(), "credits", 0, currency="009"))
    assert found(d) == []                                   # the annex is missing: not checked
    assert found(d, catalogs={"currencies": str(f)}) == [("F04", "CR", "currency")]


def test_findings_do_not_depend_on_the_chunks():
    """File-wide rules (D08, D09, T01, T02) and the grammar's state carry across chunks."""
    d = circulo.generate_bytes(300, seed=6, separator="lf")
    t = circulo.read(d)
    em = t["EM"].column("offset").to_pylist()
    cr = t["CR"].column("offset").to_pylist()
    rfc0 = d[em[0] + 6:em[0] + 19]
    bad = bytearray(d)
    bad[em[250] + 6:em[250] + 19] = rfc0                     # D08 (and V03/V04 for its credits)
    bad[cr[500] + 29:cr[500] + 54] = d[cr[3] + 29:cr[3] + 54]   # D09 (and D07 for its details)
    bad = bytes(bad[:cr[100] + 30] + bad[cr[100] + 37:])      # S02
    whole = circulo.validate(bad, chunk_bytes=1 << 30).to_pylist()
    assert {r["rule"] for r in whole} >= {"D08", "D09", "S02"}
    for chunk in (40_000, 97_000):
        assert circulo.validate(bad, chunk_bytes=chunk).to_pylist() == whole
