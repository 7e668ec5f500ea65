"""Consultas in the manual's order and version (issue #15, the writer's side): CL (Sintetiza) before
INTL (~1176-1190), AU (AUTENTICADOR) before INTL online (~564-567, ~1358) and after PI in batch
(~530, ~1349), the ES length counted from the record's first byte; versions 11, 12, 13 and the fields
each allows (PA 13 and PE 20 are INTL13's). The writer's bytes are checked against the manual's
structure directly; what scans them is the scanner's change (#18 branch): those tests are marked."""
import datetime as dt

import pytest

import mxbureau
from mxbureau.errors import WriteError
from mxbureau.intl13 import consulta, spec, synth, writer

TODAY = dt.date(2026, 11, 22)
AUTH = dict(member_code="BC12345678", password="XXXXXXXX", today=TODAY)
MENDEZ = dict(reference="REF1", paternal_surname="MENDEZ", maternal_surname="GONZALEZ", first_name="ANTUANET",
              rfc="MEGA510503RE3", address_line1="PICO DE VERAPAZ 435 PISO 5",
              neighborhood="JARDINES EN LA MONTAÑA", municipality="TLALPAN", city="MEXICO", state="DF",
              postal_code="14210", authentication_has_credit_card="V", authentication_card_last_digits="7890",
              authentication_has_mortgage="F", authentication_has_auto_loan_24m="V")
REF25 = b"REF1".rjust(25)
PN = b"PN06MENDEZ0008GONZALEZ0208ANTUANET0513MEGA510503RE3"        # the manual's PN example
# the manual's AU example, AU03RCN0001201250201V040478900701F1101V, with its 25-byte reference
AU = b"AU03RCN000120125" + REF25 + b"0201V040478900701F1101V"
CL = b"CL0215" + b"0025" + REF25                                       # CL02150025REFERENCIA DEL OPERADOR 1


def one(**kw) -> bytes:
    b = consulta.build([MENDEZ], **{**AUTH, **kw})
    assert b.count == 1 and not b.rejects, b.rejects
    return b.data


def es_length(rec: bytes) -> int:
    assert rec[-15:-11] == b"ES05" and rec[-6:] == b"0002**"
    return int(rec[-11:-6])


def test_sintetiza_puts_cl_before_intl():
    rec = one(sintetiza_template="15")
    assert rec.startswith(CL + b"INTL13" + REF25 + b"507MX0000BC12345678")
    assert rec[len(CL) + 88:].startswith(PN), "the 88-byte header, then PN"
    assert CL not in rec[len(CL):], "CL once, in front"
    assert es_length(rec) == len(rec), "the ES length counts from the record's first byte, CL included"


def test_online_authentication_puts_au_before_intl():
    rec = one(authentication="2", online=True)
    assert rec.startswith(AU + b"INTL13" + REF25)
    assert rec[len(AU) + 88:].startswith(PN) and rec.count(b"AU03RCN") == 1
    assert es_length(rec) == len(rec)
    # with Sintetiza too: CL, then AU, then INTL (the manual shows no record with both)
    both = one(authentication="2", online=True, sintetiza_template="15")
    assert both.startswith(CL + AU + b"INTL13") and es_length(both) == len(both)


def test_batch_authentication_keeps_au_after_pi_before_es():
    rec = one(authentication="2")
    assert rec.startswith(b"INTL13" + REF25)
    assert rec.index(AU) > rec.index(b"PA26") and rec[rec.index(AU) + len(AU):].startswith(b"ES05")
    assert es_length(rec) == len(rec)
    # the batch example (~1349): PN, PA, PE, AU, ES
    data = writer.record_bytes({"kind": "consulta", "reference": "REF1", "segments": [
        ("AU", {"report_type": "RCN", "output_type": "1", "reference": REF25.decode(), "has_credit_card": "V",
                "card_last_digits": "7890", "has_mortgage": "F", "has_auto_loan_24m": "V"}),
        ("PN", {"paternal_surname": "MENDEZ"}), ("PA", {"address_line1": "CALLE SN", "state": "DF", "postal_code": "14210"})]})
    assert data.index(b"PN06") < data.index(b"PA08") < data.index(b"AU03") < data.index(b"ES05")


def test_the_writer_orders_whatever_order_it_is_given():
    segs = [("PN", {"paternal_surname": "MENDEZ"}), ("CL", {"template": "15", "reference": REF25.decode()}),
            ("PA", {"address_line1": "CALLE SN", "state": "DF", "postal_code": "14210"}),
            ("AU", {"report_type": "RCN", "output_type": "2", "reference": REF25.decode(), "has_credit_card": "F",
                    "has_mortgage": "F", "has_auto_loan_24m": "F"})]
    rec = writer.record_bytes({"kind": "consulta", "reference": "REF1", "online": True, "segments": segs})
    cl, au = rec.index(b"CL02"), rec.index(b"AU03")
    assert cl == 0 and au == len(CL) and rec[rec.index(b"INTL"):].startswith(b"INTL13")
    assert rec.index(b"INTL") < rec.index(b"PN06") < rec.index(b"PA08") < rec.index(b"ES05")
    assert es_length(rec) == len(rec)


@pytest.mark.parametrize("version", ["11", "12", "13"])
def test_consulta_versions_and_their_fields(version):
    rec = one(version=version)
    assert rec[:6] == b"INTL" + version.encode()
    # PA 13 (origin of the address) is INTL13's, required there: "1302MX" in 13 only
    assert (b"1302MX" in rec) == (version == "13")
    assert es_length(rec) == len(rec)


def test_fields_a_version_does_not_have_are_refused():
    pa = {"address_line1": "CALLE SN", "state": "DF", "postal_code": "14210", "origin_country": "MX"}
    with pytest.raises(WriteError) as e:
        writer.record_bytes({"kind": "consulta", "version": "12", "segments": [("PN", {"paternal_surname": "A"}), ("PA", pa)]})
    assert "PA 13" in str(e.value) and "INTL12" in str(e.value) and "MX" not in str(e.value).replace("INTL12", "")
    b = consulta.build([dict(MENDEZ, origin_country="MX")], version="11", **AUTH)
    assert b.count == 0 and [(r.field, r.reason) for r in b.rejects] == [("origin_country", "not in INTL11 consultas (new in version 13)")]
    with pytest.raises(mxbureau.ConsultaError):
        consulta.build([MENDEZ], version="14", **AUTH)
    assert spec.consulta_allows("13", "PE", "20") and not spec.consulta_allows("12", "PE", "20")


def test_the_generator_writes_consultas_in_the_manuals_order():
    data = synth.generate_bytes(400, seed=5, mix={"consulta": 1.0}, manual_order=True)
    starts = [data[i:i + 4] for i in range(len(data)) if data[i:i + 4] in (b"CL02", b"AU03", b"INTL")
              and (i == 0 or data[i - 2:i] == b"**")]
    assert {b"CL02", b"AU03", b"INTL"} <= set(starts), "records opening with CL, with AU and with INTL"
    again = synth.generate_bytes(400, seed=5, mix={"consulta": 1.0}, manual_order=True)
    assert again == data, "deterministic per seed"
    assert synth.generate_bytes(50, seed=5, mix={"consulta": 1.0}).count(b"CL02") == 0, "off by default"


def test_records_table_finds_the_header_behind_a_cl_or_au():
    """The records table reads a consulta's header fields behind the CL / AU that opens it, from the
    tokens the scanner gives such a record (the record starting at the CL, then the CL's tokens, the
    88-byte header, PN...): built here from the plain consulta's tokens, shifted."""
    import numpy as np
    from mxbureau.intl13 import FORMAT
    from mxbureau.intl13.records import records_table
    from mxbureau.tokens import Tokens
    plain = one()
    tok = mxbureau.scan(plain)
    data = CL + plain[:-11] + b"%05d" % (len(plain) + len(CL)) + plain[-6:]
    p = tok.parts[0]
    cl_tokens = {"offset": np.array([4, 10], np.int64), "length": np.array([2, 25], np.uint16),
                 "tag": np.array([spec.tag_code("CL"), spec.tag_code("00")], np.uint16),
                 "segment_tag": np.array([spec.tag_code("CL")] * 2, np.uint16)}
    parts = [{k: np.concatenate([cl_tokens[k], p[k] + (len(CL) if k == "offset" else 0)]).astype(p[k].dtype)
              for k in ("offset", "length", "tag", "segment_tag")}]
    r = {k: tok.records[k].copy() for k in tok.records if k not in ("record", "kind")}
    r["end"] = r["end"] + len(CL)
    r["tok_end"] = r["tok_end"] + 2
    r["declared_length"] = r["declared_length"] + len(CL)
    shifted = Tokens(np.frombuffer(data, np.uint8), FORMAT, parts, r, [])
    row = records_table(shifted).to_pylist()[0]
    assert (row["kind"], row["reference"], row["member_code"], row["start"], row["length"]) == \
        ("consulta", "REF1", "BC12345678", 0, len(data))
    assert records_table(tok).to_pylist()[0]["reference"] == "REF1"


def test_consultas_in_the_manuals_order_scan_with_their_header_fields():
    recs = [one(sintetiza_template="15"), one(authentication="2", online=True), one()]
    tok = mxbureau.scan(b"".join(recs))
    assert tok.records["kind"].tolist() == ["consulta"] * 3
    assert tok.records["start"].tolist() == [0, len(recs[0]), len(recs[0]) + len(recs[1])]
    t = mxbureau.read(b"".join(recs))
    got = t.records.select(["reference", "member_code", "version", "declared_length"]).to_pylist()
    assert got == [{"reference": "REF1", "member_code": "BC12345678", "version": 13, "declared_length": len(r)}
                   for r in recs]


def test_generated_consultas_in_the_manuals_order_scan():
    data = synth.generate_bytes(300, seed=5, mix={"hit": 0.5, "consulta": 0.5}, manual_order=True)
    t = mxbureau.read(data)
    assert t.records.num_rows == 300 and t.problems.num_rows == 0
    kinds = t.records.column("kind").to_pylist()
    recs = [synth.generate_record(5, i, {"hit": 0.5, "consulta": 0.5}, manual_order=True) for i in range(300)]
    assert kinds == [r["kind"] for r in recs]
    refs = t.records.column("reference").to_pylist()
    assert [x for x, r in zip(refs, recs) if r["kind"] == "consulta"] == \
        [r["reference"].strip() for r in recs if r["kind"] == "consulta"]     # blanks: "" (present, blank)
