"""record_start gathered by Segments.batch (starts, first) and the records table's record_start (its
own start column): each row's value is the start of the record it belongs to, as with_record_start
(the gather they replaced) makes it, for one part and for a parallel scan's parts; the gather's bound
check; Segments.tables, every slot's batch in one call; the block plan."""
import numpy as np
import pyarrow as pa
import pytest

from mxbureau import _decode
from mxbureau.scanner import scan
from mxbureau.tables import _plan, build_tables, decoding, with_record_start


@pytest.mark.parametrize("workers", [1, 2])
def test_record_start_is_the_rows_record_start(corpus, workers):
    tok = scan(corpus, workers=workers)
    t = build_tables(tok, workers=workers)
    starts = tok.records["start"]
    for name, table in t.items():
        assert table.num_rows
        rec = table.column("record").to_numpy()
        assert table.column("record_start").to_numpy().tolist() == starts[rec].tolist(), name
        assert table.equals(with_record_start(table.drop_columns(["record_start"]), tok)), name
    rs = t.records.column("record_start")
    assert rs.to_numpy().tolist() == starts.tolist()
    assert t.records.schema.field("record_start").equals(with_record_start(
        t.records.drop_columns(["record_start"]), tok).schema.field("record_start"), check_metadata=True)


def _filled(tok):
    d = decoding(tok.format)
    r = tok.records
    take = d.take[r["kind_code"].view(np.uint8)] & r["ok"].view(np.int8)
    (p, r0, r1, base), = tok.pieces()
    segs = _decode.Segments(d.program, tok.buffer, p["offset"], p["length"], p["tag"], r["tok_start"] - base,
                            r["tok_end"] - base, take, r["record"], d.seg_lut)
    plan, total = _plan(d, segs.counts)
    segs.fill(np.frombuffer(pa.allocate_buffer(max(total, 1)), np.uint8), plan)
    return d, segs


def test_starts_bounds_checked(corpus):
    tok = scan(corpus[:corpus.index(b"**") + 2])
    d, segs = _filled(tok)
    r = tok.records
    s = int(np.flatnonzero(segs.counts)[0])
    tag = d.slots[s]
    with pytest.raises(ValueError):                        # the row's record 0 - first 1: before starts
        segs.batch(s, d.started[tag], d.has_pos[tag], starts=r["start"], first=1)
    with pytest.raises(ValueError):
        segs.batch(s, d.started[tag], d.has_pos[tag])
    b = segs.batch(s, d.started[tag], d.has_pos[tag], starts=r["start"], first=0)
    assert b.column("record_start").to_pylist() == [int(r["start"][0])] * b.num_rows


def test_tables_is_batch_a_slot(corpus):
    """Segments.tables: None for a slot without rows, else the slot's batch as a one-chunk table --
    the same as batch() of a second fill of the same tokens (batch gives a slot's buffers away once)."""
    tok = scan(corpus[:200_000][:corpus[:200_000].rindex(b"**") + 2])
    d, segs = _filled(tok)
    r = tok.records
    got = segs.tables(d.slot_started, d.slot_has_pos, r["start"], 0)
    _, again = _filled(tok)
    counts = segs.counts.tolist()
    assert len(got) == len(d.slots) and 0 in counts and any(counts)
    for s, (tag, n) in enumerate(zip(d.slots, counts)):
        if n == 0:
            assert got[s] is None, tag
            continue
        want = again.batch(s, d.started[tag], d.has_pos[tag], starts=r["start"], first=0)
        assert got[s].num_rows == n and got[s].column("record").num_chunks == 1, tag
        assert got[s].equals(pa.Table.from_batches([want])), tag
    s = int(np.flatnonzero(segs.counts)[0])
    with pytest.raises(ValueError):                        # every slot's buffers went to its table
        segs.batch(s, d.started[d.slots[s]], d.has_pos[d.slots[s]], starts=r["start"])


def test_text_column_of_chosen_tokens():
    """text_column's tokens: the values of those tokens of whole token arrays, as the given rows
    (latin-1 to UTF-8, others null); a token or a row out of range is refused, not read."""
    buf = np.frombuffer(b"..AB..\xd1U..xyz", np.uint8)
    off = np.array([2, 6, 10], np.int64)
    ln = np.array([2, 2, 3], np.uint16)
    o, data, valid = _decode.text_column(buf, off, ln, np.array([2, 1], np.int64), np.array([0, 3], np.int64), 4)
    a = pa.LargeStringArray.from_buffers(4, pa.py_buffer(o), pa.py_buffer(data.copy()),
                                         pa.py_buffer(np.packbits(valid, bitorder="little")))
    assert a.to_pylist() == ["xyz", None, None, "\u00d1U"]
    for tokens, rows in (([3], [0]), ([-1], [0]), ([0], [4]), ([0], [-1]), ([0, 1], [0])):
        with pytest.raises(ValueError):
            _decode.text_column(buf, off, ln, np.array(tokens, np.int64), np.array(rows, np.int64), 4)
    with pytest.raises(ValueError):                        # an offset a length
        _decode.text_column(buf, off, ln[:2], np.array([0], np.int64), np.array([0], np.int64), 4)


def test_block_plan_as_numpy_made_it():
    """_decode.block_plan against the vectorized numpy form it replaced (tables._plan before), for the
    format's slots with rows in some and none in others; and its shape checks."""
    d = decoding(None)
    rng = np.random.default_rng(2)
    for counts in (np.zeros(len(d.slots), np.int64), rng.integers(0, 50, len(d.slots)).astype(np.int64)):
        sizes = (d.w_row * counts[:, None] + d.w_fix + 63) & ~63
        ends = np.cumsum(sizes.ravel())
        plan, total = _plan(d, counts)
        assert np.array_equal(plan, (ends - sizes.ravel()).reshape(sizes.shape)) and total == int(ends[-1])
        assert (plan % 64 == 0).all()
    with pytest.raises(ValueError):
        _decode.block_plan(d.w_row, d.w_fix, np.zeros(len(d.slots) - 1, np.int64))
    with pytest.raises(ValueError):
        _decode.block_plan(d.w_row, d.w_fix, -np.ones(len(d.slots), np.int64))
