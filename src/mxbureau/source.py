"""Opening inputs: what a caller passes (a path, ``-`` for stdin, a glob, a list, bytes, a buffer, a
binary file object) becomes one or more ``Source``s, each either mapped (its bytes as one array: regular
files are memory-mapped, never read whole; buffers are used in place) or a stream read block by block
(pipes, FIFOs, stdin, non-seekable file objects, compressed files and archive members). Compression
is recognised by its magic bytes, not by the file name: gzip, bzip2, xz, zstd; a zip archive's
members are sources of their own. Messages name the input (shortened), never its bytes."""
from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import mmap
import os
import stat
import sys
import zipfile
import zlib
from zlib import error as zlibError      # what gzip raises on corrupt deflate data
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, List, Optional

import numpy as np
import zstandard

from .errors import MissingSourceError, SourceError, SourceTypeError, UsageError

__all__ = ["Source", "open_source", "open_all", "expand", "label", "release", "compression_of"]

# Magic bytes -> (name, a function opening a decompressing stream over a binary stream).
_MAGIC = (
    (b"\x1f\x8b", "gzip", lambda f: gzip.GzipFile(fileobj=f, mode="rb")),
    (b"BZh", "bzip2", lambda f: bz2.BZ2File(f, mode="rb")),
    (b"\xfd7zXZ\x00", "xz", lambda f: lzma.LZMAFile(f, mode="rb")),
    (b"\x28\xb5\x2f\xfd", "zstd", lambda f: zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True)),
)
_ZIP = b"PK\x03\x04"
_SHOWN = 40                     # at most this many characters of a name in a message


def label(name) -> str:
    """A name fit for a message: at most 40 characters (a str passed by mistake may hold data). Of a
    long path its end (the file name says which input, the first folders seldom do); of anything else
    its start, most of a value passed as a path left out."""
    s = os.fspath(name) if isinstance(name, os.PathLike) else str(name)
    if len(s) <= _SHOWN:
        return s
    return "..." + s[len(s) - _SHOWN + 3:] if os.sep in s else s[:_SHOWN - 3] + "..."


def compression_of(head: bytes) -> Optional[str]:
    """The compression these first bytes announce ("gzip", "bzip2", "xz", "zstd", "zip"), or None.
    ``head``: the first bytes, as many as there are up to 64 KB: a compression is named only when they
    also decompress (damaged raw input that happens to begin like gzip stays raw input)."""
    if head.startswith(_ZIP):
        return "zip"
    for magic, name, _ in _MAGIC:
        if head.startswith(magic):
            return name if _decompresses(name, head[:_PROBE]) else None
    return None


_PROBE = 64 << 10
_MAGICS = (_ZIP, *(m for m, _, _ in _MAGIC))
_MAGIC_BYTES = max(map(len, _MAGICS))


def has_magic(head: bytes) -> bool:
    """Whether these first bytes begin like a compressed stream or a zip archive (compression_of
    then tells, from up to 64 KB)."""
    return head.startswith(_MAGICS)


def _decompresses(kind: str, sample: bytes) -> bool:
    """Whether a compressed stream's first bytes decompress without an error into at least one byte
    (or into a complete, empty stream): a few bytes that only begin like a header do not count."""
    try:
        if kind == "gzip":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out, eof = d.decompress(sample, 1 << 16), d.eof
        elif kind == "bzip2":
            d = bz2.BZ2Decompressor()
            out, eof = d.decompress(sample, 1 << 16), d.eof
        elif kind == "xz":
            d = lzma.LZMADecompressor()
            out, eof = d.decompress(sample, 1 << 16), d.eof
        else:
            d = zstandard.ZstdDecompressor().decompressobj()
            out, eof = d.decompress(sample), d.eof
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, zstandard.ZstdError):
        return False
    return bool(out) or bool(eof)


@dataclass
class Source:
    """One input. ``buffer``: its bytes as a uint8 array (mapped or in memory), or None for a stream;
    ``stream``: a binary stream to read when there is no buffer; ``start``: where the source's bytes
    begin in ``buffer`` (a file object handed over at a position); ``base``: the position of a
    stream's first byte in its file (a seekable file object handed over at a position: offsets are
    positions in the file); ``name``: for messages and the tables' ``source`` column; ``owner``: what
    keeps the buffer alive (an mmap, for ``release``)."""
    name: str
    buffer: Optional[np.ndarray] = None
    stream: Optional[BinaryIO] = None
    start: int = 0
    base: int = 0
    owner: object = None
    compression: Optional[str] = None
    _close: List[Callable[[], None]] = field(default_factory=list)

    def read_all(self) -> np.ndarray:
        """The whole source as one array (a stream is read to its end)."""
        if self.buffer is not None:
            return self.buffer
        chunks = []
        while True:
            b = self.read(16 << 20)
            if not b:
                break
            chunks.append(b)
        data = b"".join(chunks)
        self.buffer, self.owner = np.frombuffer(data, dtype=np.uint8), data
        return self.buffer

    def read(self, n: int) -> bytes:
        try:
            return self.stream.read(n)
        except (OSError, EOFError, zlibError, lzma.LZMAError, zstandard.ZstdError, zipfile.BadZipFile) as e:
            raise SourceError(f"cannot read {label(self.name)}: {_reason(e)}") from None

    def close(self):
        for c in reversed(self._close):
            try:
                c()
            except Exception:             # noqa: BLE001 - closing what we opened; never masks a result
                pass
        self._close.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _reason(e: BaseException) -> str:
    """An OS or codec error's reason, without the file name or data it may quote."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    return {gzip.BadGzipFile: "not valid gzip data", EOFError: "compressed data ends early",
            lzma.LZMAError: "not valid xz data", zstandard.ZstdError: "not valid zstd data", zlibError: "not valid gzip data",
            zipfile.BadZipFile: "not a valid zip archive"}.get(type(e), type(e).__name__)


def expand(source) -> List:
    """The inputs a caller's argument names: a list/tuple -> its items; a str with glob characters
    that is no existing path -> the sorted matches (none: MissingSourceError); anything else -> itself."""
    if isinstance(source, (list, tuple)):
        out = []
        for s in source:
            out.extend(expand(s))
        return out
    if isinstance(source, str) and source != "-" and any(c in source for c in "*?[") and not os.path.exists(source):
        matches = sorted(glob.glob(source, recursive=True))
        if not matches:
            raise MissingSourceError(f"no file matches {label(source)}")
        return matches
    return [source]


def open_all(source) -> List[Source]:
    """Every source a caller's argument names (``expand``, then ``open_source``), their names made
    unique (the same file twice: "name", "name#2")."""
    srcs = [s for item in expand(source) for s in open_source(item)]
    seen = {}
    for s in srcs:
        k = seen[s.name] = seen.get(s.name, 0) + 1
        if k > 1:
            s.name = f"{s.name}#{k}"
    return srcs


def open_source(source, name: Optional[str] = None) -> List[Source]:
    """The sources one input holds (one, or one per member of a zip archive)."""
    if isinstance(source, Source):
        return [source]
    if isinstance(source, str) and source == "-":
        return _from_stream(sys.stdin.buffer, name or "<stdin>", None)
    if isinstance(source, (str, os.PathLike)):
        return _from_path(source, name)
    # Buffers first (bytes, bytearray, memoryview, numpy arrays, mmap): an mmap also has .read(),
    # which would copy it from its current position.
    try:
        mv = memoryview(source)
    except TypeError:
        mv = None
    if mv is not None:
        if not mv.c_contiguous:
            raise UsageError("a buffer source must be C-contiguous")
        buf = np.frombuffer(mv.cast("B") if (mv.ndim != 1 or mv.format != "B") else mv, dtype=np.uint8)
        # the magic bytes first: the probe (up to 64 KB copied into a new bytes) only for a compression
        head = buf[:_MAGIC_BYTES].tobytes()
        kind = None
        if has_magic(head):
            head = bytes(buf[:_PROBE])
            kind = compression_of(head)
        if kind and (kind != "zip" or zipfile.is_zipfile(io.BytesIO(buf))):
            return _from_stream(io.BytesIO(buf), name or "<buffer>", None, head=head)
        return [Source(name or "<buffer>", buffer=buf, owner=source)]
    mode = getattr(source, "mode", "b")
    if isinstance(source, io.TextIOBase) or (hasattr(source, "read") and isinstance(mode, str) and "b" not in mode):
        raise SourceTypeError("a file source must be opened in binary mode ('rb')")
    if hasattr(source, "read"):
        return _from_file(source, name or label(getattr(source, "name", "<file>")))
    raise SourceTypeError(f"cannot read a {type(source).__name__}: pass a path, '-', bytes, a buffer or a binary file object")


def _from_path(path, name: Optional[str]) -> List[Source]:
    shown = name or os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise MissingSourceError(f"cannot read {label(path)}: no such file") from None
    except OSError as e:
        raise SourceError(f"cannot read {label(path)}: {_reason(e)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"cannot read {label(path)}: it is a folder")
    try:
        f = open(path, "rb")
    except OSError as e:
        raise SourceError(f"cannot read {label(path)}: {_reason(e)}") from None
    if not stat.S_ISREG(st.st_mode):                       # a FIFO, a pipe, a character device
        return _from_stream(f, shown, f.close)
    head = f.read(_PROBE)
    kind = compression_of(head)
    if kind and (kind != "zip" or zipfile.is_zipfile(f)):
        f.seek(0)
        return _from_stream(f, shown, f.close, head=head)
    try:
        buf, owner = _map(f, st.st_size)
    finally:
        f.close()                                          # the mapping stays valid
    return [Source(shown, buffer=buf, owner=owner)]


def _from_file(f, name: str) -> List[Source]:
    """A binary file object: mapped from its current position when it is a regular file, else read."""
    try:
        pos = f.tell() if f.seekable() else None
        fd = f.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pos, regular = None, False
    if regular and pos is not None:
        head = os.pread(fd, _PROBE, pos)
        if not compression_of(head):
            buf, owner = _map(f, os.fstat(fd).st_size)
            return [Source(name, buffer=buf, owner=owner, start=min(pos, len(buf)))]
    if pos is None:
        try:
            pos = source_tell(f)
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            pos = None
    srcs = _from_stream(f, name, None)
    if pos and len(srcs) == 1 and srcs[0].compression is None:
        srcs[0].base = pos
    return srcs


def source_tell(f) -> Optional[int]:
    """A seekable file object's position (None for a pipe)."""
    return f.tell() if f.seekable() else None


def _head(f, n: int) -> bytes:
    """The first n bytes of a stream (fewer only at its end: a pipe may hand them over in pieces)."""
    out = b""
    while len(out) < n:
        b = f.read(n - len(out))
        if not b:
            break
        out += b
    return out


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest):
        self._head, self._rest = head, rest

    def readable(self):
        return True

    def readinto(self, b):
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[:len(data)] = data
        return len(data)


def _from_stream(f, name: str, close, head: Optional[bytes] = None) -> List[Source]:
    """A stream, decompressed when its first bytes say so; a zip archive gives one source per member."""
    closers = [close] if close else []
    if head is None:
        head = _head(f, _PROBE)
        f = io.BufferedReader(_Prefixed(head, f), 1 << 20)
    kind = compression_of(head)
    if kind == "zip":
        return _zip_members(f, name, closers)
    if kind:
        opener = next(o for m, n, o in _MAGIC if n == kind)
        f = opener(f)
    return [Source(name, stream=f, compression=kind, _close=closers)]


def _zip_members(f, name: str, closers) -> List[Source]:
    try:
        if not f.seekable():
            f = io.BytesIO(f.read())                       # zip's directory is at the end: needs seeking
        z = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        raise SourceError(f"cannot read {label(name)}: not a valid zip archive") from None
    members = [i for i in z.infolist() if not i.is_dir()]
    if not members:
        raise SourceError(f"cannot read {label(name)}: the zip archive is empty")
    out = []
    for i, m in enumerate(members):
        inner = z.open(m)
        src = _from_stream(inner, f"{name}:{m.filename}" if len(members) > 1 else name, inner.close)[0]
        out.append(src)
    out[-1]._close.extend([z.close] + closers)
    return out


def _map(f, size: int):
    if size == 0:
        return np.empty(0, dtype=np.uint8), b""
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(m, "madvise"):
        m.madvise(mmap.MADV_SEQUENTIAL)
    return np.frombuffer(m, dtype=np.uint8), m


def release(owner, start: int, end: int) -> None:
    """Drop the pages of a consumed chunk of a memory-mapped file from this process (they stay in the
    page cache; touching them again faults them back in). Without this the mapped input counts in full
    toward RSS: 1.7 GB peak converting a 1.1 GB file."""
    if isinstance(owner, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        a = start - start % page
        b = end - end % page
        if b > a:
            owner.madvise(mmap.MADV_DONTNEED, a, b - a)
