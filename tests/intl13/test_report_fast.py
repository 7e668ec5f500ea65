"""reports() through the rows path (the token index straight to Python values, _rows.pyx: no Arrow)
against the tables path (build_tables, then the tables sliced per record): every Report the same,
value for value, type for type and key for key in order -- for generated corpora of every record
kind, hand-built real-shaped records, damaged values (nulls), repeated tags, short readings, negative
score codes, error records, no-hits, consultas, lenient reads of damaged files; a strict read raises
the same FormatError at the same place, before any report of its chunk. The values themselves are
checked by hand against the manual in the hand-built records."""
import datetime as dt
import pathlib
import random

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mxbureau
from real_records import IQ_CC, PA, PN, RS, SC_007, header, record
from corpora import ALL_KINDS
from mxbureau import tables
from mxbureau.intl13 import report, synth, writer
from mxbureau.intl13.report import _MANY, _ONE, _KEYS
from mxbureau.scanner import scan, scan_chunks
from mxbureau.tables import decoding


def error_record(seg: bytes) -> bytes:
    data = b"ERRR" + seg
    return data + b"ES05%05d" % (len(data) + 15) + b"0002**"        # the old-style ES of error records


def tl(*fields: bytes) -> bytes:
    """An account: updated 15102010, user BANCO, account 123456, MOP 01, and ``fields``."""
    return b"TL0815102010" + b"0205BANCO" + b"0406123456" + b"2602" + b"01" + b"".join(fields)


def _rows_path(data, strict=True, workers=1):
    out = []
    for tok in scan_chunks(data, strict=strict, workers=workers):
        out += [r.to_dict() for r in report._row_reports(tok, strict, report._program(decoding(tok.format)))]
    return out


def _tables_path(data, strict=True, workers=1):
    return [r.to_dict() for tok in scan_chunks(data, strict=strict, workers=workers)
            for r in report._table_reports(tok, strict)]


def _same_value(a, b, where):
    """a == b with the same types throughout (True == 1 and 1 == 1.0 would pass ==) and the same key
    order in every dict."""
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same_value(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same_value(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def assert_same(data, strict=True, workers=1):
    fast, slow = _rows_path(data, strict, workers), _tables_path(data, strict, workers)
    assert len(fast) == len(slow)
    for k, (a, b) in enumerate(zip(fast, slow)):
        _same_value(a, b, f"report {k}")
    return fast


def _raised(fn):
    with pytest.raises(mxbureau.FormatError) as e:
        fn()
    v = e.value
    return v.code, v.offset, v.record, v.segment, v.tag, str(v)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_generated_corpora_of_every_kind(seed):
    recs = [synth.generate_record(seed, i, ALL_KINDS, manual_order=seed % 2 == 0) for i in range(150)]
    data = b"\n".join(writer.record_bytes(r) for r in recs)
    got = assert_same(data)
    assert {r["kind"] for r in got} == {"hit", "nohit", "error", "consulta"}
    assert any(r["accounts"] for r in got) and any(r["user_error"] or r["auth_error"] for r in got)
    assert_same(data, strict=False)


def test_many_batches_and_the_public_reports(corpus):
    # 1,500 records: one chunk, several batches of the kernel
    assert len(corpus) > 0 and report.ROWS_BATCH < 1500
    got = assert_same(corpus)
    assert [r.to_dict() for r in mxbureau.reports(corpus)] == got
    assert len(got) == mxbureau.read(corpus).records.num_rows


def test_the_token_parts_of_a_parallel_scan(corpus):
    tok = scan(corpus, workers=2)
    assert len(tok.parts) == 2
    prog = report._program(decoding(tok.format))
    fast = [r.to_dict() for r in report._row_reports(tok, True, prog)]
    slow = [r.to_dict() for r in report._table_reports(tok, True)]
    assert len(fast) == len(slow) == tok.n_records
    for k, (a, b) in enumerate(zip(fast, slow)):
        _same_value(a, b, f"report {k}")


def test_real_shaped_records_checked_by_hand():
    hit = record(header(b"12", indicator=b"1010"), PN, PA, tl(b"0301" b"0", b"45044500"), tl(b"0301" b"1"),
                 IQ_CC, RS, SC_007)
    nohit = record(header(indicator=b"0010", found=b"0", ref=b"B"), PN, PA, IQ_CC, RS,
                   b"SC08BC SCORE0003007" + b"0104-009")
    data = hit + b"\r\n" + nohit
    a, b = assert_same(data)
    # the header: INTL12, hit in TUM and CC, no hit in DUN (Anexo 14)
    assert (a["version"], a["kind"], a["found"], a["bureau_indicator"], a["reference"], a["member_code"]) == \
        (12, "hit", True, "1010", "REAL1", "BC99991001")
    assert (a["bureau_tum"], a["bureau_dun"], a["bureau_cc"], a["has_data"]) == ("HIT", "NO HIT", "HIT", True)
    assert (a["control_number"], a["declared_length"], a["record_start"], a["length"]) == \
        ("044979158", len(hit), 0, len(hit))
    assert (b["kind"], b["found"], b["has_data"], b["record_start"]) == ("nohit", False, True, len(hit) + 2)
    # PN: the manual's example; PA 05 a postal code of digits, kept as written
    assert (a["name"]["paternal_surname"], a["name"]["first_name"], a["name"]["rfc"]) == \
        ("MENDEZ", "ANTUANET", "MEGA510503RE3")
    assert (a["addresses"][0]["state"], a["addresses"][0]["postal_code"], a["addresses"][0]["origin_country"]) == \
        ("DF", "14210", "MX")
    # TL: the SIC id (a one-digit 03), dates, MOP 01 -> level 1, TL 45 only in the first account
    acc = a["accounts"]
    assert [x["sic_id"] for x in acc] == ["0", "1"] and [x["user_phone"] for x in acc] == [None, None]
    assert acc[0]["updated_on"] == dt.date(2010, 10, 15) and (acc[0]["mop"], acc[0]["mop_level"]) == ("01", 1)
    assert (acc[0]["last_payment_amount"], acc[1]["last_payment_amount"]) == (4500, None)
    # IQ of Círculo: its 09 is the SIC id; the amount 0
    iq = a["inquiries"][0]
    assert (iq["inquired_on"], iq["member_code"], iq["contract_amount"], iq["sic_id"], iq["reserved_09"]) == \
        (dt.date(2013, 4, 29), "SI99991001", 0, "1", None)
    assert a["summaries"][0]["accounts_total"] == 2
    # SC: 007 with reasons 21, 24, 09; an exclusion -009 is no score
    sc = a["scores"][0]
    assert (sc["score_code"], sc["score"], sc["exclusion_code"], sc["reason_1"], sc["reason_3"]) == \
        ("007", 731, None, "21", "09")
    assert (b["scores"][0]["score"], b["scores"][0]["exclusion_code"]) == (None, "-009")


def test_mop_levels_by_the_catalogue():
    # Field.ordinal of the MOP fields in both paths (the fill's KIND_LEVEL column, the rows kernel's
    # map), against catalogs.MOP_LEVELS written out: 01-07 -> 1-7, 96/97/99 -> 9, 00 -> 0, UR and a
    # code the annex does not have (XX, blanks) null, no worst MOP null
    mops = [b"01", b"07", b"96", b"97", b"99", b"00", b"UR", b"XX", b"  ", b"05"]
    accs = [b"TL0815102010" + b"0205BANCO" + b"0406123456" + b"2602" + m + (b"3802" + m if k % 2 else b"")
            for k, m in enumerate(mops)]
    want = [1, 7, 9, 9, 9, 0, None, None, None, 5]
    (r,) = assert_same(record(header(), PN, *accs))
    assert [x["mop_level"] for x in r["accounts"]] == want
    assert [x["worst_mop_level"] for x in r["accounts"]] == [w if k % 2 else None for k, w in enumerate(want)]
    t = mxbureau.read(record(header(), PN, *accs))["TL"]
    assert t.column("mop_level").to_pylist() == want and t.schema.field("mop_level").type == pa.int8()


def test_values_typed_as_the_tables_type_them():
    # amounts with a trailing or leading sign, an absent date (00000000), a phone (a longer 03), the
    # history's spaces kept, ICC reasons spelled to 3 digits and BC Score's to 2, exclusion -1 as -001
    acc = tl(b"030555123", b"2206 1500-", b"2405+0042", b"1608" b"00000000", b"1308" b"31122020",
             b"2705" b"11 1-", b"3802" b"96")
    sc_icc = b"SC03ICC0003504" + b"01040007" + b"020210" + b"0303010" + b"040262"
    sc_bc = b"SC08BC SCORE0003507" + b"01040650" + b"02014" + b"0303004"
    sc_ex = b"SC08BC SCORE0003507" + b"0102-1"
    pa_cdmx = b"PA15PICO DE VERAPAZ0207TLALPAN0306MEXICO0404CDMX0505142101302MX"
    (r,) = assert_same(record(header(), PN, pa_cdmx, acc, sc_icc, sc_bc, sc_ex))
    x = r["accounts"][0]
    assert (x["user_phone"], x["sic_id"], x["balance"], x["past_due"]) == ("55123", None, -1500, 42)
    assert (x["closed_on"], x["opened_on"]) == (None, dt.date(2020, 12, 31))
    assert (x["payment_history"], x["worst_mop"], x["worst_mop_level"]) == ("11 1-", "96", 9)
    assert [(s["reason_1"], s["reason_2"], s["reason_3"]) for s in r["scores"]] == [
        ("010", "010", "062"), ("04", "04", None), (None, None, None)]
    assert [(s["score"], s["exclusion_code"]) for s in r["scores"]] == [(7, None), (650, None), (None, "-001")]
    assert r["addresses"][0]["state"] == "CDMX", "kept as the bureau wrote it"


def test_damaged_values_are_none_as_in_the_tables():
    # a date that is no date (31 February), an amount with a letter, a count with a sign, a postal
    # code (digits) with a letter
    acc = tl(b"1308" b"31022020", b"2204" b"12X4", b"2502" b"-1")
    pa_bad = PA.replace(b"050514210", b"05051421A")
    data = record(header(), PN, pa_bad, acc)
    (r,) = assert_same(data)
    x = r["accounts"][0]
    assert (x["opened_on"], x["balance"], x["payments_past_due"], x["user_name"]) == (None, None, None, "BANCO")
    assert r["addresses"][0]["postal_code"] is None
    assert mxbureau.read(data).problems.num_rows == 4, "each a problem row of the tables (not of Report)"
    # too long (a 12-digit phone, past its maximum of 11): strict raises, lenient leaves it out
    long_ = record(header(), PN, PA, tl(b"0312" b"551234567890"))
    assert _raised(lambda: list(mxbureau.reports(long_))) == _raised(lambda: tables.read(long_))
    (r,) = assert_same(long_, strict=False)
    assert r["accounts"][0]["user_phone"] is None


def test_error_records_and_repeated_tags():
    ur3 = error_record(b"UR25" + b"REAL3".rjust(25) + b"0609PN0005ABC" + b"0610PA0404XXXX" + b"0611PE0505ABCDE")
    optimiza = b"ERRRUR25" + b"P004SP01".rjust(25) + b"1808SC000561" + b"ES0500073" + b"0009772393915" + b"0102**"
    ar = error_record(b"AR25" + b"AUTH".rjust(25) + b"0014NO AUTENTICADO" + b"1604PN00" + b"1604PA00")
    a, b, c = assert_same(ur3 + optimiza + ar)
    ue = a["user_error"]
    assert [ue["bad_field_info"], ue["bad_field_info_2"], ue["bad_field_info_3"], ue["bad_field_info_4"]] == \
        ["PN0005ABC", "PA0404XXXX", "PE0505ABCDE", None]
    assert (a["kind"], a["reference"], a["member_code"], a["found"], a["control_number"]) == \
        ("error", "REAL3", None, None, None)
    assert next(mxbureau.reports(ur3)).user_error.all("bad_field_info") == ["PN0005ABC", "PA0404XXXX", "PE0505ABCDE"]
    assert (b["user_error"]["optimiza_result"], b["control_number"]) == ("SC000561", "772393915")
    assert (c["auth_error"]["missing_required_field"], c["auth_error"]["missing_required_field_2"]) == ("PN00", "PA00")
    assert c["accounts"] == [] and c["name"] is None
    # a tag repeated where the manual does not allow it: the same error, strict; left out, lenient
    twice = record(header(), PN, PA, tl(b"0205OTROS"))
    assert _raised(lambda: list(mxbureau.reports(twice))) == _raised(lambda: tables.read(twice))
    (r,) = assert_same(twice, strict=False)
    assert r["accounts"][0]["user_name"] == "BANCO"
    six = b"ERRRUR25" + b"R".rjust(25) + b"".join(b"0604PN%02d" % k for k in range(6))
    six += b"ES05%05d" % (len(six) + 15) + b"0002**"
    assert _raised(lambda: list(mxbureau.reports(six))) == _raised(lambda: tables.read(six))
    (r,) = assert_same(six, strict=False)
    assert r["user_error"]["bad_field_info_5"] == "PN04"
    # the reference of an error record: its first value when that opens UR / AR, at most 25 bytes;
    # null otherwise (never the bytes after it), by both paths
    for seg, want in ((b"UR03ABC", "ABC"), (b"AR06  K1  ", "K1"), (b"UR00", ""), (b"PN03ABC", None),
                      (b"UR30" + b"Z" * 30, None)):
        (r,) = assert_same(error_record(seg), strict=False)
        assert r["reference"] == want, seg


def test_unknown_tags_and_segments_and_declarativas():
    cr_text = writer.cr_bytes("NO ESTOY CONFORME ** ES0500100", "text")
    cr_seg = writer.cr_bytes("PAGUE A TIEMPO", "segment")
    data = (record(header(), PN + b"9903ZQX", PA, b"ZZ02QQ0001Q", tl(), cr_text)
            + record(header(version=b"11", ref=b"OLD"), PN, PA, cr_seg))
    a, b = assert_same(data)
    assert (a["declarativa"]["declarativa"], a["cr_reading"]) == ("NO ESTOY CONFORME ** ES0500100", "text")
    assert (b["declarativa"]["declarativa"], b["cr_reading"], b["version"]) == ("PAGUE A TIEMPO", "segment", 11)
    assert "99" not in a["name"] and len(a["accounts"]) == 1


def test_consultas_are_skipped_as_the_tables_skip_them():
    recs = [synth.generate_record(9, i, {"consulta": 1.0}, manual_order=True) for i in range(40)]
    data = b"".join(writer.record_bytes(r) for r in recs)
    got = assert_same(data)
    assert {r["kind"] for r in got} == {"consulta"} and all(r["member_code"] for r in got)
    assert all(r["name"] is None and r["addresses"] == [] for r in got)


def _damage(data: bytes, seed: int, n: int) -> bytes:
    r = random.Random(seed)
    b = bytearray(data)
    for _ in range(n):
        at = r.randrange(len(b))
        b[at:at + r.choice((1, 1, 3))] = bytes(r.choice(b"0123456789X# \xe9\n") for _ in range(r.choice((1, 2, 3))))
    return bytes(b)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lenient_reads_of_damaged_files(seed):
    clean = synth.generate_bytes(200, seed=seed, mix=ALL_KINDS, separator="lf")
    data = _damage(clean, seed, 40)
    got = assert_same(data, strict=False)
    t = mxbureau.read(data, strict=False)
    assert [r["record"] for r in got] == t.records.column("record").to_pylist()
    assert not all(r["ok"] for r in got), "some records damaged"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31), st.integers(1, 6), st.integers(0, 8), st.booleans())
def test_random_records_any_damage(seed, n, hits, strict):
    recs = [synth.generate_record(seed, i, ALL_KINDS, manual_order=bool(seed & 1)) for i in range(n)]
    data = _damage(b"\n".join(writer.record_bytes(r) for r in recs), seed, hits)
    if strict:
        try:
            want = _tables_path(data, True)
        except mxbureau.FormatError:
            assert _raised(lambda: _rows_path(data, True)) == _raised(lambda: _tables_path(data, True))
            return
        for a, b in zip(_rows_path(data, True), want):
            _same_value(a, b, "report")
    else:
        assert_same(data, strict=False)


def test_strict_raises_before_any_report_of_its_chunk(monkeypatch):
    # a value too long in the last of several kernel batches: no report of the chunk comes out first
    monkeypatch.setattr(report, "ROWS_BATCH", 4)
    good = synth.generate_bytes(11, seed=3, mix={"hit": 1.0})
    bad = record(header(), PN, PA, tl(b"0312" b"551234567890"))
    it = mxbureau.reports(good + bad)
    with pytest.raises(mxbureau.FormatError) as e:
        next(it)
    assert (e.value.code, e.value.record, e.value.tag) == (16, 11, "03")
    assert len(list(mxbureau.reports(good + bad, strict=False))) == 12


def test_few_records_build_no_arrow_table(monkeypatch):
    data = record(header(), PN, PA, tl(), SC_007)

    def no_tables(*a, **k):
        raise AssertionError("build_tables called")
    monkeypatch.setattr(report, "build_tables", no_tables)
    (rep,) = mxbureau.reports(data)
    assert rep.accounts[0].balance is None and rep.scores[0].score == 731 and rep.name.first_name == "ANTUANET"


def test_a_path_source_read_through_its_mapping(tmp_path, corpus):
    p = tmp_path / "r.intl"
    p.write_bytes(corpus[:corpus.index(b"**\n", 200_000) + 3])
    assert [r.to_dict() for r in mxbureau.reports(str(p))] == _tables_path(str(p))


def test_rows_cover_every_column_of_the_tables():
    d = decoding()
    prog = report._program(d)
    for tag in set(_ONE.values()) | set(_MANY.values()):
        keys = [n for n in d.schemas[tag].names if n not in _KEYS]
        s = d.slots.index(tag)
        t = mxbureau.read(synth.generate_bytes(1, seed=1, mix={"hit": 1.0}), segments=[tag])[tag]
        assert [n for n in t.column_names if n not in _KEYS] == keys, tag
        decoded = {c.name for c in d.columns[tag]}
        added = set(keys) - decoded
        # what is not decoded is the kernel's to add (a negative's code, a level), none left out
        made = {name for col, kind, name, arg in prog.kernel_extras[s]}
        assert added == made, tag


def test_the_kernel_knows_no_format():
    # the checkout's source: an installed package has no .pyx
    text = (pathlib.Path(__file__).resolve().parents[2] / "src" / "mxbureau" / "_rows.pyx").read_text()
    assert "intl13" not in text and "INTL" not in text
