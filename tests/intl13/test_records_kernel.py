"""The records table's compiled pass (intl13/_records.header_columns): the table it makes against the
pa.array builder it replaced (records_reference.py) for records of one kind at a time -- responses
alone take the one-call path, consultas and error records the second call with their headers and
references found in Python -- and, hand-built, the Anexo 14 indicator of a response (manual: one
digit a bureau, 0000 reserved in an Informe Buró); and the checks before any byte is read."""
import numpy as np
import pytest

import records_reference
from mxbureau.intl13 import _records, records, synth
from mxbureau.scanner import scan


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
    (manual: the member code and the operator reference are fixed-width, left-justified), the control
    number kept exactly."""
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
