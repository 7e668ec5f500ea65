"""Issue #18, item 3: a value longer than its field's maximum is damage. A damaged length digit whose
field stream happens to realign (the record stays well-formed, its ES length exact) must not carry
the next field's bytes -- here an account number -- into a column redaction leaves alone: the value
is nulled at decode time (a problem row; FormatError in a strict read), so no output holds it."""
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau import cli
from mxbureau.convert import convert
from mxbureau.intl13 import spec

MARKER = b"ZZQMARKER"
HEAD = b"INTL13" + b"R1".rjust(25) + b"MX0000BC123456781 "
PN = b"PN06MENDEZ"
PA = b"PA08CALLE SN0402DF050514210"


def record(*segments: bytes) -> bytes:
    body = HEAD + b"".join(segments)
    tail = b"00011" + b"0102**"
    return body + b"ES05%05d" % (len(body) + 9 + len(tail)) + tail


# The repro: TL 02 (user name, AN 16) declares 18 bytes and swallows "04 09 ZZQMARKER", the
# account number (personal data); the next tags follow as they should.
REPRO = record(PN, PA, b"TL0801012020" + b"02" + b"18" + b"BANCO0409" + MARKER + b"2602" + b"01")
AT = REPRO.index(b"BANCO0409")                     # the value's offset


def test_strict_read_raises_with_no_value_in_the_message():
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.read(REPRO)
    err = e.value
    assert (err.code, err.offset, err.record, err.segment, err.tag) == (spec.DECODE_CODE["VALUE_TOO_LONG"], AT, 0, "TL", "02")
    assert "18 bytes" in str(err) and "maximum of 16" in str(err)
    assert b"MARKER".decode() not in str(err) and "BANCO" not in str(err)


def test_lenient_read_nulls_the_value_and_reports_it():
    t = mxbureau.read(REPRO, strict=False)
    tl = t["TL"].to_pylist()[0]
    assert tl["user_name"] is None and tl["account_number"] is None and tl["mop"] == "01"
    assert [(p["segment"], p["tag"], p["offset"], p["end"]) for p in t.problems.to_pylist()] == \
        [("TL", "02", AT, AT + 18)]
    assert "MARKER" not in str(t.problems.to_pylist())
    # the same record with the right length: 5 bytes of user name, then the account number, kept
    good = record(PN, PA, b"TL0801012020" + b"0205BANCO" + b"0409" + MARKER + b"2602" + b"01")
    tl = mxbureau.read(good)["TL"].to_pylist()[0]
    assert (tl["user_name"], tl["account_number"]) == ("BANCO", MARKER.decode())
    red = mxbureau.read(good).redact(b"k" * 32)["TL"].to_pylist()[0]
    assert red["user_name"] == "BANCO" and len(red["account_number"]) == 64


def _everything(tables) -> str:
    return repr([tables[n].to_pylist() for n in tables.names] + [tables.records.to_pylist(), tables.problems.to_pylist()])


def test_no_redacted_output_holds_the_marker(tmp_path):
    red = mxbureau.read(REPRO, strict=False).redact(b"k" * 32)
    assert "MARKER" not in _everything(red)
    src = tmp_path / "repro.intl"
    src.write_bytes(REPRO)
    for fmt in ("parquet", "csv"):
        out = tmp_path / fmt
        convert([str(src)], str(out), fmt=fmt, redact_key=b"k" * 32, strict=False)
        files = sorted(out.rglob(f"*.{fmt}"))                # OUT/<table>/part-NNNNN.<fmt>
        assert {p.parent.name for p in files} >= {"TL", "records", "problems"}
        for p in files:
            assert MARKER not in p.read_bytes(), p.name
            table = pq.read_table(p) if fmt == "parquet" else pcsv.read_csv(p)
            assert "MARKER" not in repr(table.to_pylist()), p.name
    # the command, with its key file, in strict mode (convert's default): no file holds the marker
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    out = tmp_path / "cli"
    code = None
    try:
        code = cli.main(["convert", str(src), "-o", str(out), "--redact-key-file", str(key)])
    except SystemExit as e:                      # a FormatError ends the command, exit status 1
        code = e.code
    assert code in (0, 1)
    for p in (out.rglob("*") if out.exists() else ()):
        assert p.is_dir() or MARKER not in p.read_bytes(), p.name


def test_a_numeric_field_absorbing_letters_is_nulled():
    # IQ 09 (N 25: zeros in an Informe Buró) declares 13 bytes and absorbs "04 09 ZZQMARKER"-like bytes:
    # within its maximum, but not digits; a non-personal column (reserved_09) must not keep them
    iq = b"IQ0801012020" + b"0913" + b"0000" + MARKER + b"0701I"
    data = record(PN, PA, iq)
    t = mxbureau.read(data)
    row = t["IQ"].to_pylist()[0]
    assert row["reserved_09"] is None and row["sic_id"] is None and row["responsibility"] == "I"
    probs = [(p["segment"], p["tag"], p["problem"]) for p in t.problems.to_pylist()]
    assert ("IQ", "09", "not digits (the field is numeric)") in probs
    assert "MARKER" not in _everything(t.redact(b"k" * 32))

