"""read() of a large input decodes it chunk by chunk (tables.READ_WHOLE_BYTES) into tables it holds,
from the memory pool chosen for that (tables._held_pool: jemalloc where pyarrow has it); the result
is the one-piece read's."""
import pyarrow as pa
import pytest

import mxbureau
from mxbureau import tables
from mxbureau.intl13 import synth


def test_a_large_input_is_read_in_chunks_from_the_held_pool(tmp_path, monkeypatch):
    path = tmp_path / "in.intl"
    path.write_bytes(synth.generate_bytes(300, seed=8, separator="lf"))
    whole = mxbureau.read(str(path))
    pool = tables._held_pool()
    if pool is None:
        pytest.skip("this pyarrow has no jemalloc")
    monkeypatch.setattr(tables, "READ_WHOLE_BYTES", 1)
    monkeypatch.setattr(tables, "READ_CHUNK_BYTES", 50_000)
    before = pool.bytes_allocated()
    chunked = mxbureau.read(str(path))
    assert chunked["TL"].column("record").num_chunks > 1     # read chunk by chunk
    assert pool.bytes_allocated() - before >= chunked["TL"].nbytes // 2     # its columns from that pool
    for name, t in whole.all():
        assert chunked[name].to_pylist() == t.to_pylist(), name
    held = pool.bytes_allocated()
    del chunked
    assert pool.bytes_allocated() < held                      # and given back with the tables


def test_build_tables_takes_a_memory_pool():
    data = synth.generate_bytes(40, seed=9)
    pool = pa.system_memory_pool()
    before = pool.bytes_allocated()
    t = mxbureau.build_tables(mxbureau.scan(data), memory_pool=pool)
    assert pool.bytes_allocated() > before
    assert t["TL"].to_pylist() == mxbureau.read(data)["TL"].to_pylist()
