"""The columns the decoder computes in its fill (numeric codes spelled, an amount's negative values
as codes) against the Python pass over imported arrays that made them before
(fused_reference.py), on generated corpora and on hand-built records shaped like real replies:
reasons written with and without their zeros, blanks, latin-1 spaces, letters; exclusion codes
with a leading or a trailing sign, damaged amounts, repeated tags, values too long; column
selections, two workers, columns with no value."""
import numpy as np
import pyarrow as pa
import pytest

import mxbureau
from fused_reference import reference_tables
from mxbureau import _decode
from mxbureau.intl13 import synth
from mxbureau.scanner import scan
from mxbureau.tables import build_tables, decoding


def header(ref=b"R"):
    return b"INTL13" + ref.rjust(25) + b"MX" + b"0000" + b"BC99991001" + b"1" + b" "


def record(*segments: bytes, ref=b"R") -> bytes:
    body = header(ref) + b"PN06MENDEZ0008GONZALEZ" + b"".join(segments)
    tail = b"0009044979158" + b"0102**"
    return body + b"ES05%05d" % (len(body) + 9 + len(tail)) + tail


def field(tag: bytes, value: bytes) -> bytes:
    return tag + b"%02d" % len(value) + value


def sc(name: bytes, code: bytes, *fields) -> bytes:
    return field(b"SC", name) + field(b"00", code) + b"".join(field(t, v) for t, v in fields)


# score families, reasons spelled every way a bureau writes them, exclusion codes, damage
HAND = b"".join([
    record(sc(b"ICC", b"504", (b"01", b"0007"), (b"02", b"10"), (b"03", b"010"), (b"04", b"4"))),
    record(sc(b"BC SCORE", b"507", (b"01", b"0650"), (b"02", b"4"), (b"03", b"004"), (b"04", b" 7"))),
    record(sc(b"BC SCORE", b"507", (b"01", b"-009")), sc(b"BC SCORE", b"507", (b"01", b"9-"), (b"02", b"\xa004"))),
    # a score code too long (null): the reasons get BC Score's width
    record(sc(b"ICC", b" 504", (b"01", b"-10"), (b"02", b"A1"), (b"03", b"0"), (b"04", b"000"))),
    record(sc(b"ICC", b"004", (b"01", b"--9"), (b"02", b""), (b"03", b"  "), (b"04", b"12 "))),
    # a reason too long (left out), and its tag again: a repeat the manual does not allow
    record(sc(b"BC SCORE", b"507", (b"01", b"-0"), (b"02", b"0004"), (b"02", b"05"), (b"06", b"1"))),
    record(sc(b"BC SCORE", b"507", (b"01", b"-9"), (b"06", b"01")), sc(b"X", b"999", (b"01", b"+5"), (b"06", b"E1"))),
    record(field(b"CL", b"0215") + field(b"00", b"1") + field(b"01", b"001") + field(b"02", b"-5") + field(b"03", b" 2"),
           field(b"CL", b"0215") + field(b"00", b"2") + field(b"01", b"1 ") + field(b"03", b"02"),
           field(b"CL", b"0215") + field(b"00", b"3") + field(b"01", b"A") + field(b"03", b"2")),
])


def same_tables(data, **kw):
    tok = scan(data, strict=False)
    new = build_tables(tok, **kw)
    ref = reference_tables(tok, **kw)
    assert set(new.names) == set(ref), (new.names, list(ref))
    for tag in ref:
        assert new[tag].schema.equals(ref[tag].schema, check_metadata=True), tag
        assert new[tag].combine_chunks().equals(ref[tag]), tag
        # the dictionaries themselves, in the same (first occurrence) order
        for name in new[tag].column_names:
            a, b = new[tag].column(name).combine_chunks(), ref[tag].column(name).combine_chunks()
            if pa.types.is_dictionary(a.type):
                assert a.dictionary.to_pylist() == b.dictionary.to_pylist(), (tag, name)
                assert a.indices.to_pylist() == b.indices.to_pylist(), (tag, name)
    return new


def test_hand_built_scores_as_the_python_pass_made_them():
    t = same_tables(HAND)
    sc = t["SC"].to_pylist()
    # worked out by hand: ICC (504, 004) reasons in 3 digits, BC Score's in 2; the score code decides,
    # stripped (" 504"); values that are not digits as written; exclusion codes "-" + 3 digits
    assert [(s["reason_1"], s["reason_2"], s["reason_3"]) for s in sc] == [
        ("010", "010", "004"), ("04", "04", "07"), (None, None, None), ("04", None, None),
        ("A1", "00", "00"), ("", "  ", "012"), (None, None, None), (None, None, None), (None, None, None)]
    assert [s["score"] for s in sc] == [7, 650, None, None, None, None, 0, None, 5]
    assert [s["exclusion_code"] for s in sc] == [None, None, "-009", "-009", "-010", None, None, "-009", None]
    assert [s["error_code"] for s in sc] == [None, None, None, None, None, None, "01", "01", "E1"]
    cl = t["CL"].to_pylist()
    assert [(c["characteristic"], c["error_code"], c["value"]) for c in cl] == [
        ("1", "2", -5), ("1", "2", None), ("A", "2", None)]
    problems = t.problems.to_pylist()
    assert sorted(p["problem"].split(":")[0] for p in problems) == [
        "not a number", "tag repeated within its segment", "value of 4 bytes, longer than the field's maximum of 3",
        "value of 4 bytes, longer than the field's maximum of 3"]


def test_generated_corpus_as_the_python_pass_made_it(corpus):
    t = same_tables(corpus)
    assert t["SC"].num_rows > 100 and t["SC"].column("exclusion_code").null_count < t["SC"].num_rows


@pytest.mark.parametrize("kw", [dict(segments=["SC"]), dict(columns=["score", "score_code", "reason_2"]),
                                dict(columns={"SC": ["score_code", "reason_3"], "CL": ["characteristic"]}),
                                dict(columns=["exclusion_code"])])
def test_selections_as_the_python_pass_made_them(kw):
    same_tables(HAND + synth.generate_bytes(200, seed=5), **kw)


def test_a_reason_without_its_score_code_has_the_default_width():
    # the selection leaves the score code out: the width is BC Score's (the Python pass took the
    # widths from the last column of the table then, here the reason itself)
    t = mxbureau.read(HAND, strict=False, columns=["reason_1"])
    assert t["SC"].column("reason_1").to_pylist()[:2] == ["10", "04"]


def test_columns_with_no_value():
    data = record(sc(b"BC SCORE", b"507", (b"01", b"0650"))) * 3
    t = same_tables(data)
    ex = t["SC"].column("exclusion_code").combine_chunks()
    assert ex.null_count == 3 and ex.dictionary.to_pylist() == [] and ex.type == pa.dictionary(pa.int32(), pa.large_string())
    assert t["SC"].column("reason_1").null_count == 3


def test_two_workers_give_the_tables_of_one(corpus):
    one, two = mxbureau.read(corpus + HAND, strict=False), mxbureau.read(corpus + HAND, strict=False, workers=2)
    assert one.names == two.names
    for tag in one.names:
        assert two[tag].num_columns and one[tag].to_pylist() == two[tag].to_pylist(), tag


def test_program_rejects_tables_that_do_not_fit():
    d = decoding()
    args = [d.seg_unknown, d.field_lut, d.field_kind, d.field_max, d.field_longer, d.field_again, d.field_neg,
            d.field_spell, d.field_by, d.field_order, {}, len(d.slots)]
    _decode.Program(*args)
    s = d.slots.index("SC")
    bad = d.field_order.copy()
    bad[s, 1] = bad[s, 0]                       # a column twice: two batches would own its buffers
    with pytest.raises(ValueError, match="field_order"):
        _decode.Program(*args[:9], bad, *args[10:])
    bad = d.field_neg.copy()
    bad[s, 0] = 1                               # a text column's negative values
    with pytest.raises(ValueError, match="field_neg"):
        _decode.Program(*args[:6], bad, *args[7:])
    bad = d.field_spell.copy()
    bad[s, 2] = 2                               # the score, an amount, spelled
    with pytest.raises(ValueError, match="field_spell"):
        _decode.Program(*args[:7], bad, *args[8:])
