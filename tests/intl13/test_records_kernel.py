"""The records table's compiled pass (intl13/_records.header_columns): the table it makes against the
pa.array builder it replaced (records_reference.py) for records of one kind at a time -- responses
alone take the one-call path, consultas and error records the second call with their headers and
references found in Python -- and, hand-built, the Anexo 14 indicator of a response (manual: one
digit a bureau, 0000 reserved in an Informe Buró); and the checks before any byte is read."""
import numpy as np
import pytest

import records_reference
from mxbureau import _decode
from mxbureau.intl13 import _records, records, synth
from mxbureau.scanner import scan
from mxbureau.tables import read


@pytest.mark.parametrize("kind", ["hit", "nohit", "error", "consulta"])
def test_one_kind_as_the_reference_made_it(kind):
    data = synth.generate_bytes(40, seed=3, mix={kind: 1.0})
    tok = scan(data, strict=False)
    assert (tok.records["kind"] == kind).any()
    new, old = records.records_table(tok), records_reference.records_table(tok)
    new.validate(full=True)
    assert new.equals(old), [c for c in new.column_names if not new.column(c).equals(old.column(c))]


def _args(tok):
    r = tok.records
    return (tok.buffer, tok.base, r["start"], r["end"], r["kind_code"], r["ok"].view(np.uint8), r["version"],
            r["declared_length"], r["cr_reading"], r["es_style"], *records.control_tokens(tok))


def test_second_call_only_for_consultas_and_errors():
    for kind, second in (("hit", False), ("nohit", False), ("consulta", True), ("error", True)):
        tok = scan(synth.generate_bytes(5, seed=1, mix={kind: 1.0}), strict=False)
        got = _records.header_columns(*_args(tok), None, None, *records._HEADER, 4)
        assert (got is None) == second, kind


def test_indicator_by_hand():
    tok = scan(synth.generate_bytes(3, seed=5, mix={"hit": 1.0}))
    buf = tok.buffer.copy()
    at = int(tok.records["start"][0] - tok.base) + 33           # header positions 34-37 (1-based)
    codes = records._HEADER
    for digits, bureaus, has_data in ((b"0000", [-1, -1, -1], True),      # Informe Buró: reserved zeros
                                      (b"1200", [0, 1, 3], True)):
        buf[at:at + 4] = np.frombuffer(digits, np.uint8)
        args = (buf,) + _args(tok)[1:]
        got = _records.header_columns(*args, None, None, *codes, 4)
        want = [int(records._INDICATOR_CODE[c]) for c in digits[:3]] if digits != b"0000" else bureaus
        assert got["bureaus"][:, 0].tolist() == want
        assert bool(got["has_data"][0]) == has_data                     # a hit: found in Buró
        assert got["resp"][0] == 1 and got["found"][0] == 1


def test_checks_before_reading():
    tok = scan(synth.generate_bytes(3, seed=5, mix={"hit": 1.0}))
    args = list(_args(tok))
    with pytest.raises(ValueError):
        _records.header_columns(*args[:3], args[3][:-1], *args[4:], None, None, *records._HEADER, 4)
    with pytest.raises(ValueError):
        _records.header_columns(*args, np.zeros(1, np.int64), None, *records._HEADER, 4)
    short = (np.zeros(10, np.uint8),) + tuple(args[1:])
    with pytest.raises(ValueError):
        _records.header_columns(*short, None, None, *records._HEADER, 4)
    # a control number past the buffer (a new-style ES's 00) is refused, not read
    far = list(args)
    far[10] = np.full(len(args[2]), len(tok.buffer) - 2, np.int64)
    with pytest.raises(ValueError, match="past the buffer"):
        _records.header_columns(*far, None, None, *records._HEADER, 4)
    wide = list(records._HEADER)
    wide[2] = (25, 0, 4)
    with pytest.raises(ValueError, match="widths"):
        _records.header_columns(*args, None, None, *wide, 4)


def test_header_text_by_hand():
    """The header's text as the records table gives it: latin-1 decoded, blanks stripped on both sides
    (manual: the operator reference and the member code are fixed-width fields padded with blanks;
    spec.MANUAL_NOTES: records.reference is the reference without them), the control number kept
    exactly; a field of blanks only is empty, not null."""
    tok = scan(synth.generate_bytes(2, seed=5, mix={"hit": 1.0}))
    buf = tok.buffer.copy()
    at = int(tok.records["start"][0] - tok.base)
    ref, mem = records._R["reference"], records._R["member_code"]                   # 25 and 10 bytes
    buf[at + ref.start:at + ref.start + 25] = np.frombuffer(b"  REF\xd1A 7".ljust(25), np.uint8)
    buf[at + mem.start:at + mem.start + 10] = np.frombuffer(b" MB\xe9 0012 ", np.uint8)
    r = tok.records
    off, ln = records.control_tokens(tok)
    o, L = int(off[0]), int(ln[0])
    buf[o:o + L] = np.frombuffer(b" " + b"7" * (L - 2) + b" ", np.uint8)          # control number, blanks kept
    args = (buf,) + _args(tok)[1:]
    got = _records.header_columns(*args, None, None, *records._HEADER, 4)
    text = lambda k, j: bytes(got[k][1][got[k][0][j]:got[k][0][j + 1]]).decode("utf-8")
    assert text("reference", 0) == "REF\u00d1A 7" and text("member", 0) == "MB\u00e9 0012"
    assert text("control", 0) == " " + "7" * (L - 2) + " " and got["ctl_valid"].tolist() == [1, 1]
    assert r["es_style"][0] == 1
    buf[at + ref.start:at + ref.start + 25] = ord(" ")
    got = _records.header_columns(*args, None, None, *records._HEADER, 4)
    assert text("reference", 0) == "" and got["ref_valid"][0] == 1


def _error_record(body: bytes, control: bytes = b"77") -> bytes:
    """ERRR + body + an ES whose declared length is the record's (manual: ES tag 00 control number,
    01 the end mark)."""
    tail = b"00%02d" % len(control) + control + b"0102**"
    return b"ERRR" + body + b"ES05" + b"%05d" % (4 + len(body) + 9 + len(tail)) + tail


def test_error_record_reference_is_its_first_value():
    """An error record's reference is the value of its first field when that opens UR or AR (manual:
    ERRR + UR or AR, whose first field is the operator's reference), blanks stripped: a short one as
    it is, at the end of the input too (it was read 25 bytes on, past the buffer), never the next
    fields' bytes; null without UR / AR."""
    cases = [(b"UR03ABC", "ABC"), (b"AR06  K1  ", "K1"), (b"UR25" + b"X" * 20 + b" " * 5, "X" * 20), (b"", None)]
    for body, want in cases:                       # each alone: its record ends the input
        t = read(_error_record(body), strict=False)
        assert t.records.column("kind").to_pylist() == ["error"] and t.records.column("ok").to_pylist() == [True]
        assert t.records.column("reference").to_pylist() == [want], body
    data = b"\n".join(_error_record(body) for body, _ in cases)
    tok = scan(data, strict=False)
    got = records.records_table(tok)
    assert got.column("reference").to_pylist() == [want for _, want in cases]
    assert got.column("control_number").to_pylist() == ["77"] * len(cases)
    assert got.equals(records_reference.records_table(tok))


def test_fixed_text_refuses_a_field_past_the_buffer():
    buf = np.frombuffer(b"  AB  CD", np.uint8)
    offsets, data = _decode.fixed_text(buf, np.array([0, 4], np.int64), np.array([1, 1], np.uint8), 4)
    assert bytes(data).decode() == "ABCD" and offsets.tolist() == [0, 2, 4]
    with pytest.raises(ValueError, match="past the buffer"):
        _decode.fixed_text(buf, np.array([0, 5], np.int64), np.array([1, 1], np.uint8), 4)
    offsets, _ = _decode.fixed_text(buf, np.array([0, 5], np.int64), np.array([1, 0], np.uint8), 4)
    assert offsets.tolist() == [0, 2, 2]                     # a row not valid is not read
    with pytest.raises(ValueError, match="a valid flag for each start"):
        _decode.fixed_text(buf, np.array([0, 4], np.int64), np.array([1], np.uint8), 4)
    with pytest.raises(ValueError, match="width >= 0"):
        _decode.fixed_text(buf, np.array([0, 4], np.int64), np.array([1, 1], np.uint8), -1)
