"""Lenient resynchronisation in linear time (issue #18, item 1): the work of a lenient scan -- bytes its
walks and parses examine, counted by the compiled scanner (_scan.work()) -- grows with the input's
size on the issue's pathological inputs and on variants built to defeat a memo, and finding a record
start (chunks, threads) is linear too. Timings are in benchmarks/test_bench_hostile.py."""
import numpy as np
import pytest

import mxbureau
from mxbureau.intl13 import _scan, spec

import invariants
from compare import assert_same

# A valid 49-byte response header (spec.RESPONSE_HEADER): INTL 13, reference, MX, 0000, member, found 1, 0.
HDR = b"INTL13" + b"REF".ljust(25) + b"MX" + b"0000" + b"BC12345678" + b"1" + b"0"
# The smallest error record: ERRR, UR with its 25-byte reference, old-style ES: 8 + 25 + 15 = 48 bytes.
ERROR_RECORD = b"ERRRUR25" + b" " * 25 + b"ES05000480002**"


def errr(size: int) -> bytes:
    """The issue's repro: a header, then PN fields of 99 bytes each holding an ERRR start whose UR
    field ends where the next PN begins: every ERRR's walk is the same 1 MB of fields."""
    return HDR + (b"PN99ERRRUR91" + b"A" * 91) * ((size - 49) // 103)


def intl(size: int) -> bytes:
    """The same with a response header (and a PN field ending at the next PN) in every value."""
    return HDR + (b"PN99" + HDR + b"PN46" + b"B" * 46) * ((size - 49) // 103)


def spans(size: int) -> bytes:
    """Many damaged spans whose records' walks all run the same long way: each 99-byte PN value holds an
    intact error record and a damaged one (ERRR, UR43) whose field ends where the next PN begins. An
    unbounded problem report for each damaged record would walk ~1 MB: quadratic."""
    value = ERROR_RECORD + b"ERRRUR43" + b"A" * 43
    assert len(value) == 99
    return HDR + (b"PN99" + value) * ((size - 49) // 103)


PATTERNS = {"errr": errr, "intl": intl, "spans": spans}


def lenient_work(data) -> int:
    w0 = _scan.work()
    tok = mxbureau.scan(data, strict=False)
    return _scan.work() - w0, tok


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_lenient_work_grows_linearly(name):
    small, large = PATTERNS[name](1_000_000), PATTERNS[name](10_000_000)
    w1, t1 = lenient_work(small)
    w10, t10 = lenient_work(large)
    for w, data in ((w1, small), (w10, large)):
        # the default budget: up to 64 KB walked before walks are remembered, then linear
        assert w <= invariants.WORK_PER_BYTE * len(data) + 4 * 2**20, (name, w, len(data))
    assert w10 / w1 < 12, f"{name}: 10x the bytes cost {w10 / w1:.1f}x the work"
    with invariants.walk_budget(0):
        w0, _ = lenient_work(large)
    assert w0 <= invariants.WORK_PER_BYTE * len(large)
    for tok, data in ((t1, small), (t10, large)):
        invariants.check_accounted(tok, data)


def test_issue_repro_results():
    data = errr(1_000_000)
    work, tok = lenient_work(data)
    assert work <= invariants.WORK_PER_BYTE * len(data) + 4 * 2**20     # ~5,000 a byte before
    # no record closes anywhere: one damaged span, the whole input; its record cut at the 999,999 bytes
    assert tok.records["ok"].sum() == 0 and tok.n_records == 1
    assert [(p.start, p.end, p.code) for p in tok.errors] == [(0, len(data), spec.CODE["TRUNCATED"])]
    big = errr(3_000_000)
    assert [(p.start, p.end, p.code, p.offset) for p in mxbureau.scan(big, strict=False).errors] == [
        (0, len(big), spec.CODE["NO_END_MARK"], 1_000_000)]


def test_every_intact_record_recovered_between_damaged_ones():
    data = spans(2_000_000)
    units = (len(data) - 49) // 103
    tok = mxbureau.scan(data, strict=False)
    ok = tok.records["ok"]
    # every intact error record, at 49 + 4 within each PN field
    assert tok.records["start"][ok].tolist() == [49 + 4 + 103 * i for i in range(units)]
    codes = {p.code for p in tok.errors}
    # each damaged record runs over the next intact one: reported there, at its start
    assert codes <= {spec.CODE["RUNS_INTO_NEXT"], spec.CODE["TRUNCATED"]}
    runs = [p for p in tok.errors if p.code == spec.CODE["RUNS_INTO_NEXT"]]
    assert len(runs) >= units - 1 and all(p.offset == p.end for p in runs)
    invariants.check_accounted(tok, data)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_twin_agrees_on_smaller_versions(name):
    data = PATTERNS[name](30_000)
    assert_same(data, strict=False)
    assert_same(data, strict=True)
    assert_same(data + b"\n" + ERROR_RECORD, strict=False)


@pytest.mark.parametrize("name", ["errr", "intl"])
def test_find_record_start_is_linear(name):
    data = PATTERNS[name](10_000_000) + b"\n" + ERROR_RECORD
    buf = np.frombuffer(data, np.uint8)
    w0 = _scan.work()
    assert _scan.find_record_start(buf, 1) == len(data) - len(ERROR_RECORD)
    assert _scan.work() - w0 <= invariants.WORK_PER_BYTE * len(data)
    # chunks split such a file at record starts, each search linear: chunks = the whole scan
    chunks = list(mxbureau.scan_chunks(data, chunk_bytes=1 << 20, strict=False))
    assert sum(c.n_records for c in chunks) == 2 and chunks[-1].records["ok"].tolist()[-1]


def test_record_running_into_the_next_is_reported_at_its_start():
    # A response whose PN length says 99 where 20 bytes follow: its value swallows the next record's
    # start. Before, its problem was found somewhere inside the records after it; now the damaged
    # span's problem is that it runs into the intact record at 73.
    nxt = ERROR_RECORD + b"\n" + ERROR_RECORD
    data = HDR + b"PN99" + b"Z" * 20 + nxt
    tok = assert_same(data, strict=False)
    p = tok.errors[0]
    assert (p.start, p.end, p.offset, p.code) == (0, 73, 73, spec.CODE["RUNS_INTO_NEXT"])
    assert tok.records["ok"].tolist() == [False, True, True]
    assert tok.records["start"].tolist() == [0, 73, 122]
    invariants.check_message(p.message)
    # strict mode knows no next record: the parse's own problem, past 73
    with pytest.raises(mxbureau.FormatError) as e:
        mxbureau.scan(data)
    assert e.value.code != spec.CODE["RUNS_INTO_NEXT"] and e.value.offset > 73
    assert_same(data, strict=True)
