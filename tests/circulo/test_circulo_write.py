"""The writer: write(read(f)) byte for byte on files of both formats and every separator (and on the
forms a valid file may take: dates written as zeros, an untagged HD filler, odd separator runs,
latin-1 text); the normalisation, padding and trailer checked on hand-built rows; rejected rows with
their table, row, field and rule and never a value."""
import io

import pandas as pd
import pyarrow as pa
import pytest

import mxbureau
from circulo_cases import LENDER, PERIOD, file_of, nth, patch, portfolio
from mxbureau import circulo


def again(data: bytes) -> bytes:
    out = io.BytesIO()
    circulo.write(circulo.read(data), out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", [1, 2])
@pytest.mark.parametrize("sep", ["none", "lf", "crlf"])
def test_write_of_read_is_byte_identical(fmt, sep):
    data = circulo.generate_bytes(120, seed=fmt * 10 + len(sep), format=fmt, separator=sep)
    assert circulo.validate(data).num_rows == 0
    assert again(data) == data


def test_exact_for_every_form_a_valid_file_takes():
    d = file_of(portfolio(1), separator="lf")
    d = patch(d, "CR", "restructured_on", b"00000000")          # a date not reported, written as zeros
    d = patch(d, "CR", "settled_on", b"00000000", k=1)
    d = d[:91] + b"  " + d[93:]                                  # HD-08's tag left blank
    em = nth(d, "EM", 1)
    d = d[:em - 1] + b"\r\n\n" + d[em:]                          # an odd separator run
    d = patch(d, "EM", "address_line2", "PISO 3 ÉDIFICIO".encode("latin-1"))
    d = patch(d, "DE", "filler", b"RESERVADO", k=2)              # a non-blank filler (a warning only)
    errors = circulo.validate(d).filter(pa.compute.equal(circulo.validate(d).column("severity"), "error"))
    assert errors.num_rows == 0
    assert again(d) == d


def test_hand_built_segments_padding_and_trailer():
    """The bytes of the base portfolio's first CR and the TS, field by field as the manual's tables
    (numbers right-aligned zero-filled, text left-aligned blank-filled, blanks for not reported)."""
    d = file_of(portfolio(1))
    cr = d[nth(d, "CR", 0):nth(d, "CR", 0) + 400]
    assert cr[:4] == b"CRCR"
    assert cr[4:6] == b"00" and cr[6:19] == b"ABC800101AB1 "
    assert cr[19:21] == b"01" and cr[21:27] == b"      "           # No aplica in format 1: blanks
    assert cr[27:29] == b"02" and cr[29:54] == b"C1" + b" " * 23
    assert cr[81:83] == b"04" and cr[83:91] == b"15012020"
    assert cr[91:93] == b"05" and cr[93:98] == b"00360"
    assert cr[104:106] == b"07" and cr[106:126] == b"100000".rjust(20, b"0")
    assert cr[126:128] == b"08" and cr[128:131] == b"001"
    assert cr[301:303] == b"22" and cr[303:323] == b"50000".rjust(20, b"0")
    assert cr[345:347] == b"24" and cr[347:400] == b" " * 53
    ts = d[-100:]
    assert ts[:4] == b"TSTS" and ts[4:13] == b"000000002"         # TS-00 = 2 EM segments
    assert ts[13:15] == b"01" and ts[15:45] == b"70000".rjust(30, b"0")   # Σ DE-03 = 55000 + 10000 + 5000 + 0
    hd = d[:100]
    assert hd == (b"HDBNCPM" + b"000123" + b"01    " + b"02005" + b"031" + b"0431052024" + b"05052024" + b"0604"
                  + b"07" + b"BANCO DE PRUEBA".ljust(40) + b"08" + b" " * 7)


def test_normalisation():
    p = portfolio(1)
    p["companies"][0].update(company_name="Comercial Peñón, s.a.", rfc="abc-800101-ab1", phone="(55) 1234-5678",
                             address_line1="  Av. José María Morelos 12 ")
    d = file_of(p)
    em = circulo.read(d)["EM"].to_pylist()[0]
    assert em["company_name"] == "COMERCIAL PEÑON, S.A."
    assert em["rfc"] == "ABC800101AB1" and em["phone"] == "5512345678"
    assert em["address_line1"] == "AV. JOSE MARIA MORELOS 12"
    raw = d[nth(d, "EM", 0):]
    assert b"PE\xd1ON" in raw[:800]                               # Ñ as byte 0xD1
    out = io.BytesIO()
    circulo.write({k: pd.DataFrame(v) for k, v in p.items()}, out, period=PERIOD, lender=LENDER, enye="n")
    assert circulo.read(out.getvalue())["EM"].to_pylist()[0]["company_name"] == "COMERCIAL PENON, S.A."


def test_rejects_name_table_row_field_and_rule():
    p = portfolio(1)
    p["credits"][0]["opened_on"] = None                           # V11: credit C1 not written
    p["companies"][1]["company_name"] = "X" * 80                  # too long for EM-03: company B not written
    p["shareholders"][0]["rfc"] = "XYZ900202"                     # F05 (no homoclave): that AC only
    out = io.BytesIO()
    res = circulo.write({k: pd.DataFrame(v) for k, v in p.items()}, out, period=PERIOD, lender=LENDER)
    got = sorted((r.table, r.row, r.field, r.rule) for r in res.rejects)
    assert got == sorted([("credits", 0, "opened_on", "V11"), ("companies", 1, "company_name", "length"),
                          ("shareholders", 0, "rfc", "F05"), ("credits", 2, "", "parent"), ("details", 0, "", "parent"),
                          ("details", 3, "", "parent")])
    assert all("XXXX" not in r.reason and "XYZ900202" not in r.reason for r in res.rejects)
    t = circulo.read(out.getvalue())
    assert t["EM"].num_rows == 1 and t["CR"].column("contract_number").to_pylist() == ["C2"]
    assert "AC" not in t.names
    assert circulo.validate(out.getvalue()).num_rows == 0
    assert (res.companies, res.credits, res.details) == (1, 1, 2)
    assert t["TS"].to_pylist()[0]["total_amount"] == 15000 == res.total_amount


def test_file_wide_keys_rejected_across_batches():
    p = portfolio(1)
    buf = io.BytesIO()
    with circulo.Writer(buf, period=PERIOD, lender=LENDER) as w:
        w.add({k: pd.DataFrame(v) for k, v in p.items()})
        again_ = w.add({k: pd.DataFrame(v) for k, v in p.items()})      # the same companies and contracts again
    assert {r.rule for r in again_} >= {"D08", "D09"}
    assert circulo.read(buf.getvalue())["EM"].num_rows == 2


def test_arrow_and_pandas_inputs_write_the_same():
    p = portfolio(2)
    a, b = io.BytesIO(), io.BytesIO()
    circulo.write({k: pd.DataFrame(v) for k, v in p.items()}, a, period=PERIOD, format=2, lender=LENDER)
    circulo.write({k: pa.Table.from_pandas(pd.DataFrame(v)) for k, v in p.items()}, b, period=PERIOD, format=2,
                  lender=LENDER)
    assert a.getvalue() == b.getvalue()


def test_write_errors_and_usage():
    with pytest.raises(mxbureau.WriteError):
        circulo.write({"companies": pd.DataFrame(portfolio(1)["companies"])}, io.BytesIO(), period=PERIOD,
                      lender=circulo.Lender("0123", "005", "N" * 41))
    with pytest.raises(mxbureau.UsageError):
        circulo.write({"companies": pd.DataFrame()}, io.BytesIO(), period="2024-13", lender=LENDER)
    with pytest.raises(mxbureau.UsageError):
        circulo.write({"bancos": pd.DataFrame()}, io.BytesIO(), period=PERIOD, lender=LENDER)


def test_generated_files_cover_every_kind():
    """The generator's files: every client type, foreign addresses, fideicomisos with Tema 5 RFCs,
    shareholders, guarantors, settled and charged-off credits; deterministic per seed."""
    d = circulo.generate_bytes(400, seed=9)
    assert d == circulo.generate_bytes(400, seed=9) != circulo.generate_bytes(400, seed=10)
    t = circulo.read(d)
    em = t["EM"].to_pandas()
    assert set(em["client_type"].astype(str)) == {"1", "2", "3", "4"}
    assert (em["country"].notna()).any() and em.loc[em["client_type"] == "3", "rfc"].dropna().str.match(r"^(CNB|NBK)\d{9}$").all()
    cr = t["CR"].to_pandas()
    assert cr["settled_on"].notna().any() and (cr["charge_off"].fillna(0) > 0).any()
    assert (cr["forgiven_amount"].fillna(0) > 0).any()
    assert t["AC"].num_rows > 0 and t["AV"].num_rows > 0
    assert circulo.validate(d).num_rows == 0
    d2 = circulo.generate_bytes(200, seed=9, format=2)
    assert circulo.validate(d2).num_rows == 0
    assert set(circulo.read(d2)["DE"].column("days_past_due").to_pylist()) <= {0, 29, 59, 89, 119, 179} | set(range(180, 400))
