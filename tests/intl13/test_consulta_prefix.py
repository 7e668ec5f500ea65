"""Consultas in the manual's orders (issue #15, point 6): a CL (Sintetiza) or AU (authenticator) segment
before the INTL header, the record starting at it and its ES length counted from there
(spec.MANUAL_NOTES, consulta CL); the writer's old order (AU/CL before ES) still read. Records built by
hand from the manual's tables, their lengths counted by hand in the comments."""
import numpy as np
import pytest

import mxbureau
from mxbureau.intl13 import _scan, spec

from compare import assert_same

# The manual's Sintetiza example (~1182): CL, length 02, template "15"; tag 00, length 25, the
# operator's reference. 6 + 29 = 35 bytes.
CL = b"CL0215" + b"0025" + b"REFERENCIA DEL OPERADOR 1"
# The authenticator's segment (~1358; Q_AU): AU RCN (7), 00 "2" (5), 01 a 25-byte reference (29),
# 02 "V" (5), 04 "7890" (8), 07 "F" (5), 11 "V" (5) = 64 bytes, the manual's maximum for AU.
AU = b"AU03RCN" + b"00012" + b"0125" + b" " * 25 + b"0201V" + b"04047890" + b"0701F" + b"1101V"
# The 88-byte consulta header (spec.CONSULTA_HEADER): INTL 13, reference (25), product 001, MX, 0000,
# member code (10), password (8), I, CC, MX, amount (9 zeros), SP, 01, block size, printer (4),
# reserved (7).
QHEADER = (b"INTL" + b"13" + b"REFERENCIA DEL OPERADOR 1" + b"001" + b"MX" + b"0000" + b"BC12345678"
           + b"XXXXXXXX" + b"I" + b"CC" + b"MX" + b"000000000" + b"SP" + b"01" + b" " + b"    " + b"0000000")
# PN: PRUEBA (10), 00 EJEMPLO (11), 02 NOMBRES (11) = 32; PA: CALLE UNO (13), 01 DEL VALLE (13) = 26.
PN = b"PN06PRUEBA" + b"0007EJEMPLO" + b"0207NOMBRES"
PA = b"PA09CALLE UNO" + b"0109DEL VALLE"


def es(length: int) -> bytes:
    """An old-style ES (the manual's examples): ES 05 <length>, 00 02 **: 15 bytes."""
    return b"ES05%05d0002**" % length


CL_FIRST = CL + QHEADER + PN + PA + es(196)               # 35 + 88 + 32 + 26 + 15
AU_FIRST = AU + QHEADER + PN + PA + es(225)               # 64 + 88 + 32 + 26 + 15
AU_CL_FIRST = AU + CL + QHEADER + PN + PA + es(260)       # 64 + 35 + 88 + 32 + 26 + 15
OLD_ORDER = QHEADER + PN + PA + AU + CL + es(260)         # 88 + 32 + 26 + 64 + 35 + 15


def test_hand_built_lengths():
    assert len(QHEADER) == spec.CONSULTA_HEADER_LENGTH == 88 and len(CL) == 35 and len(AU) == 64
    assert [len(r) for r in (CL_FIRST, AU_FIRST, AU_CL_FIRST, OLD_ORDER)] == [196, 225, 260, 260]
    assert _scan.CONSTANTS["CONSULTA_PREFIX"] == ("CL", "AU")
    assert {"CL", "AU"} <= set(spec.CONSULTA.by_tag)


@pytest.mark.parametrize("record, prefix", [(CL_FIRST, CL), (AU_FIRST, AU), (AU_CL_FIRST, AU + CL)])
def test_consulta_starting_with_cl_or_au(record, prefix):
    tok = assert_same(record, strict=True)
    R = tok.records
    assert R["kind"].tolist() == ["consulta"] and R["ok"].all()
    assert (int(R["start"][0]), int(R["end"][0])) == (0, len(record))
    assert int(R["declared_length"][0]) == len(record)              # counted from the CL/AU byte
    assert int(R["version"][0]) == 13                                # from the header after the prefix
    tags = [spec.tag_str(x) for x in tok.tag.tolist()]
    segs = [spec.tag_str(x) for x in tok.segment_tag.tolist()]
    k = 2 if prefix == CL else (7 if prefix == AU else 9)            # fields of the prefix segments
    assert set(segs[:k]) <= {"CL", "AU"} and segs[k] == "PN"
    # the first PN field: its value right after the prefix, the header and "PN06"
    assert (int(tok.offset[k]), int(tok.length[k]), tags[k]) == (len(prefix) + 88 + 4, 6, "PN")
    assert record[tok.offset[k]:tok.offset[k] + 6] == b"PRUEBA"
    if prefix == CL:
        assert tags[:2] == ["CL", "00"] and record[tok.offset[1]:tok.offset[1] + 25] == b"REFERENCIA DEL OPERADOR 1"
    assert_same(record, strict=False)


def test_old_order_still_reads():
    tok = assert_same(OLD_ORDER, strict=True)
    assert tok.records["kind"].tolist() == ["consulta"] and int(tok.records["declared_length"][0]) == 260
    segs = [spec.tag_str(x) for x in tok.segment_tag.tolist()]
    assert segs.index("AU") > segs.index("PA") and segs.index("CL") > segs.index("AU")


def test_mixed_files_and_separators():
    resp = mxbureau.intl13.synth.generate_bytes(3, seed=4, mix={"hit": 1.0}, separator="lf")
    data = resp + CL_FIRST + b"\r\n" + AU_FIRST + b"\x13" + OLD_ORDER + b"\n" + AU_CL_FIRST
    tok = assert_same(data, strict=True)
    assert tok.records["kind"].tolist() == ["hit"] * 3 + ["consulta"] * 4 and tok.records["ok"].all()
    assert tok.records["start"].tolist()[3] == len(resp)
    assert_same(data, strict=False)
    with_threads = mxbureau.scan(data, workers=2)
    assert with_threads.records["start"].tolist() == tok.records["start"].tolist()


def test_record_starts_found_at_the_prefix():
    data = CL_FIRST + AU_FIRST + CL_FIRST
    buf = np.frombuffer(data, np.uint8)
    assert _scan.find_record_start(buf, 0) == 0
    assert _scan.find_record_start(buf, 1) == 196                    # the AU, not its INTL at 260
    assert _scan.find_record_start(buf, 197) == 196 + 225            # the next CL
    # lenient resynchronisation after damage lands on the CL byte
    bad = b"INTL13" + b"X" * 30 + b"\n" + CL_FIRST
    tok = assert_same(bad, strict=False)
    ok = tok.records["ok"]
    assert tok.records["start"][ok].tolist() == [37] and tok.records["kind"][ok].tolist() == ["consulta"]


def test_es_length_counted_from_intl_is_damage():
    # the reading chosen: the ES counts from the first CL byte; counted from INTL it is a mismatch
    rec = CL + QHEADER + PN + PA + es(161)
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.scan(rec)
    # the offset of the ES length value: 15 bytes of ES from the end, 4 of tag and length
    assert (e.value.code, e.value.offset) == (spec.CODE["ES_LENGTH_MISMATCH"], len(rec) - 15 + 4)
    assert_same(rec, strict=True)
    # lenient: the INTL-started consulta verifies; the CL before it is a damaged consulta
    tok = assert_same(rec, strict=False)
    assert tok.records["start"].tolist() == [0, 35] and tok.records["ok"].tolist() == [False, True]
    assert tok.records["kind"].tolist() == ["consulta", "consulta"]
    p = tok.errors[0]
    assert (p.start, p.end, p.code, p.offset) == (0, 35, spec.CODE["RUNS_INTO_NEXT"], 35)


def test_problems_of_a_prefix():
    # a segment other than CL/AU before the INTL header
    rec = CL + PN + QHEADER + PA + es(196)
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.scan(rec)
    assert (e.value.code, e.value.offset, e.value.segment, e.value.tag) == (16, 35, "CL", "PN")
    assert_same(rec, strict=True)
    # CL before a response's header
    resp_header = b"INTL13" + b"REF".ljust(25) + b"MX0000BC12345678" + b"10"
    rec = CL + resp_header + PN + es(35 + 49 + 32 + 15)
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.scan(rec)
    assert (e.value.code, e.value.offset) == (17, 35 + spec.RESPONSE_COUNTRY_AT)
    assert_same(rec, strict=True)
    # cut inside the prefix, inside the header; a CL without a 2-digit length is no record start
    for cut, code in ((20, 2), (35 + 60, 2)):
        with pytest.raises(mxbureau.FormatError) as e:
            mxbureau.scan(CL_FIRST[:cut])
        assert e.value.code == code
        assert_same(CL_FIRST[:cut], strict=True)
        assert_same(CL_FIRST[:cut], strict=False)
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.scan(b"CLX5" + CL_FIRST[4:])
    assert e.value.code == spec.CODE["RECORD_START"]
    for msg in (spec.MESSAGES[16], spec.MESSAGES[17], spec.MESSAGES[18]):
        assert "{" not in msg or "{a}" in msg or "{b}" in msg
