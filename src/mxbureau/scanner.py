"""``scan`` and ``scan_chunks``: sources in, ``Tokens`` out. The GIL-side boundary of _scan.pyx:
open the source without copying it, split it for threads, merge, raise ``FormatError``."""
from __future__ import annotations

import mmap
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, List, Tuple

import numpy as np

from . import _scan
from .errors import FormatError, message, snippet
from .tokens import Tokens, problems_from, safe_tag

__all__ = ["scan", "scan_chunks", "open_source"]

# Below this size a second thread costs more than it saves.
MIN_PARALLEL_BYTES = 1 << 20
# A thread that has finished its range takes the second half of the largest range still being
# scanned, if that half is at least this big. Byte-equal ranges need not take equal times: workers=2
# vs 1 on the 57 MB corpus, interleaved medians, static ranges -> with stealing: idle VM 1.84-1.86x
# -> 1.86-1.88x; another process busy on one core (nice 5) 1.05-1.50x -> 1.62-1.63x; half the bytes
# in records with 12,000-byte declarativas (bench.uneven) 1.00x -> 1.60-1.79x. Splitting smaller
# pieces costs more than it evens out (a split is a new range: buffers, a part to merge): on the
# 11 MB corpus, idle, a 64 KB / 256 KB / 1 MB threshold / none: 1.66-1.83 / 1.76-1.89 / 1.76-1.94 /
# 1.79-1.95x.
MIN_STEAL_BYTES = 1 << 20
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


def shared_out(calls: List[Callable[[], object]], weights: List[float], workers: int) -> list:
    """Run the calls in at most ``workers`` threads, shared out by weight (largest first, each to the
    least loaded thread); their results in the calls' order."""
    if workers <= 1 or len(calls) <= 1:
        return [c() for c in calls]
    bins = [[] for _ in range(min(workers, len(calls)))]
    load = [0.0] * len(bins)
    for i in sorted(range(len(calls)), key=lambda i: -weights[i]):
        j = load.index(min(load))
        bins[j].append(i)
        load[j] += weights[i]
    out = [None] * len(calls)

    def run(b):
        for i in b:
            out[i] = calls[i]()
    in_threads([lambda b=b: run(b) for b in bins])
    return out


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
    rec = {k: np.concatenate([p[2][k] for p in parts]) for k in parts[0][2]}
    err = {k: np.concatenate([p[3][k] for p in parts]) for k in parts[0][3]}
    # Shift each range's indices in place (shifted copies before concatenating: 2x the memory).
    ntok = nrec = r0 = e0 = 0
    for _, t, r, e, _ in parts:
        r1, e1 = r0 + len(r["start"]), e0 + len(e["start"])
        rec["tok_start"][r0:r1] += ntok
        rec["tok_end"][r0:r1] += ntok
        err["record"][e0:e1] += nrec
        ntok += len(t["offset"])
        nrec += r1 - r0
        r0, e0 = r1, e1
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
        return _checked([_scan.scan_range(buf, lo, n, strict)], record_base, show)
    # One range per worker; a worker that finishes first splits the largest range still being
    # scanned and takes its second half, so that a core that runs slower (another process, a VM
    # neighbour) does less of the work.
    bounds = _bounds(buf, lo, n, workers)
    lanes = [_scan.Lane(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    done = []
    lock = threading.Lock()

    def work(lane):
        while lane is not None:
            p = _scan.scan_range(buf, 0, 0, strict, lane=lane)
            done.append((lane.start, p))
            lane = None if p[4] is not None else _steal(buf, lanes, lock)

    in_threads([lambda lane=lane: work(lane) for lane in lanes])
    return _stitch(buf, sorted(done, key=lambda d: d[0]), lo, n, strict, record_base, show)


def _stitch(buf: np.ndarray, done: list, lo: int, n: int, strict: bool, record_base: int, show):
    """The scanned ranges [(start, scan_range result)], in order, made into the scan of [lo, n)."""
    # The ranges must meet exactly: each range's last record ends where the next range begins. A
    # split that came too late leaves a gap (the range stopped short): it is scanned here. A split
    # point inside a record (a record embedded in a CR text, say) makes ranges overlap: from there
    # the rest is rescanned sequentially. So the result always equals workers=1.
    good, pos = [], lo
    for start, p in done:
        if start > pos:                      # a gap
            good.append(_scan.scan_range(buf, pos, start, strict))
            pos = good[-1][0]
            if good[-1][4] is not None:
                break
        if start != pos:                     # an overlap (or the gap's last record ran past start)
            break
        good.append(p)
        pos = p[0]
        if p[4] is not None:
            break
    if good[-1][4] is None and pos < n:      # the rest, after an overlap or a gap at the end
        good.append(_scan.scan_range(buf, pos, n, strict))
    return _checked(good, record_base, show)


def _checked(parts, record_base: int, show):
    """Raise the first strict failure in file order; else (end, token parts, records, errors)."""
    nrec = 0
    for p in parts:
        if p[4] is not None:
            _raise(p[4], record_base + nrec, show)
        nrec += len(p[2]["start"])
    return (parts[-1][0],) + tuple(_merge(parts))


def _steal(buf: np.ndarray, lanes: list, lock: threading.Lock):
    """Split the range with the most left to scan at a verified record start near the middle of
    what is left; -> the new range of its second half, or None if no range is worth splitting."""
    with lock:
        victim = max(lanes, key=lambda lane: lane.stop - lane.claimed)
        pos, stop = victim.claimed, victim.stop
        if stop - pos < 2 * MIN_STEAL_BYTES:
            return None
        m = _scan.find_record_start(buf, pos + (stop - pos) // 2)
        if m >= stop or not victim.split(m):
            return None
        lane = _scan.Lane(m, stop)
        lanes.append(lane)
        return lane


def scan(source, *, strict: bool = True, workers: int = 1, show_values: bool = False) -> Tokens:
    """Tokenize a file of concatenated INTL13 records (responses, error records, consultas).

    ``strict=True`` raises ``FormatError`` at the first problem; ``strict=False`` never raises on bad
    bytes: each damaged span is reported in ``Tokens.errors`` and every intact record is kept.
    ``workers=N`` scans N record-aligned ranges in threads (the GIL is released); a thread that
    finishes first splits the range with the most left and takes its second half. The result is
    identical to ``workers=1``; its token arrays stay one set per range (``Tokens.parts``). Messages carry positions and tags, never bytes of the input, unless
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
