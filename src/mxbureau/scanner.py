"""``scan`` and ``scan_chunks``: sources in, ``Tokens`` out. The GIL-side boundary of _scan.pyx:
open the source without copying it, split it for threads, merge, raise ``FormatError``."""
from __future__ import annotations

import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, List, Tuple

import numpy as np

from . import _scan
from .errors import FormatError, message, snippet
from .tokens import Tokens, problems_from, safe_tag

__all__ = ["scan", "scan_chunks", "open_source"]

# Below this size a second thread costs more than it saves.
MIN_PARALLEL_BYTES = 1 << 20
_POOL = None


def _pool(workers: int) -> ThreadPoolExecutor:
    """One executor for the process, grown on demand: creating threads per call cost ~5% of a
    2-worker scan of the 57 MB corpus."""
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mxbureau-scan")
    return _POOL


def in_threads(calls: List[Callable[[], object]]) -> list:
    """Run the calls at once, all but the last on the shared pool and the last in this thread (the
    GIL is released by the compiled work they do); their results in order."""
    futures = [_pool(len(calls) - 1).submit(c) for c in calls[:-1]] if len(calls) > 1 else []
    last = calls[-1]()
    return [f.result() for f in futures] + [last]


def open_source(source) -> Tuple[np.ndarray, object]:
    """-> (uint8 array over the source's bytes, the object that keeps them alive). Paths are
    memory-mapped (never read whole); bytes-like objects are used in place."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return _map_file(f)
    # Buffers first (bytes, bytearray, memoryview, numpy arrays, mmap): an mmap also has .read(),
    # which would copy it from its current position.
    try:
        mv = memoryview(source)
    except TypeError:
        mv = None
    if mv is not None:
        if not mv.c_contiguous:
            raise ValueError("a buffer source must be C-contiguous")
        return np.frombuffer(mv.cast("B") if (mv.ndim != 1 or mv.format != "B") else mv, dtype=np.uint8), source
    if hasattr(source, "read"):
        try:
            if source.seekable() and source.tell() == 0:
                source.fileno()
                return _map_file(source)
        except (OSError, AttributeError, ValueError):
            pass
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("a file source must be opened in binary mode")
        return np.frombuffer(data, dtype=np.uint8), data
    raise TypeError(f"cannot scan a {type(source).__name__}: pass a path, bytes, bytearray, "
                    "memoryview or a binary file object")


def _map_file(f):
    size = os.fstat(f.fileno()).st_size
    if size == 0:
        return np.empty(0, dtype=np.uint8), b""
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(m, "madvise"):
        m.madvise(mmap.MADV_SEQUENTIAL)
    return np.frombuffer(m, dtype=np.uint8), m


def _raise(failure, record_base: int, values_of=None):
    """``values_of``: the buffer, to show the bytes at the offset (show_values=True only)."""
    code, offset, seg, tag, a, b, rec = failure
    msg = message(code, a, b)
    if values_of is not None:
        msg += "; bytes at the offset: " + snippet(values_of, offset, offset + 48)
    raise FormatError(msg, offset=int(offset), record=record_base + int(rec),
                      segment=safe_tag(seg), tag=safe_tag(tag), code=int(code))


def _merge(parts):
    """Records and errors of contiguous ranges, with token and record indices made global; the token
    arrays stay one set per range (see Tokens.parts)."""
    if len(parts) == 1:
        return [parts[0][1]], parts[0][2], parts[0][3]
    rec_parts, err_parts = [], []
    ntok = nrec = 0
    for _, t, r, e, _ in parts:
        r = dict(r)
        r["tok_start"] = r["tok_start"] + ntok
        r["tok_end"] = r["tok_end"] + ntok
        rec_parts.append(r)
        e = dict(e)
        e["record"] = e["record"] + nrec
        err_parts.append(e)
        ntok += len(t["offset"])
        nrec += len(r["start"])
    rec = {k: np.concatenate([r[k] for r in rec_parts]) for k in rec_parts[0]}
    err = {k: np.concatenate([e[k] for e in err_parts]) for k in err_parts[0]}
    return [p[1] for p in parts], rec, err


def _bounds(buf: np.ndarray, lo: int, hi: int, ranges: int) -> List[int]:
    """Range starts in [lo, hi) aligned to verified record starts (a record belongs to the range it
    starts in)."""
    starts = [lo]
    for i in range(1, ranges):
        b = _scan.find_record_start(buf, max(starts[-1] + 1, lo + (hi - lo) * i // ranges))
        if b >= hi:
            break
        starts.append(b)
    return starts + [hi]


def _scan_buffer(buf: np.ndarray, strict: bool, workers: int, show=None, lo: int = 0, hi: int = None,
                 record_base: int = 0):
    """The records starting in [lo, hi) -> (end, token parts, records, errors); end: where the last
    of them ends. record_base: the index of the first of them in the source (for errors)."""
    n = len(buf) if hi is None else hi
    if workers <= 1 or n - lo < MIN_PARALLEL_BYTES:
        end, tok, rec, err, failure = _scan.scan_range(buf, lo, n, strict)
        if failure is not None:
            _raise(failure, record_base, show)
        return end, [tok], rec, err
    # One range per worker. Byte-equal halves of the 57 MB corpus differ ~13% in tokens, yet smaller
    # ranges taken from a queue cost more than that imbalance: workers=2 vs 1, interleaved medians,
    # with 1 / 2 / 4 ranges a worker: 1.85 / 1.85 / 1.80x on 57 MB, 1.72 / 1.63 / 1.55x on 11 MB.
    bounds = _bounds(buf, lo, n, workers)
    k = len(bounds) - 1
    parts = in_threads([lambda i=i: _scan.scan_range(buf, bounds[i], bounds[i + 1], strict) for i in range(k)])
    # Ranges must meet exactly: a range's last record ends where the next range begins. A boundary
    # inside a record (a record embedded in a CR text, say) breaks that; the rest is then rescanned
    # sequentially from where the previous range really ended, so the result equals workers=1.
    good = []
    nrec = 0
    for i, p in enumerate(parts):
        if i > 0 and good[-1][0] != bounds[i]:
            prev_end = good[-1][0]
            p = _scan.scan_range(buf, prev_end, n, strict)
            good.append(p)
            if p[4] is not None:
                _raise(p[4], record_base + nrec, show)
            break
        if p[4] is not None:
            _raise(p[4], record_base + nrec, show)
        good.append(p)
        nrec += len(p[2]["start"])
    return (good[-1][0],) + tuple(_merge(good))


def scan(source, *, strict: bool = True, workers: int = 1, show_values: bool = False) -> Tokens:
    """Tokenize a file of concatenated INTL13 records (responses, error records, consultas).

    ``strict=True`` raises ``FormatError`` at the first problem; ``strict=False`` never raises on bad
    bytes: each damaged span is reported in ``Tokens.errors`` and every intact record is kept.
    ``workers=N`` scans N record-aligned ranges in threads (the GIL is released); the result is
    identical to ``workers=1``. Messages carry positions and tags, never bytes of the input, unless
    ``show_values=True`` (debugging on one's own machine: these files hold personal data)."""
    buf, owner = open_source(source)
    show = buf if show_values else None
    _, parts, rec, err = _scan_buffer(buf, strict, int(workers), show)
    return Tokens(owner, parts, rec, problems_from(err, values_of=show))


def _release(owner, start: int, end: int) -> None:
    """Drop the pages of a consumed chunk of a memory-mapped file from this process (they stay in the
    page cache; touching them again faults them back in). Without this the mapped input counts in full
    toward RSS: 1.7 GB peak converting a 1.1 GB file."""
    if isinstance(owner, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        a = start - start % page
        b = end - end % page
        if b > a:
            owner.madvise(mmap.MADV_DONTNEED, a, b - a)


def scan_chunks(source, *, chunk_bytes: int = 64 << 20, strict: bool = True, workers: int = 1,
                show_values: bool = False) -> Iterator[Tokens]:
    """Tokens for consecutive record-aligned chunks of about ``chunk_bytes``, so that files larger
    than RAM stream with bounded memory. Concatenating the chunks gives exactly ``scan(source)``:
    record indices continue across chunks and offsets are positions in the source."""
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be positive")
    buf, owner = open_source(source)
    show = buf if show_values else None
    n = len(buf)
    pos = 0
    nrec = 0
    while pos < n:
        nominal = pos + chunk_bytes
        stop = n if nominal >= n else _scan.find_record_start(buf, nominal)
        end, parts, rec, err = _scan_buffer(buf, strict, int(workers), show, pos, stop, nrec)
        err = dict(err)
        err["record"] = err["record"] + nrec
        chunk = Tokens(owner, parts, rec, problems_from(err, values_of=show), record_base=nrec)
        nrec += chunk.n_records
        done, pos = pos, end
        yield chunk
        _release(owner, done, pos)
