"""Typed tables: every field of every segment decoded and checked against what the generator wrote."""
import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau.intl13 import catalogs, derived, spec, synth, writer
from mxbureau.intl13 import FORMAT

TABLE_SEGMENTS = FORMAT.tables
from corpora import ALL_KINDS
from reply_oracle import expected_row


@pytest.fixture(scope="module")
def generated():
    recs = [synth.generate_record(31, i, ALL_KINDS) for i in range(700)]
    data = b"\r\n".join(writer.record_bytes(r) for r in recs)
    return recs, data, mxbureau.read(data)


def test_every_field_of_every_segment(generated):
    recs, data, tables = generated
    expected = {tag: [] for tag in TABLE_SEGMENTS}
    for i, r in enumerate(recs):
        if r["kind"] == "consulta":
            continue
        seen = {}
        for tag, values in r["segments"]:
            pos = seen.get(tag, 0)
            seen[tag] = pos + 1
            expected[tag].append((i, pos, values))
    checked = 0
    for tag, rows in expected.items():
        if not rows:
            continue
        t = tables[tag]
        seg = TABLE_SEGMENTS[tag]
        assert t.num_rows == len(rows), tag
        assert t.column("record").to_pylist() == [i for i, _, _ in rows]
        if seg.max_occurs != 1:
            assert t.column("position").to_pylist() == [p for _, p, _ in rows]
        want_rows = [expected_row(tag, vals) for _, _, vals in rows]
        for name in t.column_names[(3 if seg.max_occurs != 1 else 2):]:      # after record, record_start, position
            if tag == "CR" and name == "declared_count":
                continue                          # the count depends on the reading; checked below
            if (tag, name) in derived.DESCRIPTIONS:
                continue                          # computed by mxbureau (mop_level): test_mop_levels_by_the_catalogue
            assert t.column(name).to_pylist() == [w[name] for w in want_rows], (tag, name)
            checked += 1
    assert checked > 150


def test_cr_count_follows_its_reading(generated):
    recs, data, tables = generated
    cr = tables["CR"]
    rec = tables.records
    readings = rec.column("cr_reading").to_pylist()
    for i, count, text in zip(cr.column("record").to_pylist(), cr.column("declared_count").to_pylist(),
                              cr.column("declarativa").to_pylist()):
        digits = 4 if (len(text) <= 9999 if readings[i] == "text" else len(text) + 12 <= 9999) else 5
        assert count == (len(text) if readings[i] == "text" else len(text) + 8 + digits)


def test_records_table(generated):
    recs, data, tables = generated
    rt = tables.records
    assert rt.column("record").to_pylist() == list(range(len(recs)))
    assert rt.column("kind").to_pylist() == [r["kind"] for r in recs]
    for i, r in enumerate(recs):
        row = {k: rt.column(k)[i].as_py() for k in ("reference", "member_code", "control_number", "found",
                                                   "version", "bureau_indicator", "ok")}
        assert row["ok"]
        if r["kind"] == "error":
            ref = r["segments"][0][1]["reference"]
            assert row["reference"] == ref.strip() and row["member_code"] is None and row["found"] is None
        else:
            assert row["reference"] == r["reference"].strip()
            assert row["member_code"] == r["member_code"]
            assert row["version"] == int(r["version"])
        if r["kind"] in ("hit", "nohit"):
            assert row["found"] == (r["kind"] == "hit")
            assert row["bureau_indicator"] == r.get("bureau_indicator", "0000")
        if r["kind"] != "consulta":
            assert row["control_number"] == r["control_number"], "leading zeros kept; null for old style"
    assert (np.array(rt.column("length")) == np.array([len(writer.record_bytes(r)) for r in recs])).all()


def test_types_follow_the_spec(generated):
    _, _, tables = generated
    tl = tables["TL"]
    assert tl.schema.field("balance").type == pa.int64()
    assert tl.schema.field("history_latest_on").type == pa.date32()
    assert pa.types.is_dictionary(tl.schema.field("mop").type)
    assert pa.types.is_dictionary(tl.schema.field("member_code").type)
    assert tl.schema.field("payment_history").type == pa.large_string()
    assert tl.schema.field("balance").metadata[b"tag"] == b"22"
    assert tl.schema.field("balance").metadata[b"spanish"] == "SALDO ACTUAL".encode()
    sc = tables["SC"]
    assert [sc.schema.field(n).metadata[b"tag"] for n in ("score_code", "score", "exclusion_code")] == [b"00", b"01", b"01"]
    assert min(x for x in sc.column("score").to_pylist() if x is not None) >= 0, "exclusion codes have a column"
    assert pa.types.is_dictionary(sc.schema.field("exclusion_code").type)
    assert set(sc.column("exclusion_code").to_pylist()) - {None} <= set(catalogs.SCORE_EXCLUSIONS)


def _one(segments, **kw):
    r = {"kind": "hit", "reference": "R", "member_code": "BC12345678", "control_number": "1",
         "segments": segments}
    r.update(kw)
    return writer.record_bytes(r)


def test_manual_tl_example_values():
    b = _one([("PN", {"paternal_surname": "MENDEZ"}),
              ("TL", {"updated_on": "15102010", "disputed": "0000", "member_code": " " * 10, "user_name": "BANCO",
                      "account_number": "123456", "responsibility": "I", "account_type": "I", "contract_type": "CL",
                      "currency": "MX", "number_of_payments": "15", "payment_frequency": "M",
                      "payment_amount": "1062", "opened_on": "11111996", "balance": "9799", "credit_limit": "50550",
                      "mop": "01", "payment_history": "11112111111112111-111111",
                      "history_latest_on": "05092010", "worst_delinquency_on": "11052010", "worst_mop": "02"})])
    tl = mxbureau.read(b)["TL"].to_pylist()[0]
    assert tl["balance"] == 9799 and tl["mop"] == "01" and tl["member_code"] == " " * 10
    assert tl["payment_history"] == "11112111111112111-111111"
    assert tl["history_latest_on"] == dt.date(2010, 9, 5) and tl["opened_on"] == dt.date(1996, 11, 11)
    assert tl["disputed"] == 0 and tl["closed_on"] is None


def test_signs_spaces_latin1_and_repeats():
    b = _one([("PN", {"paternal_surname": "NU\xd1EZ", "first_name": "JOS\xc9"}),
              ("TL", {"updated_on": "01012020", "balance": "7597+", "past_due": "1500-", "max_credit": "-20",
                      "payment_history": "1 1  U-D"})])
    t = mxbureau.read(b)
    assert t["PN"].column("paternal_surname").to_pylist() == ["NUÑEZ"]
    assert t["PN"].column("first_name").to_pylist() == ["JOSÉ"]
    row = t["TL"].to_pylist()[0]
    assert (row["balance"], row["past_due"], row["max_credit"]) == (7597, -1500, -20)
    assert row["payment_history"] == "1 1  U-D"
    err = b"ERRRUR25" + b"R".rjust(25) + b"0609PN0005ABC" + b"0609PA0404XXX" + b"ES0500000" + b"0002**"
    err = err[:-15] + b"ES05%05d" % len(err) + b"0002**"
    t = mxbureau.read(err)
    assert t["UR"].column("bad_field_info").to_pylist() == ["PN0005ABC"]
    assert t["UR"].column("bad_field_info_2").to_pylist() == ["PA0404XXX"], "UR 06 may repeat: kept whole"


def test_bad_values_are_null_and_reported_without_values():
    b = _one([("PN", {"paternal_surname": "ZQXWV", "birth_date": "31022001"}),
              ("TL", {"updated_on": "01012020", "balance": "12A4", "opened_on": "00000000"})])
    t = mxbureau.read(b)
    assert t["PN"].column("birth_date").to_pylist() == [None]
    row = t["TL"].to_pylist()[0]
    assert row["balance"] is None and row["opened_on"] is None
    probs = t.problems.to_pylist()
    assert [(p["segment"], p["tag"], p["problem"]) for p in probs] == [
        ("PN", "04", "not a valid date"), ("TL", "22", "not a number")]
    assert all(p["record"] == 0 for p in probs)
    assert b[probs[0]["offset"]:probs[0]["end"]] == b"31022001"
    assert "ZQXWV" not in str(probs) and "12A4" not in str(probs)


def test_segments_selection_and_exports(tmp_path, generated):
    recs, data, full = generated
    only = mxbureau.read(data, segments=["TL"])
    assert only.names == ["TL"] and only["TL"].equals(full["TL"])
    paths = full.to_parquet(tmp_path)
    assert sorted(p.rsplit("/", 1)[1] for p in paths) == sorted(["records.parquet"] + [f"{n}.parquet" for n in full.names])
    back = pq.read_table(tmp_path / "TL.parquet")
    assert back.column("balance").to_pylist() == full["TL"].column("balance").to_pylist()
    assert back.column("mop").to_pylist() == full["TL"].column("mop").to_pylist()
    frames = full.to_pandas()
    assert set(frames) == set(full.names) | {"records", "problems"}
    assert len(frames["TL"]) == full["TL"].num_rows


def test_lenient_read_keeps_intact_records():
    good = synth.generate_bytes(5, seed=3)
    first_end = int(mxbureau.scan(good).records["end"][0])
    i = good.rindex(b"ES0", 0, first_end) + 4      # the first record's ES length digits: surely fatal
    bad = good[:i] + b"#" + good[i + 1:]
    t = mxbureau.read(bad, strict=False)
    assert t.records.num_rows == 5 and t.records.column("ok").to_pylist()[0] is False
    assert t.problems.num_rows == 1 and t.problems.column("start").to_pylist()[0] == 0
    assert 0 not in t["RS"].column("record").to_pylist()
    assert set(t["RS"].column("record").to_pylist()) == {1, 2, 3, 4} & {r for r, k in enumerate(
        t.records.column("kind").to_pylist()) if k == "hit"}


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_parts_of_a_parallel_scan_decode_to_the_same_tables(generated, workers):
    """A parallel scan's token parts are decoded part by part (in threads when workers > 1), never
    joined: the tables, records and problems equal those of one part, value for value."""
    import invariants
    import copy
    recs = copy.deepcopy(generated[0])
    for i in range(0, len(recs), 50):                     # values that do not fit their type
        for tag, fields in recs[i].get("segments", []):
            if tag == "TL":
                fields["balance"] = "12A4"
    bad = bytearray(b"\r\n".join(writer.record_bytes(r) for r in recs))
    for at in (len(bad) // 3, 2 * len(bad) // 3):         # damaged spans: an ES length digit
        bad[bad.index(b"ES0", at) + 4] = ord("#")
    bad = bytes(bad)
    one = mxbureau.read(bad, strict=False)
    with invariants.eager_threads():
        tok = mxbureau.scan(bad, strict=False, workers=3)
    assert len(tok.parts) >= 3
    many = mxbureau.build_tables(tok, workers=workers)
    assert many.names == one.names and one.problems.num_rows > 3
    for name in one.names:
        assert 1 <= many[name].column(0).num_chunks <= len(tok.parts)     # a chunk a part with rows
        assert many[name].to_pylist() == one[name].to_pylist(), name
    assert many["TL"].column(0).num_chunks > 1
    # what reads the tables takes chunks with dictionaries of their own: pandas, analytics, redaction
    import pandas as pd
    from mxbureau.analytics.features import features
    a, b = one.to_pandas(), many.to_pandas()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    pd.testing.assert_frame_equal(features(one, "2026-10-31"), features(many, "2026-10-31"))
    key = b"k" * 16
    assert many.redact(key)["PN"].to_pylist() == one.redact(key)["PN"].to_pylist()
    assert many.records.to_pylist() == one.records.to_pylist()
    assert many.problems.to_pylist() == one.problems.to_pylist()
    assert not tok._flat                                  # the parts were never joined


# --- the decoder's kernels on drawn values -------------------------------------------------------
# Each column kind has a fast path (8-byte words: digits, ASCII copies, two-word code keys, reads
# past a value's end) and a slow one (signs, blanks, > 8 digits, latin-1, codes > 16 bytes, the last
# bytes of the input). Drawn values exercise both; the last record ends the input, so its values sit
# in the few bytes where the fast paths may not read ahead.

import random  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

_LATIN = "ABCXYZ019 -.Ñé\xff#"


def _text(r: random.Random, f: spec.Field) -> str:
    n = f.max_length if f.fixed else r.randint(0, f.max_length)
    return "".join(r.choice(_LATIN) for _ in range(n))


def _value(r: random.Random, f: spec.Field, pool) -> str:
    if f.kind == "date":
        if r.random() < 0.2:
            return "00000000"
        d = dt.date(1, 1, 1) + dt.timedelta(days=r.randrange(3652058))
        return d.strftime("%d%m") + "%04d" % d.year
    if f.kind in ("int", "amount"):
        sign = r.choice(["", "", "-", "+", "-end", "+end"]) if f.kind == "amount" and f.max_length > 1 else ""
        room = f.max_length - (1 if sign else 0)
        n = room if f.fixed else r.randint(1, room)
        digits = "".join(r.choice("0123456789") for _ in range(n))
        return digits + sign[0] if sign.endswith("end") else sign + digits
    if f.kind == "code" and pool:
        return r.choice(pool)
    return _text(r, f)


@settings(max_examples=60, deadline=None)
@given(tag=st.sampled_from(["TL", "HI", "SC", "IQ", "PA", "RS"]), seed=st.integers(0, 2**32),
       nrows=st.integers(1, 150), distinct=st.sampled_from([3, 90]))
def test_kernels_on_drawn_values(tag, seed, nrows, distinct):
    r = random.Random(seed)
    seg = TABLE_SEGMENTS[tag]
    # code columns: a few values (repeats) or > 64 distinct ones (the hash table grows); codes longer
    # than 16 bytes also share their first 16 (compared as two words, the rest byte by byte)
    pools = {f.name: [_text(r, f) for _ in range(distinct)] for f in seg.fields if f.kind == "code"}
    for f in seg.fields:
        if f.kind == "code" and f.max_length > 16 and not f.fixed:
            pools[f.name] += ["P" * 16 + _text(r, f)[: f.max_length - 16] for _ in range(distinct)]
    rows = [{f.name: _value(r, f, pools.get(f.name)) for f in seg.fields if f.tag == tag or r.random() < 0.7}
            for _ in range(nrows)]
    per = min(seg.max_occurs or 4, 4)
    recs = [{"kind": "hit", "reference": "R%d" % i, "member_code": "BC12345678",
             "segments": [("PN", {"paternal_surname": "X"})] + [(tag, v) for v in rows[i:i + per]]}
            for i in range(0, len(rows), per)]
    data = b"\n".join(writer.record_bytes(rec) for rec in recs)        # the last record ends the input
    t = mxbureau.read(data)[tag]
    assert t.num_rows == len(rows)
    want = [expected_row(tag, v) for v in rows]
    for name in want[0]:
        assert t.column(name).to_pylist() == [w[name] for w in want], (tag, name)
