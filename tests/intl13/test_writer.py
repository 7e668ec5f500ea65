"""writer.py: field formatting, CR counts, ES lengths."""
import datetime as dt

import pytest

from mxbureau.errors import WriteError
from mxbureau.intl13 import spec, writer
from mxbureau.intl13.twin import pyscan

TL = spec.segment("response", "TL")


def test_field_formatting():
    f = TL.field("opened_on")
    assert writer.field_bytes(f, dt.date(1996, 11, 11)) == b"130811111996"
    assert writer.field_bytes(TL.field("balance"), -1500) == b"2205-1500"
    assert writer.field_bytes(TL.field("balance"), "1500-") == b"22051500-"
    assert writer.field_bytes(TL.field("disputed"), 0) == b"00040000", "fixed numeric fields are zero-padded"
    rs = spec.segment("response", "RS")
    assert writer.field_bytes(rs.field("accounts_mop01"), 2) == b"060202"


def test_overlong_value_is_refused_without_echoing_it():
    with pytest.raises(WriteError) as e:
        writer.field_bytes(spec.segment("response", "PN").field("PN"), "ZZYZXWQUENTINOPQRSTUVWXYZABCD")
    assert "ZZYZX" not in str(e.value) and "PN" in str(e.value)
    with pytest.raises(WriteError):
        writer.field_bytes(TL.field("mop"), "1")            # fixed length 2


def test_cr_counts_both_readings():
    text = "X" * 52
    assert writer.cr_bytes(text, "text") == b"CR0400520000" + b"X" * 52
    assert writer.cr_bytes(text, "segment") == b"CR0400640000" + b"X" * 52
    assert writer.cr_bytes("Y" * 12000, "text")[:12] == b"CR0512000000"
    assert writer.cr_bytes("Y" * 12000, "segment")[:12] == b"CR0512013000"
    with pytest.raises(WriteError):
        writer.cr_bytes("Y" * 12001)


def _hit(**kw):
    rec = {"kind": "hit", "reference": "R1", "member_code": "BC12345678", "control_number": "044979158",
           "segments": [("PN", {"paternal_surname": "MENDEZ", "first_name": "ANTUANET"}),
                        ("PA", {"address_line1": "PICO DE VERAPAZ 435", "state": "DF", "postal_code": "14210"})]}
    rec.update(kw)
    return rec


def test_es_length_is_exact_and_styles():
    for control in ("044979158", None):
        b = writer.record_bytes(_hit(control_number=control))
        r = pyscan(b)["records"][0]
        assert r["ok"] and r["declared"] == len(b) and r["end"] == len(b)
        assert b.endswith(b"0102**" if control else b"0002**")
        assert r["es_style"] == (1 if control else 0)


def test_es_switches_to_six_digits_past_99999_bytes():
    rec = _hit(segments=_hit()["segments"] + [("TL", {"updated_on": "01012020", "account_number": "9" * 25,
                                                       "collateral": "C" * 40})] * 1200)
    b = writer.record_bytes(rec)
    assert len(b) > 99999
    es = b[b.rindex(b"ES"):]
    assert es.startswith(b"ES06%06d" % len(b))
    assert pyscan(b)["records"][0]["declared"] == len(b)


def test_response_header_layout():
    b = writer.record_bytes(_hit(version="12", bureau_indicator="1110", kind="nohit"))
    assert b[:6] == b"INTL12" and b[6:31] == b"R1".rjust(25) and b[31:33] == b"MX"
    assert b[33:37] == b"1110" and b[37:47] == b"BC12345678" and b[47:48] == b"0" and b[48:49] == b" "


def test_consulta_header_is_88_bytes():
    rec = {"kind": "consulta", "reference": "REF", "product": "507", "member_code": "BC12345678",
           "password": "XXXXXXXX", "responsibility": "I", "contract_type": "CC", "currency": "MX",
           "language": "SP", "output": "01",
           "segments": [("PN", {"paternal_surname": "MENDEZ", "maternal_surname": "GONZALEZ", "first_name": "ANTUANET"})]}
    b = writer.record_bytes(rec)
    assert b[:88] == (b"INTL13" + b"REF".rjust(25) + b"507MX0000BC12345678XXXXXXXXICCMX000000000SP01" + b" " * 5 + b"0000000")
    assert b[88:90] == b"PN" and b.endswith(b"0002**")
    r = pyscan(b)["records"][0]
    assert r["kind"] == "consulta" and r["declared"] == len(b)


def test_unknown_fields_and_segments_are_refused():
    with pytest.raises(WriteError, match="favourite_colour"):
        writer.record_bytes(_hit(segments=[("PN", {"paternal_surname": "A", "favourite_colour": "B"})]))
    with pytest.raises(WriteError, match="'PI'"):
        writer.record_bytes(_hit(segments=[("PI", {"account_number": "1"})]))    # a consulta-only segment
