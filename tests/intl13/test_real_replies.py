"""Records shaped like production replies, built byte by byte, their values worked out by hand from
the manual (seed 002): an INTL12 integrated hit with a 007 BC Score, an INTL13 integrated record not
found in Buró that carries another SIC's inquiry, error records with UR 06 three times and with
Optimiza's UR 18; score families, exclusion codes, reason spellings, CDMX, repeated and unknown
tags."""
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import mxbureau
from real_records import IQ_CC, PA, PN, RS, SC_007, header, record
from mxbureau import cli
from mxbureau.intl13 import catalogs, consulta


def tl(sic: bytes = None, phone: bytes = None, extra: bytes = b"") -> bytes:
    """An account: updated 15102010, user BANCO, account 123456, MOP 01 (the manual's TL values)."""
    t = b"TL0815102010" + b"0205BANCO"
    if phone is not None:
        t += b"03%02d" % len(phone) + phone
    if sic is not None:
        t += b"0301" + sic
    return t + b"0406123456" + b"2602" + b"01" + extra


def test_intl12_integrated_hit_with_a_007_score():
    # TL 45 (last payment 4500) only comes in INTL12 replies (~1969); one account of Buró (03 = 0),
    # one of Círculo (03 = 1); the indicator 1010: hit in TUM and CC, no hit in DUN
    data = record(header(b"12", indicator=b"1010"), PN, PA, tl(b"0", extra=b"45044500"), tl(b"1"), IQ_CC, RS, SC_007)
    t = mxbureau.read(data)
    assert t.problems.num_rows == 0
    rec = t.records.to_pylist()[0]
    assert (rec["version"], rec["kind"], rec["found"], rec["bureau_indicator"]) == (12, "hit", True, "1010")
    assert (rec["bureau_tum"], rec["bureau_dun"], rec["bureau_cc"], rec["has_data"]) == ("HIT", "NO HIT", "HIT", True)
    accounts = t["TL"].to_pylist()
    assert [a["sic_id"] for a in accounts] == ["0", "1"] and [a["user_phone"] for a in accounts] == [None, None]
    assert accounts[0]["last_payment_amount"] == 4500 and accounts[1]["last_payment_amount"] is None
    sc = t["SC"].to_pylist()
    assert [(s["score_name"], s["score_code"], s["score"], s["exclusion_code"]) for s in sc] == [("BC SCORE", "007", 731, None)]
    assert (sc[0]["reason_1"], sc[0]["reason_2"], sc[0]["reason_3"]) == ("21", "24", "09")
    f = mxbureau.features(t, "2013-12-31")
    assert f.at[0, "bc_score"] == 731 and pd.isna(f.at[0, "bc_score_exclusion"])
    assert mxbureau.validate(data).num_rows == 0, "everything in it is what the manual allows"


def test_intl13_not_found_in_buro_with_another_sics_inquiry():
    # found = 0 (not in Buró), indicator 0010: Círculo (3rd position) had the file; the reply holds
    # Círculo's inquiry and the summary over all SICs; BC Score 007 cannot be computed (-009)
    data = record(header(indicator=b"0010", found=b"0"), PN, PA, IQ_CC, RS,
                  b"SC08BC SCORE0003007" + b"0104-009")
    t = mxbureau.read(data)
    assert t.problems.num_rows == 0
    rec = t.records.to_pylist()[0]
    assert (rec["kind"], rec["found"]) == ("nohit", False)
    assert (rec["bureau_tum"], rec["bureau_dun"], rec["bureau_cc"]) == ("NO HIT", "NO HIT", "HIT")
    assert rec["has_data"], "a Buró no-hit with another SIC's data is a record with data"
    iq = t["IQ"].to_pylist()[0]
    assert (iq["inquired_on"], iq["member_code"], iq["user_name"], iq["contract_type"]) == \
        (dt.date(2013, 4, 29), "SI99991001", "BANCO2", "AF")
    assert (iq["contract_amount"], iq["responsibility"], iq["new_customer"]) == (0, "I", "Y")
    assert (iq["sic_id"], iq["reserved_09"]) == ("1", None)
    assert catalogs.IQ_SIC_IDS[iq["sic_id"]] == "Círculo de Crédito (CC)"
    assert t["RS"].column("accounts_total").to_pylist() == [2]
    sc = t["SC"].to_pylist()[0]
    assert (sc["score"], sc["exclusion_code"]) == (None, "-009")
    f = mxbureau.features(t, "2013-12-31")
    assert pd.isna(f.at[0, "bc_score"]) and f.at[0, "bc_score_exclusion"] == 9
    assert mxbureau.validate(data).num_rows == 0
    # the filter for "records with any data"
    with_data = t.records.filter(t.records.column("has_data"))
    assert with_data.column("record").to_pylist() == [0]


def test_error_record_with_ur_06_three_times(tmp_path):
    # UR 06 "Puede aparecer hasta 5 veces" (~2593): segment, length and the refused bytes
    ur = b"UR25" + b"REAL3".rjust(25) + b"0609PN0005ABC" + b"0610PA0404XXXX" + b"0611PE0505ABCDE"
    data = b"ERRR" + ur
    data = data + b"ES05%05d" % (len(data) + 15) + b"0002**"           # the old-style ES of error records
    t = mxbureau.read(data)
    assert t.problems.num_rows == 0 and mxbureau.validate(data).num_rows == 0
    row = t["UR"].to_pylist()[0]
    assert [row["bad_field_info"], row["bad_field_info_2"], row["bad_field_info_3"]] == \
        ["PN0005ABC", "PA0404XXXX", "PE0505ABCDE"]
    assert row["bad_field_info_4"] is None and row["bad_field_info_5"] is None
    rep = next(mxbureau.reports(data))
    assert rep.user_error.all("bad_field_info") == ["PN0005ABC", "PA0404XXXX", "PE0505ABCDE"]
    t.to_parquet(tmp_path)
    back = pq.read_table(tmp_path / "UR.parquet").to_pylist()[0]
    assert [back["bad_field_info"], back["bad_field_info_2"], back["bad_field_info_3"]] == \
        ["PN0005ABC", "PA0404XXXX", "PE0505ABCDE"]
    red = t.redact(b"k" * 16)["UR"].to_pylist()[0]
    assert all(len(red[n]) == 64 for n in ("bad_field_info", "bad_field_info_2", "bad_field_info_3")), \
        "every occurrence is personal data (the bureau's echo of the consulta)"


def test_optimiza_ur_18_is_modelled():
    # the manual's Optimiza example (~2421), its 25-byte reference restored: 73 bytes, UR tag 18
    data = b"ERRRUR25" + b"P004SP01".rjust(25) + b"1808SC000561" + b"ES0500073" + b"0009772393915" + b"0102**"
    t = mxbureau.read(data)
    assert t.problems.num_rows == 0 and mxbureau.validate(data).num_rows == 0
    assert t["UR"].column("optimiza_result").to_pylist() == ["SC000561"]


def test_a_tag_repeated_where_the_manual_does_not_allow_it():
    data = record(header(), PN, PA, tl(extra=b"0205OTROS"))       # TL 02 twice
    at = data.index(b"0205OTROS") + 4
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.read(data)
    assert (e.value.code, e.value.offset, e.value.record, e.value.segment, e.value.tag) == (17, at, 0, "TL", "02")
    assert "OTROS" not in str(e.value) and "allows 1 occurrence" in str(e.value)
    t = mxbureau.read(data, strict=False)
    assert t["TL"].column("user_name").to_pylist() == ["BANCO"]
    assert [(p["segment"], p["tag"], p["offset"]) for p in t.problems.to_pylist()] == [("TL", "02", at)]
    v = mxbureau.validate(data).to_pylist()
    assert [(p["segment"], p["tag"], p["offset"]) for p in v] == [("TL", "02", at)]
    # a sixth UR 06 (the manual allows five)
    ur = b"ERRRUR25" + b"R".rjust(25) + b"".join(b"0604PN%02d" % k for k in range(6))
    ur += b"ES05%05d" % (len(ur) + 15) + b"0002**"
    sixth = ur.index(b"0604PN05") + 4
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.read(ur)
    assert (e.value.code, e.value.offset, e.value.tag) == (17, sixth, "06") and "allows 5" in str(e.value)
    assert mxbureau.read(ur, strict=False)["UR"].column("bad_field_info_5").to_pylist() == ["PN04"]


def test_unknown_tags_are_problems_with_their_place_and_counted_by_the_cli(tmp_path, capsys):
    data = record(header(), PN + b"9903ZQX", PA, b"ZZ02QQ0001Q", tl())
    t = mxbureau.read(data)                                   # unknown tags are not damage
    got = [(p["segment"], p["tag"], p["offset"], p["problem"]) for p in t.problems.to_pylist()]
    pn99, zz = data.index(b"9903ZQX") + 4, data.index(b"ZZ02QQ") + 4
    assert got == [("PN", "99", pn99, "tag not in the manual"), ("ZZ", "ZZ", zz, "tag not in the manual")]
    assert "ZQX" not in str(got)
    # a column selection passes over the fields it leaves out, and still reports the unknown tag
    sel = mxbureau.read(data, columns=["first_name"])
    assert [(p["segment"], p["tag"]) for p in sel.problems.to_pylist()] == [("PN", "99"), ("ZZ", "ZZ")]
    f = tmp_path / "u.intl"
    f.write_bytes(data)
    assert cli.main(["scan", str(f)]) == 0
    assert "3 with tags the manual does not define" in capsys.readouterr().out    # PN 99, and ZZ's two fields


def test_score_families_reasons_and_exclusions():
    # ICC 504 with Anexo 7 reasons written with and without their zero, an Anexo 7 code (62) that
    # Anexo 6 does not have; BC Score 507 with Anexo 6 reasons "4" and "004" (= 04); an exclusion
    sc_icc = b"SC03ICC0003504" + b"01040007" + b"020210" + b"0303010" + b"040262"
    sc_bc = b"SC08BC SCORE0003507" + b"01040650" + b"02014" + b"0303004"
    sc_ex = b"SC08BC SCORE0003507" + b"0104-009"
    data = (record(header(ref=b"A"), PN, PA, sc_icc, sc_bc) + record(header(ref=b"B"), PN, PA, sc_ex))
    t = mxbureau.read(data)
    sc = t["SC"].to_pylist()
    assert [(s["score_code"], s["reason_1"], s["reason_2"], s["reason_3"]) for s in sc] == [
        ("504", "010", "010", "062"), ("507", "04", "04", None), ("507", None, None, None)]
    assert [s["score"] for s in sc] == [7, 650, None] and [s["exclusion_code"] for s in sc] == [None, None, "-009"]
    assert catalogs.ICC_REASONS["062"] == "Cuentas revolventes recientes con poca información"
    assert mxbureau.validate(data).num_rows == 0, "ICC reasons are Anexo 7's, BC Score's Anexo 6's"
    f = mxbureau.features(t, "2020-01-31")
    assert f["bc_score"].tolist()[0] == 650 and np.isnan(f["bc_score"].tolist()[1])
    assert f["icc"].tolist()[0] == 7 and f["bc_score_exclusion"].tolist()[1] == 9
    # a reason of the wrong annex is still a finding
    wrong = record(header(), PN, PA, b"SC08BC SCORE0003507" + b"01040650" + b"020262")
    assert [p["problem"] for p in mxbureau.validate(wrong).to_pylist()] == ["code not in catalogue SCORE_REASONS"]


def test_cdmx_is_mexico_city():
    pa_cdmx = b"PA15PICO DE VERAPAZ0207TLALPAN0306MEXICO0404CDMX0505142101302MX"
    data = record(header(), PN, pa_cdmx)
    assert mxbureau.read(data)["PA"].column("state").to_pylist() == ["CDMX"], "kept as the bureau wrote it"
    assert mxbureau.validate(data).num_rows == 0
    row = {"reference": "C1", "paternal_surname": "MENDEZ", "maternal_surname": "GONZALEZ",
           "first_name": "ANTUANET", "birth_date": "1951-05-03", "rfc": "MEGA510503RE3",
           "address_line1": "PICO DE VERAPAZ 435", "municipality": "TLALPAN", "city": "MEXICO",
           "state": "CDMX", "postal_code": "14210"}
    b = consulta.build([row], member_code="BC12345678", password="XXXXXXXX")
    assert b.count == 1 and not b.rejects
    assert b"0402DF0505" in b.data and b"CDMX" not in b.data, "written as Anexo 11's DF"
    for alias in ("Ciudad de México", "cd mx"):
        b = consulta.build([dict(row, state=alias)], member_code="BC12345678", password="XXXXXXXX")
        assert b.count == 1 and b"0402DF0505" in b.data, alias


def test_a_response_without_an_address_is_a_finding():
    data = record(header(), PN)
    v = mxbureau.validate(data).to_pylist()
    assert [(p["segment"], p["tag"], p["offset"], p["problem"]) for p in v] == [("PA", None, 0, "required segment missing")]
