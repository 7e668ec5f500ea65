"""The Círculo reader: the compiled scanner against the pure-Python twin (tokens, records, problems,
strict errors), chunked and threaded scans against one sequential scan, the company/credit keys
against a count made by hand from the twin's tokens, lenient recovery of every intact company block,
and detection by the core's read."""
import dataclasses
import gzip
import io

import numpy as np
import pyarrow as pa
import pytest

import mxbureau
from circulo_cases import file_of, nth, portfolio
from mxbureau import circulo
from mxbureau.circulo import spec, twin
from mxbureau.layout import tag_str
from mxbureau.tables import build_tables


@pytest.fixture(scope="module")
def corpora():
    """Generated files of both formats with every separator (~0.3 MB each)."""
    return {(fmt, sep): circulo.generate_bytes(90, seed=11 + fmt, format=fmt, separator=sep)
            for fmt in (1, 2) for sep in ("none", "lf", "crlf")}


def compiled_view(tok):
    toks = list(zip(tok.offset.tolist(), tok.length.tolist(), [tag_str(x) for x in tok.tag.tolist()],
                    [tag_str(x) for x in tok.segment_tag.tolist()]))
    R = tok.records
    recs = [dict(start=int(R["start"][i]), end=int(R["end"][i]), kind=str(R["kind"][i]), ok=bool(R["ok"][i]),
                 credits=int(R["credits"][i]), details=int(R["details"][i]), variant=int(R["variant"][i]),
                 tok_start=int(R["tok_start"][i]), tok_end=int(R["tok_end"][i])) for i in range(tok.n_records)]
    errs = [dict(start=p.start, end=p.end, offset=p.offset, record=p.record, code=p.code) for p in tok.errors]
    return toks, recs, errs


def assert_same(data, strict=True, workers=1):
    """The compiled scanner and the twin agree on tokens, records and problems, or raise alike."""
    try:
        tw = twin.pyscan(data, strict=strict)
    except twin.PyFormatError as e:
        with pytest.raises(mxbureau.FormatError) as got:
            circulo.scan(data, strict=strict, workers=workers)
        assert (got.value.code, got.value.offset, got.value.record) == (e.code, e.offset, e.record)
        return None
    tok = circulo.scan(data, strict=strict, workers=workers)
    toks, recs, errs = compiled_view(tok)
    assert toks == tw["tokens"]
    assert recs == tw["records"]
    assert errs == tw["errors"]
    return tok


def test_compiled_equals_twin_on_every_format_and_separator(corpora):
    for data in corpora.values():
        tok = assert_same(data)
        assert tok.n_records == 92 and not tok.errors


def test_tokens_are_the_values_cut_by_their_modes():
    """A CR checked by hand: text without trailing blanks, numbers without leading zeros, dates and
    codes whole, blanks absent; the identifier under the segment's own tag."""
    d = file_of(portfolio(1))
    tok = circulo.scan(d)
    cr = nth(d, "CR", 0)
    vals = {tag_str(t): bytes(d[o:o + n]) for o, n, t, s in zip(tok.offset.tolist(), tok.length.tolist(),
                                                                 tok.tag.tolist(), tok.segment_tag.tolist())
            if cr <= o < cr + 400 and tag_str(s) == "CR"}
    assert vals["CR"] == b"CR"                              # the identifier at pos 3
    assert vals["00"] == b"ABC800101AB1"                    # RFC at pos 7, 13 bytes less its blank
    assert vals["02"] == b"C1"                              # contract, left-aligned
    assert vals["04"] == b"15012020"                        # opened DDMMAAAA, whole
    assert vals["05"] == b"360"                             # term 00360 without its zeros
    assert vals["06"] == b"1300" and vals["08"] == b"001"   # codes keep their zeros
    assert vals["07"] == b"100000"                          # 20-digit amount
    assert "03" not in vals and "13" not in vals            # not reported: no token
    assert "24" not in vals                                 # the blank filler


def test_parallel_and_chunked_scans_equal_one_scan(corpora):
    data = b"".join([corpora[(1, "lf")]])
    big = circulo.generate_bytes(700, seed=2, separator="crlf")            # > 1 MB: threads split it
    for d in (data, big):
        one = compiled_view(circulo.scan(d))
        two = compiled_view(circulo.scan(d, workers=2))
        assert one == two
        toks, recs = [], []
        for chunk in circulo.scan_chunks(d, chunk_bytes=50_000):
            t, r, _ = compiled_view(chunk)
            toks += t
            recs += [x["start"] for x in r]
        assert toks == one[0] and recs == [x["start"] for x in one[1]]
    t1 = circulo.read(big)
    parts = list(circulo.read_chunks(big, chunk_bytes=100_000))
    assert len(parts) > 5
    for tag in ("EM", "CR", "DE", "AV", "segments"):         # (each chunk has its own code dictionaries)
        assert sum((p[tag].to_pylist() for p in parts if tag in p.names), []) == t1[tag].to_pylist(), tag


def test_keys_against_a_count_by_hand(corpora):
    """company = number of EM segments before, credit = number of CR segments before, from the twin's
    token list in file order."""
    data = corpora[(1, "none")]
    tw = twin.pyscan(data)["tokens"]
    company = credit = -1
    want = {t: [] for t in spec.ROLES}
    for o, n, tag, seg in tw:
        if tag != seg:
            continue
        if tag == "EM":
            company += 1
        if tag == "CR":
            credit += 1
        want[tag].append((o - 2, company if tag not in ("HD", "TS") else None,
                          credit if tag in ("CR", "DE", "AV") else None))
    t = circulo.read(data)
    for tag in ("EM", "AC", "CR", "DE", "AV"):
        got = list(zip(t[tag].column("offset").to_pylist(), t[tag].column("company").to_pylist(),
                       t[tag].column("credit").to_pylist() if tag in ("CR", "DE", "AV") else [None] * t[tag].num_rows))
        assert got == want[tag], tag
    seg = t["segments"]
    assert seg.num_rows == sum(len(v) for v in want.values())
    assert t.records.column("company").to_pylist()[1:-1] == list(range(90))


def test_positions_within_company_and_credit():
    d = file_of(portfolio(1))
    t = circulo.read(d)
    assert t["CR"].column("position").to_pylist() == [0, 1, 0]         # C1, C2 in A; C3 in B
    assert t["DE"].column("position").to_pylist() == [0, 0, 1, 0]      # C2 has two details
    assert t["DE"].column("credit").to_pylist() == [0, 1, 1, 2]
    assert t["AV"].column("credit").to_pylist() == [1]


def test_types_decode_as_the_manual_says():
    d = file_of(portfolio(1))
    t = circulo.read(d)
    hd = t["HD"].to_pylist()[0]
    import datetime as dt
    assert hd["period"] == dt.date(2024, 5, 1) and hd["report_date"] == dt.date(2024, 5, 31)
    assert hd["user_code"] == "0123" and hd["format"] == "1" and hd["version"] == "04"
    cr = t["CR"]
    assert cr.schema.field("initial_balance").type == pa.int64()
    assert pa.types.is_dictionary(cr.schema.field("credit_type").type)
    assert cr.schema.field("opened_on").type == pa.date32()
    assert cr.column("settled_on").to_pylist() == [None, None, dt.date(2024, 5, 10)]
    assert cr.column("outstanding_principal").to_pylist() == [50000, 8000, 0]
    assert t["TS"].to_pylist()[0]["company_count"] == 2 and t["TS"].to_pylist()[0]["total_amount"] == 70000
    assert cr.schema.field("term_days").metadata[b"tag"] == b"05"


def test_core_read_detects_the_format(tmp_path, corpora):
    data = corpora[(2, "lf")]
    p = tmp_path / "carga.txt"
    p.write_bytes(data)
    t = mxbureau.read(str(p))
    assert t.format == "circulo" and t["EM"].num_rows == 90 and "segments" in t.names
    assert mxbureau.read(data, format="circulo")["CR"].equals(t["CR"])
    tok = mxbureau.scan(io.BytesIO(data))
    assert tok.format.name == "circulo"
    assert not tok.unknown.any()                       # identifiers, fields and mark tokens are all known


def test_strict_errors_name_the_company_never_a_value():
    d = file_of(portfolio(1))
    cr = nth(d, "CR", 2)                             # company B's credit
    bad = d[:cr + 91] + b"XX" + d[cr + 93:]
    with pytest.raises(circulo.CirculoFormatError) as e:
        circulo.read(bad)
    err = e.value
    assert isinstance(err, mxbureau.FormatError)
    assert (err.offset, err.segment, err.tag, err.company, err.code) == (cr + 91, "CR", "05", 1,
                                                                        spec.CODE["BAD_FIELD_TAG"])
    assert "company 1" in str(err) and "PEPJ" not in str(err)
    with pytest.raises(mxbureau.FormatError) as e:          # through the core too
        mxbureau.read(bad)
    assert e.value.record == 2


def test_lenient_recovers_every_intact_block(corpora):
    data = corpora[(1, "lf")]
    good = circulo.read(data)
    ems = good["EM"].column("offset").to_pylist()
    # damage companies 10 and 40 (a field tag in a CR, a truncated DE)
    crs = good["CR"].filter(pa.compute.is_in(good["CR"].column("company"), pa.array([10, 40]))).column("offset").to_pylist()
    d = bytearray(data)
    d[crs[0] + 91:crs[0] + 93] = b"ZZ"
    de40 = [o for o, c in zip(good["DE"].column("offset").to_pylist(), good["DE"].column("company").to_pylist()) if c == 40][0]
    d = bytes(d[:de40 + 60] + d[de40 + 70:])
    t = circulo.read(d, strict=False)
    assert t.problems.num_rows == 2
    assert t.problems.column("start").to_pylist() == [ems[10], ems[40] - 0]
    kept = [c for c in range(90) if c not in (10, 40)]
    assert t["EM"].column("company").to_pylist() == kept
    ok = t.records.column("ok").to_pylist()
    assert ok[11] is False and ok[41] is False and sum(ok) == len(ok) - 2
    for tag in ("EM", "CR", "DE", "AC", "AV"):
        keep = pa.compute.invert(pa.compute.is_in(good[tag].column("company"), pa.array([10, 40])))
        a = good[tag].filter(keep)
        b = t[tag]
        assert a.column("offset").to_pylist()[:len(a) // 3] == b.column("offset").to_pylist()[:len(a) // 3]
        cols = [c for c in a.column_names if c not in ("offset", "record")]
        before = a.filter(pa.compute.less(a.column("company"), 40)).select(cols)
        assert before.equals(b.filter(pa.compute.less(b.column("company"), 40)).select(cols)), tag


def test_twin_on_damaged_files(corpora):
    data = corpora[(1, "crlf")]
    rng = np.random.default_rng(3)
    for _ in range(25):
        d = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(0, len(d)))
            op = rng.integers(0, 3)
            if op == 0:
                d[i] = int(rng.integers(0, 256))
            elif op == 1:
                del d[i:i + int(rng.integers(1, 40))]
            else:
                d[i:i] = bytes(rng.integers(0, 256, int(rng.integers(1, 9))).astype(np.uint8))
        for strict in (True, False):
            assert_same(bytes(d), strict=strict)
    assert_same(data[:12345], strict=False)
    assert_same(b"", strict=False)
    assert_same(data[100:], strict=True)


def test_personal_data_is_redacted(corpora):
    t = circulo.read(corpora[(1, "none")]).redact(b"k" * 16)
    em = t["EM"]
    assert em.schema.field("rfc").metadata[b"redacted"] == b"hmac-sha256"
    assert all(len(v) == 64 for v in em.column("rfc").to_pylist() if v is not None)
    assert t["CR"].schema.field("contract_number").metadata[b"redacted"] == b"hmac-sha256"
    assert "redacted" not in (t["EM"].schema.field("city").metadata or {})


def test_header_variants():
    d = file_of(portfolio(1))
    untagged = d[:91] + b"  " + d[93:]
    t = circulo.read(untagged)
    assert t.records.column("header_variant").to_pylist()[0] == "untagged_filler"
    legacy = d[:45] + b"06" + b" " * 53 + d[100:]
    t = circulo.read(legacy)
    assert t.records.column("header_variant").to_pylist()[0] == "legacy"
    assert t["HD"].to_pylist()[0]["version"] is None and t["HD"].to_pylist()[0]["user_code"] == "0123"


def test_threads_and_chunks_decoded_out_of_order_number_credits_alike():
    big = circulo.generate_bytes(700, seed=5, separator="lf")
    one = circulo.read(big)
    two = circulo.read(big, workers=2)
    for tag in ("CR", "DE", "AV", "segments"):
        assert two[tag].to_pylist() == one[tag].to_pylist(), tag
    # the last chunk first: its credit base is counted from the bytes before it, not carried
    chunks = list(circulo.scan_chunks(big, chunk_bytes=200_000))
    assert len(chunks) >= 4
    last = build_tables(chunks[-1])
    n = last["CR"].num_rows
    assert last["CR"].column("credit").to_pylist() == one["CR"].column("credit").to_pylist()[-n:]
    assert last["CR"].column("company").to_pylist() == one["CR"].column("company").to_pylist()[-n:]


def test_a_compressed_stream_read_in_windows_equals_the_mapped_read(tmp_path):
    """A gzip file is a stream: read in windows (here small ones: a format copy with a 20 kB longest
    block), each scanned from its own position 0. The tables are the mapped file's."""
    data = circulo.generate_bytes(300, seed=8, separator="crlf")
    p = tmp_path / "carga.txt.gz"
    p.write_bytes(gzip.compress(data))
    small = dataclasses.replace(circulo.FORMAT, max_record=20_000)
    parts = list(mxbureau.read_chunks(str(p), chunk_bytes=30_000, format=small))
    assert len(parts) > 5
    whole = circulo.read(data)
    for tag in ("HD", "EM", "CR", "DE", "AV", "TS", "segments"):
        assert sum((x[tag].to_pylist() for x in parts if tag in x.names), []) == whole[tag].to_pylist(), tag
    assert sum((x.records.column("company").to_pylist() for x in parts), []) == whole.records.column("company").to_pylist()
    assert circulo.read(str(p))["CR"].to_pylist() == whole["CR"].to_pylist()
