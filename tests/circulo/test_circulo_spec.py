"""The format as data: positions and lengths add up, compiled constants equal spec.py, every field's
kind and requirement is one the code knows, and segments built byte by byte from the manual's
tables (seed 004, Tema 4) read back as the manual says. A layout of one's own is data too."""
import dataclasses
import datetime as dt
import io
import json

import pandas as pd
import pytest

import mxbureau
from circulo_cases import LENDER, PERIOD, portfolio
from mxbureau import circulo
from mxbureau.circulo import _scan, catalogs, spec
from mxbureau.layout import KINDS


def test_positions_lengths_and_requirements():
    for seg in spec.CIRCULO_5.segments + (spec.HD_LEGACY,):
        pos = seg.header_length
        for f in seg.fields:
            assert f.start == pos, (seg.tag, f.tag)
            pos = f.value_start + f.max_length
            assert f.kind in KINDS and f.type in spec.TYPE_CODE
            assert f.fmt1 in "ROXCWF" and f.fmt2 in "ROXCWF"
        assert pos == seg.length
        assert seg.fields[-1].type == "F"                     # every segment ends in a tagged filler
    assert [s.length for s in spec.CIRCULO_5.segments] == [100, 800, 700, 400, 150, 750, 100]
    # the manual's 1-based positions of some tags, as printed (READINGS 2 for CR-22/23)
    pos = lambda tag, field: spec.SEGMENTS[tag].by_tag[field].start + 1
    assert (pos("HD", "05"), pos("HD", "08"), pos("EM", "26"), pos("AC", "22"), pos("CR", "21"), pos("CR", "22"),
            pos("CR", "23"), pos("DE", "03"), pos("AV", "21"), pos("TS", "02")) == (38, 92, 717, 674, 292, 302, 324,
                                                                                  52, 670, 46)


def test_compiled_constants_equal_the_spec():
    c = _scan.CONSTANTS
    assert c["PROBLEMS"] == spec.CODE
    assert c["KINDS"] == spec.KIND
    assert c["ROLES"] == spec.ROLES
    assert c["HEADER_VARIANTS"] == {v: i for i, v in enumerate(spec.HEADER_VARIANTS)}
    assert c["TYPES"] == spec.TYPE_CODE
    assert {k: v for k, v in c["MODES"].items() if k != "skip"} == spec.MODE
    assert c["MARK_TAGS"]["zero_date_base"] == spec.ZERO_DATE_TAG_BASE
    assert (c["MARK_TAGS"]["separator_lf"], c["MARK_TAGS"]["separator_crlf"], c["MARK_TAGS"]["separator_other"]) == \
        (spec.SEPARATOR_TAGS["\n"], spec.SEPARATOR_TAGS["\r\n"], spec.SEPARATOR_TAGS[None])
    assert _scan.INFO == ("credits", "details", "variant")
    assert set(spec.PROBLEM_RULE.values()) <= set(spec.RULES)


def test_rules_personal_data_and_catalogues_are_consistent():
    for rule, (sev, scope, text) in spec.RULES.items():
        assert sev in ("error", "warning") and scope in ("", "file", "company", "credit", "segment", "none"), rule
        assert text
    for tag, cols in spec.PERSONAL_DATA.items():
        if tag in spec.SEGMENTS:
            assert set(cols) <= {f.name for f in spec.SEGMENTS[tag].fields}, tag
    for seg in spec.CIRCULO_5.segments:
        for f in seg.fields:
            if f.catalog:
                assert f.catalog in catalogs.CATALOGS, f.catalog
    assert "credit_types" in catalogs.CATALOGS.unchecked and "portfolio_ratings" not in catalogs.CATALOGS.unchecked


def test_catalogue_files(tmp_path):
    (tmp_path / "a.csv").write_text("clave,descripcion\n001,Pesos\n")
    (tmp_path / "b.json").write_text(json.dumps({"countries": {"MX": "Mexico"}, "currencies": {"001": "Pesos"}}))
    assert catalogs.load(str(tmp_path / "a.csv")) == {"001": "Pesos"}
    assert catalogs.load(str(tmp_path / "b.json"), "countries") == {"MX": "Mexico"}
    c = catalogs.CATALOGS.extended(currencies=str(tmp_path / "a.csv"), countries=str(tmp_path / "b.json"))
    assert c.codes("currencies") == ("001",) and c.codes("countries") == ("MX",)
    with pytest.raises(mxbureau.UsageError):
        catalogs.load(str(tmp_path / "missing.csv"))


def F(tag, value: bytes, width: int) -> bytes:
    assert len(value) <= width
    return tag.encode() + value


def txt(tag, value: str, width: int) -> bytes:            # text: left-aligned, blank-filled
    return tag.encode() + value.encode("latin-1").ljust(width)


def num(tag, value: int, width: int) -> bytes:            # numbers: right-aligned, zero-filled
    return tag.encode() + str(value).rjust(width, "0").encode()


def blank(tag, width: int) -> bytes:
    return tag.encode() + b" " * width


def hand_built_file() -> bytes:
    """One HD, EM, CR, DE and TS written from the manual's tables field by field (Tema 4), not by the
    writer: tag, then value of the printed length."""
    hd = (b"HD" + b"BNCPM" + num("00", 123, 4) + blank("01", 4) + txt("02", "005", 3) + txt("03", "1", 1)
          + F("04", b"31052024", 8) + F("05", b"052024", 6) + F("06", b"04", 2) + txt("07", "BANCO X", 40)
          + blank("08", 7))
    em = (b"EMEM" + txt("00", "ABC800101AB1", 13) + blank("01", 18) + blank("02", 10)
          + txt("03", "COMERCIAL ABC SA", 75) + blank("04", 75) + blank("05", 75) + blank("06", 25) + blank("07", 25)
          + txt("08", "MX", 2) + txt("09", "A1", 2) + num("10", 4111011, 11) + blank("11", 11) + blank("12", 11)
          + txt("13", "AV REFORMA 1", 40) + blank("14", 40) + txt("15", "CENTRO", 60) + txt("16", "CUAUHTEMOC", 40)
          + txt("17", "CDMX", 40) + txt("18", "DF", 4) + txt("19", "06600", 10) + blank("20", 11) + blank("21", 8)
          + blank("22", 11) + num("23", 1, 1) + blank("24", 40) + blank("25", 2) + blank("26", 82))
    cr = (b"CRCR" + txt("00", "ABC800101AB1", 13) + blank("01", 6) + txt("02", "CONTRATO-1", 25) + blank("03", 25)
          + F("04", b"15012020", 8) + num("05", 360, 5) + num("06", 1300, 4) + num("07", 100000, 20) + num("08", 1, 3)
          + num("09", 12, 4) + num("10", 30, 3) + num("11", 9000, 20) + F("12", b"20052024", 8) + blank("13", 8)
          + blank("14", 20) + F("15", b"00000000", 8) + blank("16", 20) + blank("17", 20) + blank("18", 20)
          + blank("19", 4) + blank("20", 1) + blank("21", 8) + num("22", 50000, 20) + num("23", 100000, 20)
          + blank("24", 53))
    de = b"DEDE" + txt("00", "ABC800101AB1", 13) + txt("01", "CONTRATO-1", 25) + num("02", 0, 3) + num("03", 55000, 20) + blank("04", 75)
    ts = b"TSTS" + num("00", 1, 7) + num("01", 55000, 30) + blank("02", 53)
    assert [len(x) for x in (hd, em, cr, de, ts)] == [100, 800, 400, 150, 100]
    return hd + em + cr + de + ts


def test_hand_built_segments_read_as_the_manual_says():
    data = hand_built_file()
    t = circulo.read(data)
    hd = t["HD"].to_pylist()[0]
    assert (hd["user_code"], hd["previous_user_code"], hd["institution_type"], hd["format"]) == ("0123", None, "005", "1")
    assert (hd["report_date"], hd["period"], hd["version"], hd["lender_name"]) == (dt.date(2024, 5, 31), dt.date(2024, 5, 1), "04", "BANCO X")
    em = t["EM"].to_pylist()[0]
    assert (em["company"], em["rfc"], em["company_name"], em["first_name"], em["economic_activity_1"]) == \
        (0, "ABC800101AB1", "COMERCIAL ABC SA", None, "00004111011")
    assert (em["state"], em["postal_code"], em["client_type"], em["country"]) == ("DF", "06600", "1", None)
    cr = t["CR"].to_pylist()[0]
    assert (cr["company"], cr["credit"], cr["contract_number"], cr["opened_on"], cr["term_days"]) == \
        (0, 0, "CONTRATO-1", dt.date(2020, 1, 15), 360)
    assert (cr["credit_type"], cr["initial_balance"], cr["currency"], cr["payment_amount"]) == ("1300", 100000, "001", 9000)
    assert (cr["settled_on"], cr["outstanding_principal"], cr["max_credit_used"]) == (None, 50000, 100000)
    de = t["DE"].to_pylist()[0]
    assert (de["credit"], de["contract_number"], de["days_past_due"], de["amount"]) == (0, "CONTRATO-1", 0, 55000)
    assert t["TS"].to_pylist()[0]["total_amount"] == 55000
    seg = t["segments"].to_pylist()
    assert [s["tag"] for s in seg] == ["HD", "EM", "CR", "DE", "TS"]
    assert seg[2]["zero_dates"] == 1 << spec.SEGMENTS["CR"].fields.index(spec.SEGMENTS["CR"].by_tag["15"])
    assert circulo.validate(data).num_rows == 0


def test_a_layout_of_ones_own():
    """A later version's layout (a date at CR-24, the filler after it) is data: define it, write and
    read with it; the v5.0 layout reads the same bytes as a non-blank filler."""
    cr = spec.SEGMENTS["CR"]
    fields = cr.fields[:-1] + (
        spec.CField("24", "entered_past_due_on", "Fecha de ingreso a cartera vencida", "D", 8, True, "date",
                    start=345, fmt1="O", fmt2="O"),
        spec.CField("25", "filler", "Filler", "F", 43, True, "text", start=355, fmt1="F", fmt2="F"))
    new_cr = dataclasses.replace(cr, fields=fields)
    segs = tuple(new_cr if s.tag == "CR" else s for s in spec.CIRCULO_5.segments)
    lay = spec.Layout("test-pm-5", segs, legacy_header=spec.HD_LEGACY)
    fmt = circulo.define_format(lay, "test-pm-5") if "test-pm-5" not in mxbureau.formats.names() else mxbureau.formats.get("test-pm-5")
    p = portfolio(1)
    p["credits"][1]["entered_past_due_on"] = dt.date(2024, 4, 30)
    out = io.BytesIO()
    circulo.write({k: pd.DataFrame(v) for k, v in p.items()}, out, period=PERIOD, lender=LENDER, layout="test-pm-5")
    d = out.getvalue()
    t = circulo.read(d, format="test-pm-5")
    assert t["CR"].column("entered_past_due_on").to_pylist() == [None, dt.date(2024, 4, 30), None]
    assert circulo.read(d)["CR"].column("filler").to_pylist()[1].startswith("30042024")
    assert circulo.validate(d).column("rule").to_pylist() == ["F06"] * 3     # "25" sits in every CR's filler
    assert circulo.validate(d, format="test-pm-5").num_rows == 0
    assert fmt.name == "test-pm-5"
