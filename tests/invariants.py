"""What must hold for any scan of any bytes: shared by the hypothesis suite and fuzz/fuzz_scan.py."""
import contextlib
import re

import numpy as np

import mxbureau
from compare import assert_same, compiled_view
from mxbureau import scanner
from mxbureau.intl13 import _scan, spec

_TEMPLATES = [re.compile(re.escape(m).replace(r"\{a\}", r"-?\d+").replace(r"\{b\}", r"-?\d+"))
              for m in spec.MESSAGES.values()]
_TAG = r"(?:[A-Z]{2}|\d{2}|INTL|ERRR)"
_WHERE = re.compile(rf" \(byte \d+, record \d+(?:, segment {_TAG})?(?:, tag {_TAG})?\)$")
_SEGMENT_TAGS = {s.tag for L in spec.LAYOUTS.values() for s in L.segments}


def check_message(msg: str) -> None:
    """A problem message is one of the fixed templates with numbers: no byte of the input in it."""
    assert any(t.fullmatch(msg) for t in _TEMPLATES), "message is not a template"


def check_error(e, n: int) -> None:
    assert 0 <= e.offset <= n and e.record >= 0
    assert e.segment is None or e.segment in _SEGMENT_TAGS
    assert e.tag is None or e.tag.isdigit() or e.tag in _SEGMENT_TAGS
    m = _WHERE.search(str(e))
    assert m, "error text lacks its position"
    check_message(str(e)[:m.start()])


def check_tokens(tok, n: int) -> None:
    """Every index entry points inside the input; records are ordered and own their tokens."""
    off, ln = tok.offset, tok.length.astype(np.int64)
    assert ((off >= 0) & (off + ln <= n)).all()
    R = tok.records
    s, e = R["start"], R["end"]
    assert ((0 <= s) & (s < e) & (e <= n)).all()
    assert (s[1:] >= e[:-1]).all()
    ts, te = R["tok_start"], R["tok_end"]
    assert ((0 <= ts) & (ts <= te) & (te <= len(tok))).all()
    for p in tok.errors:
        assert 0 <= p.start <= p.end <= n and p.record >= 0
        check_message(p.message)


def check_accounted(tok, data) -> None:
    """Lenient mode: every byte is in an intact record, a separator or exactly one reported span."""
    covered = np.zeros(len(data), dtype=np.int16)
    ok = tok.records["ok"]
    for s, e in zip(tok.records["start"][ok].tolist(), tok.records["end"][ok].tolist()):
        covered[s:e] += 1
    for p in tok.errors:
        covered[p.start:p.end] += 1
    buf = np.frombuffer(data, np.uint8)
    covered[np.isin(buf, [10, 13, 19]) & (covered == 0)] = 1
    assert (covered == 1).all(), "a byte is lost or counted twice"


# Lenient mode's work (bytes its walks and parses examine, _scan.work()) is at most this many times the
# input's size, plus a constant: linear whatever the bytes. Measured on the pathological inputs
# at 1-100 MB: 1.1-2.5 a byte (tests/intl13/test_linear.py); every byte may be part of a record, a
# failed parse, a damaged span's report and up to 5 walks (one per reading) of 4 bytes a field.
WORK_PER_BYTE = 32
WORK_BASE = 1024


@contextlib.contextmanager
def walk_budget(nbytes: int):
    """Searches for record starts remember their walks after ``nbytes`` (0: from the first byte, so
    that the work of any input, however small, is bounded by its size)."""
    old = _scan.set_walk_budget(nbytes)
    try:
        yield
    finally:
        _scan.set_walk_budget(old)


def lenient_linear(src, n: int):
    """A lenient scan whose work is checked against the input's size n."""
    with walk_budget(0):
        w0 = _scan.work()
        tok = mxbureau.scan(src, strict=False)
        work = _scan.work() - w0
    assert work <= WORK_PER_BYTE * n + WORK_BASE, f"lenient work {work} for {n} bytes"
    return tok


def check_scans(data: bytes, buf=None):
    """Strict: a parse or a FormatError; lenient: never raises, every byte accounted for. ``buf``: the
    same bytes in a buffer of the caller's (the fuzzer's exact-size copy). Returns the lenient Tokens."""
    n = len(data)
    src = data if buf is None else buf
    try:
        tok = mxbureau.scan(src)
    except mxbureau.FormatError as e:
        check_error(e, n)
    else:
        check_tokens(tok, n)
    tok = mxbureau.scan(src, strict=False)
    check_tokens(tok, n)
    check_accounted(tok, data)
    return tok


def check_budgets(data: bytes, buf=None) -> None:
    """Lenient work bounded by the size when walks are remembered from the first byte, and the same
    scan as with the default budget (plain walks first)."""
    src = data if buf is None else buf
    a = compiled_view(lenient_linear(src, len(data)))
    b = compiled_view(mxbureau.scan(src, strict=False))
    assert a == b, "the walk memo changed a lenient scan"


def check_decoded(tok, data: bytes, buf=None):
    """The tables decode whatever was recovered, and both modes agree with the pure-Python twin.
    Returns the tables."""
    tables = mxbureau.build_tables(tok)          # over tok.buffer: the caller's buffer when it gave one
    assert_same(data, strict=True)
    assert_same(data, strict=False)
    return tables


@contextlib.contextmanager
def eager_threads():
    """Parallel scans of inputs of any size, with ranges split down to single records."""
    old = scanner.MIN_PARALLEL_BYTES, scanner.MIN_STEAL_BYTES
    scanner.MIN_PARALLEL_BYTES, scanner.MIN_STEAL_BYTES = 0, 1
    try:
        yield
    finally:
        scanner.MIN_PARALLEL_BYTES, scanner.MIN_STEAL_BYTES = old


def check_threads(data: bytes, buf=None, workers: int = 3) -> None:
    """Threads scanning (and splitting) ranges of the input give the one-thread result, in both
    modes: the same tokens, records and problems, or the same first error."""
    src = data if buf is None else buf
    for strict in (True, False):
        try:
            one = compiled_view(mxbureau.scan(src, strict=strict))
        except mxbureau.FormatError as e:
            one = (e.offset, e.record, e.code)
        with eager_threads():
            try:
                many = compiled_view(mxbureau.scan(src, strict=strict, workers=workers))
            except mxbureau.FormatError as e:
                many = (e.offset, e.record, e.code)
        assert many == one, "workers=%d differs from one worker (strict=%s)" % (workers, strict)
