"""The decoder's kept blocks (``_decode._blk_take`` / ``_blk_give``: a batch's C Data structs, a
Segments' columns) go back for reuse only when the last array over them is gone, and come out zeroed:
tables kept alive through many later reads -- of other inputs and sizes, dropped in other threads --
stay what they were, and a read after all that churn gives what the first one gave."""
import gc
import threading

import mxbureau
from corpora import ALL_KINDS
from mxbureau.intl13 import synth, writer


def _records(seed: int, n: int) -> bytes:
    return b"\r\n".join(writer.record_bytes(synth.generate_record(seed, i, ALL_KINDS)) for i in range(n))


def _values(t) -> tuple:
    """Tables as plain Python values (nothing left in Arrow's or the decoder's memory)."""
    return {name: t[name].to_pylist() for name in t.names}, t.records.to_pylist()


def test_tables_kept_alive_stay_what_they_were():
    one, some = _records(5, 1), _records(6, 40)
    kept = [mxbureau.read(one), mxbureau.read(some)]
    first = [_values(t) for t in kept]
    assert first[0][0] and first[1][0]                      # both decode tables
    for i in range(150):           # each dropped result gives its blocks back; the kept hold theirs
        t = mxbureau.read(some if i % 3 == 0 else one)
        if i % 50 == 1:
            kept.append(t)
    del t
    gc.collect()
    for t, want in zip(kept, first):
        assert _values(t) == want
    # blocks given back in another order (and from another thread) come out zeroed for the next read
    dropper = threading.Thread(target=lambda: kept.clear())
    dropper.start()
    dropper.join()
    gc.collect()
    assert _values(mxbureau.read(one)) == first[0]
    assert _values(mxbureau.read(some)) == first[1]


def test_tables_dropped_while_another_thread_reads():
    one = _records(7, 1)
    want = _values(mxbureau.read(one))
    results, errors = [], []

    def reader():
        try:
            for _ in range(60):
                results.append(_values(mxbureau.read(one)))
        except Exception as e:              # pragma: no cover - reported below
            errors.append(e)

    held = [mxbureau.read(one) for _ in range(30)]
    th = threading.Thread(target=reader)
    th.start()
    while held:                             # their blocks go back while the reader takes blocks
        held.pop()
    th.join()
    assert not errors
    assert len(results) == 60 and all(r == want for r in results)
