"""Where the compiled scanners put the token index: four arrays, each in a mapping of its own (or a
pooled one), whose data starts a different number of bytes into its 4 KB page, so that the stores of
one token never land at the same place of four pages (on this project's VM that made scan() of 1 GB
2.5x slower). The mappings are grown with mremap, given back to the pool and unmapped at the data's
offset in them: repeated scans, growth and an empty pool must all give the same tokens."""
import numpy as np
import pytest

from mxbureau import buffers
from mxbureau.circulo import synth as circulo_synth
from mxbureau.formats import detect
from mxbureau.intl13 import synth as intl13_synth

INPUTS = {
    "intl13": intl13_synth.generate_bytes(120, seed=5, separator="crlf"),
    "circulo": circulo_synth.generate_bytes(400, seed=5),
}
NAMES = ("offset", "length", "tag", "segment_tag")


def _scan(data: bytes, **kw):
    buf = np.frombuffer(data, np.uint8)
    end, tokens, _records, _errors, failure = detect(data).scanner.scan_range(buf, 0, len(buf), True, **kw)
    assert failure is None and end == len(buf)
    return tokens


@pytest.fixture(params=[True, False], ids=["pooled", "unmapped"])
def pool(request):
    cap = buffers.POOL.cap
    if not request.param:
        buffers.POOL.cap = 0                      # every mapping unmapped when its array goes
    yield
    buffers.POOL.cap = cap


@pytest.mark.parametrize("name", list(INPUTS))
def test_the_arrays_start_at_different_places_of_a_page(name, pool):
    tok = _scan(INPUTS[name])
    assert len(tok["offset"]) > 8192              # past the heap path: the mapped one
    starts = [tok[k].ctypes.data % 4096 for k in NAMES]
    assert len(set(starts)) == 4, starts


@pytest.mark.parametrize("name", list(INPUTS))
def test_scans_again_grown_and_pooled_give_the_same_tokens(name, pool):
    data = INPUTS[name]
    first = {k: v.copy() for k, v in _scan(data).items()}
    for kw in ({}, {"expect_tokens": 9000}, {}, {"expect_tokens": 9000}):
        # 9,000 expected: mapped, then grown by mremap while scanning (a mapping moved keeps the
        # data's place in it)
        tok = _scan(data, **kw)
        for k in NAMES:
            np.testing.assert_array_equal(tok[k], first[k], err_msg=k)
        del tok
    # the tokens point at the values the input holds
    off, ln = first["offset"], first["length"]
    assert off[0] >= 0 and int(off[-1]) + int(ln[-1]) <= len(data)
