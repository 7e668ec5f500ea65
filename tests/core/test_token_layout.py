"""Where the compiled scanners put the token index: four arrays, each in a mapping of its own (or a
pooled one), whose data starts a different number of bytes into its 4 KB page (on this project's VM
the three uint16 arrays at the same place of their pages made scan() of 1 GB 2.5x slower). The
mappings are grown with mremap, given back to the pool and unmapped by their base, not their data:
repeated scans, growth, a pool in use and an empty one must all give the same tokens, and the pool
must only ever hold page-aligned bases."""
import numpy as np
import pytest

from mxbureau import _index, buffers
from mxbureau.circulo import synth as circulo_synth
from mxbureau.formats import detect
from mxbureau.intl13 import synth as intl13_synth

INTL13 = intl13_synth.generate_bytes(120, seed=5, separator="crlf")
INPUTS = {"intl13": INTL13, "circulo": circulo_synth.generate_bytes(400, seed=5)}
# ~1.2 M tokens: past what one 2 MB step of each uint16 array holds (1,048,576 minus the skew), so a
# scan expecting 9,000 tokens grows all four mappings with mremap while it scans
BIG = INTL13 * 40
NAMES = ("offset", "length", "tag", "segment_tag")


def _scan(data: bytes, **kw):
    buf = np.frombuffer(data, np.uint8)
    end, tokens, _records, _errors, failure = detect(data).scanner.scan_range(buf, 0, len(buf), True, **kw)
    assert failure is None and end == len(buf)
    return tokens


def _pool_bases_aligned():
    return all(addr % 4096 == 0 for addr, _ in buffers.POOL._items)


@pytest.fixture(params=[True, False], ids=["pooled", "unpooled"])
def pool(request):
    """The pool as a bulk job has it, or empty and refusing mappings (each one unmapped when its
    array goes)."""
    p = buffers.POOL
    if request.param:
        yield True
        return
    saved = (p.cap, p._items, p._bytes)
    p.cap, p._items, p._bytes = 0, [], 0          # the kept mappings set aside, untouched
    yield False
    assert not p._items                           # nothing was kept meanwhile
    p.cap, p._items, p._bytes = saved


@pytest.mark.skipif(_index.EXACT_ALLOC, reason="a debug build mallocs its token buffers (no skew)")
@pytest.mark.parametrize("name", list(INPUTS))
def test_the_arrays_start_at_different_places_of_a_page(name, pool):
    data = INPUTS[name]
    assert len(data) // 8 > 8192                  # the scan expects more than the heap path's tokens
    tok = _scan(data)
    starts = [tok[k].ctypes.data % 4096 for k in NAMES]
    assert len(set(starts)) == 4, starts
    del tok
    assert _pool_bases_aligned()


@pytest.mark.parametrize("data", [INPUTS["intl13"], INPUTS["circulo"], BIG], ids=["intl13", "circulo", "grown"])
def test_scans_again_grown_and_pooled_give_the_same_tokens(data, pool):
    first = {k: v.copy() for k, v in _scan(data).items()}
    # the tokens lie inside the input
    off, ln = first["offset"], first["length"]
    assert off[0] >= 0 and int(off[-1]) + int(ln[-1]) <= len(data)
    for kw in ({}, {"expect_tokens": 9000}, {}, {"expect_tokens": 9000}):
        tok = _scan(data, **kw)
        for k in NAMES:
            np.testing.assert_array_equal(tok[k], first[k], err_msg=k)
        del tok
        assert _pool_bases_aligned()
