"""Inputs as a data pipeline hands them over: pipes, FIFOs, stdin, compressed files, archives, file
objects at a position, lists and globs; streams read in windows give exactly the whole scan; errors
name the input, never its bytes."""
import bz2
import gzip
import io
import lzma
import os
import random
import subprocess
import sys
import threading
import zipfile

import pyarrow.parquet as pq
import pytest
import zstandard

import mxbureau
from compare import compiled_view
from corpora import ALL_KINDS
from mxbureau import scanner
from mxbureau.errors import MissingSourceError, SourceError, SourceTypeError
from mxbureau.intl13 import synth

DATA = synth.generate_bytes(120, seed=31, mix=ALL_KINDS, separator="lf")
COMPRESS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
            "zst": lambda b: zstandard.ZstdCompressor().compress(b)}


class Pipe(io.RawIOBase):
    """A non-seekable stream that hands its bytes over ``step`` at a time (like a pipe)."""

    def __init__(self, data: bytes, step: int):
        self.data, self.pos, self.step = data, 0, step

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.step, len(self.data) - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n


def _same_tables(a, b):
    assert a.names == b.names
    for name in ["records"] + a.names:
        assert a[name].to_pylist() == b[name].to_pylist(), name


def _flat(chunks):
    """Tokens of several windows as one view, token offsets made positions in the source."""
    toks, recs, errs = [], [], []
    for t in chunks:
        a, b, c = compiled_view(t)
        toks += [(o + t.base, ln, tag, seg) for o, ln, tag, seg in a]
        recs += [{k: v for k, v in r.items() if k not in ("tok_start", "tok_end")} for r in b]
        errs += c
    return toks, recs, errs


def _whole(data, strict):
    toks, recs, errs = compiled_view(mxbureau.scan(data, strict=strict))
    return toks, [{k: v for k, v in r.items() if k not in ("tok_start", "tok_end")} for r in recs], errs


@pytest.mark.parametrize("ext", sorted(COMPRESS))
def test_each_compression_reads_like_the_plain_file(tmp_path, ext):
    plain = tmp_path / "r.intl"
    plain.write_bytes(DATA)
    packed = tmp_path / f"r.intl.{ext}"
    packed.write_bytes(COMPRESS[ext](DATA))
    want = mxbureau.read(str(plain))
    _same_tables(mxbureau.read(str(packed)), want)
    _same_tables(mxbureau.read(COMPRESS[ext](DATA)), want)                  # compressed bytes
    with open(packed, "rb") as f:
        _same_tables(mxbureau.read(f), want)                               # a file object
    renamed = tmp_path / "no-extension"
    packed.rename(renamed)
    assert mxbureau.scan(str(renamed)).n_records == 120, "recognised by its bytes, not its name"


def test_gzip_file_objects_and_zip_archives(tmp_path):
    want = mxbureau.read(DATA)
    _same_tables(mxbureau.read(gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(DATA)))), want)
    z = tmp_path / "month.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("one.intl", DATA)
    _same_tables(mxbureau.read(str(z)), want)                               # one member: the source
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("a.intl", DATA)
        f.writestr("b.intl", DATA[:DATA.index(b"**") + 3])
    t = mxbureau.read(str(z))                                               # members: sources of their own
    names = t.records.column("source").to_pylist()
    assert names.count(f"{z}:a.intl") == 120 and names.count(f"{z}:b.intl") == 1
    assert t.records.column("record").to_pylist() == list(range(120)) + [0]


def test_damaged_input_that_begins_like_gzip_is_raw_input():
    bad = b"\x1f\x8b" + DATA[2:]
    with pytest.raises(mxbureau.FormatError):
        mxbureau.scan(bad)
    assert mxbureau.scan(bad, strict=False).n_records >= 119


def test_a_damaged_gzip_stream_says_so_and_shows_no_data():
    packed = gzip.compress(DATA)
    cut = packed[: len(packed) // 2]
    with pytest.raises(SourceError) as e:
        mxbureau.read(cut)
    assert "compressed data ends early" in str(e.value) and "INTL" not in str(e.value)


def test_streamed_windows_equal_the_whole_scan(monkeypatch):
    """Windows far smaller than the default (a record may not exceed the look-ahead: generated ones
    stay under 16 KB), pipes handing over random amounts, damage anywhere, both modes."""
    monkeypatch.setattr(scanner, "_lookahead", lambda fmt: 20000)
    rng = random.Random(5)
    for trial in range(25):
        data = bytearray(synth.generate_bytes(rng.randint(20, 160), seed=trial, mix=ALL_KINDS,
                                              separator=rng.choice(["none", "lf", "crlf"])))
        for _ in range(rng.randint(0, 6)):
            k = rng.randrange(len(data))
            data[k:k + rng.randint(1, 50)] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 60)))
        data = bytes(data)
        for strict in (False, True):
            try:
                want = _whole(data, strict)
            except mxbureau.FormatError as e:
                want = (e.offset, e.record, e.code)
            pipe = io.BufferedReader(Pipe(data, rng.randint(500, 9000)))
            try:
                got = _flat(mxbureau.scan_chunks(pipe, chunk_bytes=rng.randint(3000, 30000), strict=strict))
            except mxbureau.FormatError as e:
                got = (e.offset, e.record, e.code)
            assert got == want, (trial, strict)


def test_stdin_dash_and_pipes_through_the_cli(tmp_path):
    src = tmp_path / "in.intl"
    src.write_bytes(DATA)
    cmd = [sys.executable, "-m", "mxbureau.cli"]
    by_path = subprocess.run(cmd + ["convert", str(src), "-o", str(tmp_path / "a")], capture_output=True)
    assert by_path.returncode == 0, by_path.stderr
    by_stdin = subprocess.run(cmd + ["convert", "-", "-o", str(tmp_path / "b")], input=gzip.compress(DATA),
                              capture_output=True)
    assert by_stdin.returncode == 0, by_stdin.stderr
    for name in os.listdir(tmp_path / "a"):
        assert pq.read_table(tmp_path / "b" / name).equals(pq.read_table(tmp_path / "a" / name)), name
    # /dev/stdin through a pipe (a character device or a FIFO, not a regular file)
    scanned = subprocess.run(cmd + ["scan", "/dev/stdin"], input=DATA, capture_output=True, text=False)
    assert scanned.returncode == 0 and b"120 records" in scanned.stdout, scanned.stderr


def test_a_fifo_through_convert_equals_the_path(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=lambda: fifo.write_bytes(DATA))
    feeder.start()
    from mxbureau.cli import main
    assert main(["convert", str(fifo), "-o", str(tmp_path / "f"), "-q"]) == 0
    feeder.join()
    src = tmp_path / "in.intl"
    src.write_bytes(DATA)
    assert main(["convert", str(src), "-o", str(tmp_path / "p"), "-q"]) == 0
    for name in os.listdir(tmp_path / "p"):
        assert pq.read_table(tmp_path / "f" / name).equals(pq.read_table(tmp_path / "p" / name)), name


def test_a_binary_file_at_a_position_is_read_from_there():
    head = DATA[:DATA.index(b"\n") + 1]
    f = io.BytesIO(DATA)
    f.seek(len(head))
    t = mxbureau.scan(f)
    assert t.n_records == 119 and t.records["start"][0] == len(head)
    with open(__file__, "rb") as real:
        real.seek(5)
        with pytest.raises(mxbureau.FormatError) as e:
            mxbureau.scan(real)
        assert e.value.offset == 5, "offsets are positions in the file"


def test_what_cannot_be_read_says_why_without_data(tmp_path):
    secret = "MENDEZ GONZALEZ ANTUANET 15 CALLE PICO DE VERAPAZ 435"
    with pytest.raises(MissingSourceError) as e:
        mxbureau.read(secret)                                                # data passed as a path
    assert "PICO" not in str(e.value) and len(str(e.value)) < 80 and isinstance(e.value, FileNotFoundError)
    with pytest.raises(SourceError, match="folder"):
        mxbureau.read(str(tmp_path))
    with pytest.raises(MissingSourceError):
        mxbureau.read(str(tmp_path / "*.intl"))                             # a glob matching nothing
    with pytest.raises(SourceTypeError):
        mxbureau.read(open(__file__, "r"))                                   # text mode
    with pytest.raises(mxbureau.UsageError):
        mxbureau.scan(DATA, workers=0)
    empty = tmp_path / "empty.intl"
    empty.write_bytes(b"")
    assert mxbureau.read(str(empty)).records.num_rows == 0


def test_many_sources_lists_globs_and_one_name_twice(tmp_path):
    for d in ("x1", "x2"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "a.intl").write_bytes(DATA)
    one = mxbureau.read(DATA)
    t = mxbureau.read(str(tmp_path / "x*" / "a.intl"))
    assert t.records.num_rows == 240 and t["TL"].num_rows == 2 * one["TL"].num_rows
    src = t["TL"].column("source").to_pylist()
    assert set(src) == {str(tmp_path / "x1" / "a.intl"), str(tmp_path / "x2" / "a.intl")}
    assert t.records.column("record").to_pylist() == list(range(120)) * 2, "record counts per source"
    same = mxbureau.read([str(tmp_path / "x1" / "a.intl")] * 2)
    assert len(set(same.records.column("source").to_pylist())) == 2, "the same file twice: two names"
    chunks = list(mxbureau.read_chunks(str(tmp_path / "x*" / "a.intl"), chunk_bytes=20000))
    assert len(chunks) > 4
    _same_tables(mxbureau.Tables.concat(chunks), t)


def test_a_file_truncated_while_it_is_read_is_an_error_not_a_crash(tmp_path):
    """SIGBUS on a mapping whose file shrank: the compiled loops are guarded (in a subprocess, so that
    a crash would show as a signal)."""
    p = tmp_path / "big.intl"
    synth.write_file(str(p), 20000, seed=3, separator="lf", jobs=1)
    code = (
        "import os, sys, mxbureau\n"
        "p = sys.argv[1]\n"
        "chunks = mxbureau.scan_chunks(p, chunk_bytes=4 << 20)\n"
        "t = mxbureau.build_tables(next(chunks))\n"
        "os.truncate(p, 1 << 20)\n"
        "try:\n"
        "    for tok in chunks:\n"
        "        mxbureau.build_tables(tok)\n"
        "except mxbureau.SourceError as e:\n"
        "    print('error:', e)\n")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True)
    assert r.returncode == 0, (r.returncode, r.stderr[-500:])
    assert "the input changed while it was read" in r.stdout
