"""The compiled scanners' token budget (``scan_range(..., max_tokens=k)``): a range ends at the first
record start where it holds k tokens, so that a chunk of ``scan_chunks`` is one scanned range (one
token part, decoded once) instead of pieces. Both formats, strict and lenient."""
import numpy as np
import pytest

import mxbureau
from mxbureau.circulo import synth as circulo_synth
from mxbureau import scanner
from mxbureau.formats import detect
from mxbureau.intl13 import synth as intl13_synth


def _damaged(data: bytes) -> bytes:
    b = bytearray(data)
    for at in range(997, len(b), 7919):             # a few bytes overwritten here and there
        b[at] = ord("#")
    return bytes(b)


INPUTS = {
    "intl13": intl13_synth.generate_bytes(120, seed=5, separator="crlf"),
    "circulo": circulo_synth.generate_bytes(30, seed=5),
}


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
@pytest.mark.parametrize("name", list(INPUTS))
def test_a_range_ends_at_the_first_record_start_past_its_budget(name, strict):
    data = INPUTS[name] if strict else _damaged(INPUTS[name])
    buf = np.frombuffer(data, np.uint8)
    sc = detect(buf).scanner
    end, whole, recs, errs, fail = sc.scan_range(buf, 0, len(buf), strict)
    assert fail is None and (strict or len(errs["start"]))
    tok_end = recs["tok_end"]
    total = len(whole["offset"])
    for k in sorted({1, 2, 17, total // 3, total // 2, total - 1, total, total + 1}):
        e, toks, r, er, f = sc.scan_range(buf, 0, len(buf), strict, max_tokens=k)
        assert f is None
        # the records (and damaged spans) up to the first one after which k tokens are held
        j = int(np.searchsorted(tok_end, k, side="left")) + 1 if k <= total else len(tok_end)
        j = min(j, len(tok_end))
        assert len(r["start"]) == j, k
        for col in r:
            assert np.array_equal(r[col], recs[col][:j]), (k, col)
        for col in toks:
            assert np.array_equal(toks[col], whole[col][:tok_end[j - 1]]), (k, col)
        assert len(toks["offset"]) >= min(k, total)
        assert j == 1 or tok_end[j - 2] < k               # not a record more than needed
        assert e == (recs["start"][j] if j < len(tok_end) else end)
        assert np.array_equal(er["start"], errs["start"][errs["start"] < e])


@pytest.mark.parametrize("name", list(INPUTS))
def test_a_chunk_is_one_token_part(name):
    data = INPUTS[name]
    whole = mxbureau.scan(data)
    chunks = list(mxbureau.scan_chunks(data, chunk_bytes=len(data) // 3, chunk_tokens=len(whole) // 7))
    assert len(chunks) >= 7
    assert all(len(c.parts) == 1 for c in chunks)
    assert np.array_equal(np.concatenate([c.tag for c in chunks]), whole.tag)
    assert np.array_equal(np.concatenate([c.records["start"] for c in chunks]), whole.records["start"])


def test_read_chunks_takes_a_token_budget():
    data = INPUTS["intl13"]
    whole = mxbureau.read(data)
    parts = list(mxbureau.read_chunks(data, chunk_tokens=len(mxbureau.scan(data)) // 5))
    assert len(parts) >= 5
    joined = mxbureau.Tables.concat(parts)
    for name, t in whole.all():
        assert joined[name].to_pylist() == t.to_pylist(), name      # (dictionaries differ by chunk)


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
@pytest.mark.parametrize("name", list(INPUTS))
def test_chunks_are_the_same_with_threads(monkeypatch, name, strict):
    # the same records in every chunk with 1 or 2 threads: a conversion writes the same files
    monkeypatch.setattr(scanner, "MIN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(scanner, "MIN_STEAL_BYTES", 256)
    data = INPUTS[name] if strict else _damaged(INPUTS[name])
    ntok = len(mxbureau.scan(data, strict=strict))
    for budget in (ntok // 9, ntok // 4, ntok // 2):
        one, two = (list(mxbureau.scan_chunks(data, chunk_bytes=len(data) // 2, chunk_tokens=budget, strict=strict,
                                              workers=w)) for w in (1, 2))
        assert [c.span for c in two] == [c.span for c in one], budget
        for a, b in zip(one, two):
            assert np.array_equal(a.tag, b.tag) and np.array_equal(a.offset, b.offset)
            for col in a.records:
                assert np.array_equal(a.records[col], b.records[col]), col
            assert [(p.start, p.end, p.code) for p in a.errors] == [(p.start, p.end, p.code) for p in b.errors]
