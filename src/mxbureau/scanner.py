"""``scan`` and ``scan_chunks``: sources in, ``Tokens`` out, for any registered format. The GIL-side
boundary of a format's compiled range scanner: split the input for threads (work stealing), stitch
the ranges, read streams in record-aligned windows, raise ``FormatError``."""
from __future__ import annotations

import threading
from typing import Iterator, List, Optional

import numpy as np

from .errors import FormatError, UsageError, message, snippet
from .formats import Format, detect
from .parallel import in_threads
from .source import Source, expand, open_source, release
from .tokens import Tokens, problems_from, safe_tag
from ._index import Lane

__all__ = ["scan", "scan_chunks", "bounds", "align", "align_in", "scan_between", "lookback_of"]

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

# scan_chunks: a chunk holds about chunk_bytes bytes and at most chunk_bytes // CHUNK_TOKEN_BYTES
# tokens, so that its tables are bounded by the chunk setting whatever the token density. Tables cost
# ~80 bytes a token on the generated corpus (~10 bytes a token) and ~195 where every token is a row of
# its own (a record of b"PN00" * 249,980: 2 M tokens -> 390 MB of tables). Peak RSS of convert with
# 64 MB chunks on 100 MB of such records: 4.9 GB by bytes alone; 1.34 GB with 24 bytes a token
# (2.8 M tokens a chunk), 846 MB with 40 (1.7 M); on 142 MB of the generated corpus 630 MB -> 354 MB
# (chunks of ~16 MB instead of 64). With record_start in every table and the next chunk decoded while
# the last one is written, 40 peaked at 974 MB, 48 at 883 MB, 64 at 774 MB (a 56 MB generated corpus
# converts as fast within noise).
CHUNK_TOKEN_BYTES = 64
# A chunk is scanned in record-aligned pieces of at most 4 bytes per token still allowed (a token
# takes at least 4 bytes), and at least a 64th of the chunk or this: a chunk is a few scans, not one
# per record, and passes its token budget by at most a record and a 64th of chunk_bytes / 4 tokens.
MIN_PIECE_BYTES = 4096


def _raise(fmt: Format, failure, record_base: int, values_of=None, base: int = 0):
    """``values_of``: the buffer, to show the bytes at the offset (show_values=True only); ``base``:
    the source offset of the buffer's first byte."""
    code, offset, seg, tag, a, b, rec = failure
    msg = message(fmt.messages, code, a, b)
    if values_of is not None:
        msg += "; bytes at the offset: " + snippet(values_of, offset, offset + 48)
    raise FormatError(msg, offset=base + int(offset), record=record_base + int(rec),
                      segment=safe_tag(seg, fmt), tag=safe_tag(tag, fmt), code=int(code))


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


def bounds(fmt: Format, buf: np.ndarray, lo: int, hi: int, ranges: int) -> List[int]:
    """Range starts in [lo, hi) aligned to verified record starts (a record belongs to the range it
    starts in), and hi."""
    starts = [lo]
    for i in range(1, ranges):
        b = fmt.scanner.find_record_start(buf, max(starts[-1] + 1, lo + (hi - lo) * i // ranges))
        if b >= hi:
            break
        starts.append(b)
    return starts + [hi]


def _scan_buffer(fmt: Format, buf: np.ndarray, strict: bool, workers: int, show=None, lo: int = 0,
                 hi: Optional[int] = None, record_base: int = 0, base: int = 0):
    """The records starting in [lo, hi) -> (end, token parts, records, errors); end: where the last
    of them ends. record_base: the index of the first of them in the source (for errors)."""
    n = len(buf) if hi is None else hi
    sc = fmt.scanner
    if workers <= 1 or n - lo < MIN_PARALLEL_BYTES:
        return _checked(fmt, [sc.scan_range(buf, lo, n, strict)], record_base, show, base)
    # One range per worker; a worker that finishes first splits the largest range still being
    # scanned and takes its second half, so that a core that runs slower (another process, a VM
    # neighbour) does less of the work.
    b = bounds(fmt, buf, lo, n, workers)
    lanes = [Lane(b[i], b[i + 1]) for i in range(len(b) - 1)]
    done = []
    lock = threading.Lock()

    def work(lane):
        while lane is not None:
            p = sc.scan_range(buf, 0, 0, strict, lane=lane)
            done.append((lane.start, p))
            lane = None if p[4] is not None else _steal(fmt, buf, lanes, lock)

    in_threads([lambda lane=lane: work(lane) for lane in lanes])
    return _stitch(fmt, buf, sorted(done, key=lambda d: d[0]), lo, n, strict, record_base, show, base)


def _stitch(fmt: Format, buf: np.ndarray, done: list, lo: int, n: int, strict: bool, record_base: int, show,
            base: int = 0):
    """The scanned ranges [(start, scan_range result)], in order, made into the scan of [lo, n)."""
    # The ranges must meet exactly: each range's last record ends where the next range begins. A
    # split that came too late leaves a gap (the range stopped short): it is scanned here. A split
    # point inside a record (a record embedded in a CR text, say) makes ranges overlap: from there
    # the rest is rescanned sequentially. So the result always equals workers=1.
    good, pos = [], lo
    for start, p in done:
        if start > pos:                      # a gap
            good.append(fmt.scanner.scan_range(buf, pos, start, strict))
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
        good.append(fmt.scanner.scan_range(buf, pos, n, strict))
    return _checked(fmt, good, record_base, show, base)


def _checked(fmt: Format, parts, record_base: int, show, base: int = 0):
    """Raise the first strict failure in file order; else (end, token parts, records, errors)."""
    nrec = 0
    for p in parts:
        if p[4] is not None:
            _raise(fmt, p[4], record_base + nrec, show, base)
        nrec += len(p[2]["start"])
    return (parts[-1][0],) + tuple(_merge(parts))


def _steal(fmt: Format, buf: np.ndarray, lanes: list, lock: threading.Lock):
    """Split the range with the most left to scan at a verified record start near the middle of
    what is left; -> the new range of its second half, or None if no range is worth splitting."""
    with lock:
        victim = max(lanes, key=lambda lane: lane.stop - lane.claimed)
        pos, stop = victim.claimed, victim.stop
        if stop - pos < 2 * MIN_STEAL_BYTES:
            return None
        m = fmt.scanner.find_record_start(buf, pos + (stop - pos) // 2)
        if m >= stop or not victim.split(m):
            return None
        lane = Lane(m, stop)
        lanes.append(lane)
        return lane


def _workers(workers) -> int:
    w = int(workers)
    if w < 1:
        raise UsageError(f"workers must be at least 1 (got {w})")
    return w


def _tokens(fmt: Format, src: Source, buf: np.ndarray, scanned, show, record_base: int = 0, base: int = 0,
            begin: int = 0) -> Tokens:
    """Tokens of a scanned range: ``begin`` where it began in buf (its end is ``scanned[0]``)."""
    end, parts, rec, err = scanned
    err = dict(err)
    err["record"] = err["record"] + record_base
    return Tokens(buf, fmt, parts, rec, problems_from(err, fmt, values_of=show, base=base),
                  record_base=record_base, base=base, source=src.name, span=(base + begin, base + end))


def scan(source, *, strict: bool = True, workers: int = 1, show_values: bool = False,
         format: Optional[str] = None, start: Optional[int] = None, stop: Optional[int] = None,
         lookback: Optional[int] = None) -> Tokens:
    """Tokenize one source of concatenated records (INTL13 responses, error records, consultas): a
    path (memory-mapped), ``-`` (stdin), bytes or a buffer, a binary file object; compressed ones
    (gzip, bzip2, xz, zstd, a zip of one file) are decompressed. The token index covers the whole
    source, so a stream is read whole into memory: ``scan_chunks`` keeps memory bounded.

    ``strict=True`` raises ``FormatError`` at the first problem; ``strict=False`` never raises on bad
    bytes: each damaged span is reported in ``Tokens.errors`` and every intact record is kept.
    ``workers=N`` scans N record-aligned ranges in threads (the GIL is released); a thread that
    finishes first splits the range with the most left and takes its second half. The result is
    identical to ``workers=1``; its token arrays stay one set per range (``Tokens.parts``). Messages
    carry positions and tags, never bytes of the input, unless ``show_values=True`` (debugging on
    one's own machine: these files hold personal data). ``format``: a registered format's name
    (default: detected from the first bytes).

    ``start``, ``stop`` (byte positions in the source): only the records that start in
    ``[align(start), align(stop))`` -- a byte range of the source, as a distributed task reads it;
    consecutive ranges give exactly the scan of the whole. Offsets stay positions in the source,
    strict errors name the absolute offset, and ``record`` counts from 0 at the range's first record
    (``records["start"]`` is the key that does not depend on the range). ``lookback``: see ``align``."""
    if start is not None or stop is not None:
        return _scan_range_of(source, start, stop, strict, _workers(workers), show_values, format, lookback)
    workers = _workers(workers)
    inputs = expand(source)
    srcs = [s for i in inputs for s in open_source(i)]
    if len(srcs) != 1:
        for s in srcs:
            s.close()
        raise UsageError(f"scan takes one source, not {len(srcs)}: use scan_chunks or read for several")
    src = srcs[0]
    try:
        buf = src.read_all()
    finally:
        src.close()
    fmt = detect(buf[src.start:], format)
    show = buf if show_values else None
    return _tokens(fmt, src, buf, _scan_buffer(fmt, buf, strict, workers, show, lo=src.start, base=src.base), show,
                   base=src.base, begin=src.start)


def scan_chunks(source, *, chunk_bytes: int = 64 << 20, strict: bool = True, workers: int = 1,
                show_values: bool = False, format: Optional[str] = None,
                chunk_tokens: Optional[int] = None) -> Iterator[Tokens]:
    """Tokens for consecutive record-aligned chunks of about ``chunk_bytes`` of each source (a path,
    a list or a glob of them, ``-``, a buffer, a binary file object; compressed or not), and of about
    ``chunk_tokens`` tokens at most (default ``chunk_bytes // 64``; passed by at most a record and
    chunk_bytes / 256 tokens), so that inputs larger than RAM, and streams, go through with memory
    bounded by the chunk setting whatever their token density. For each source, the chunks
    concatenated give exactly ``scan`` of it: record indices continue across its chunks (and start
    again at 0 in the next source: ``Tokens.source`` names it) and offsets are positions in it."""
    if chunk_bytes < 1:
        raise UsageError("chunk_bytes must be positive")
    budget = (max(1, chunk_bytes // CHUNK_TOKEN_BYTES if chunk_tokens is None else int(chunk_tokens)),
              max(MIN_PIECE_BYTES, chunk_bytes // 64))
    workers = _workers(workers)
    for item in expand(source):
        for src in open_source(item):
            with src:
                if src.buffer is not None:
                    yield from _mapped_chunks(src, chunk_bytes, strict, workers, show_values, format, budget)
                else:
                    yield from _stream_chunks(src, chunk_bytes, strict, workers, show_values, format, budget)


def _scan_pieces(fmt: Format, buf: np.ndarray, strict: bool, workers: int, show, lo: int, hi: int,
                 record_base: int, budget, base: int = 0):
    """The records starting in [lo, hi) (hi a record start, or where a stream's window is cut) up to
    the first record start where they hold budget[0] tokens: (end, token parts, records, errors) as
    _scan_buffer's, end before hi when the budget stopped them. The same records whatever
    ``workers``, so that a conversion writes the same files with any number of threads."""
    max_tokens, min_piece = budget
    if workers <= 1 or hi - lo < MIN_PARALLEL_BYTES:
        # One range that the compiled scanner ends at the first record start past the budget: one
        # token part a chunk. (Pieces of 4 bytes a token still allowed made ~6 parts of each ~10 MB
        # chunk of the generated corpus, each decoded with its own fixed costs: read() of 1 GB
        # decoded 536 parts, 1.8 s of its 12.7 s in respelling their codes alone.)
        return _checked(fmt, [fmt.scanner.scan_range(buf, lo, hi, strict, max_tokens=max_tokens)], record_base,
                        show, base)
    # In threads: record-aligned pieces, each scanned in parallel ranges and cut where the budget is
    # reached. The first piece spans 4 bytes a token allowed (a token takes at least 4), the next ones
    # what the bytes a token seen so far say the rest takes, and at least budget[1] bytes.
    pieces, ntok, nrec, p = [], 0, 0, lo
    per_token = 4.0
    while True:
        left = max_tokens - ntok
        nominal = p + max(int(per_token * left * 1.05), min_piece)
        stop = hi if nominal >= hi else min(hi, fmt.scanner.find_record_start(buf, nominal))
        piece = _cut(_scan_buffer(fmt, buf, strict, workers, show, p, stop, record_base + nrec, base), left)
        pieces.append(piece)
        ntok += sum(len(t["offset"]) for t in piece[1])
        nrec += len(piece[2]["start"])
        p = piece[0]
        if ntok:
            per_token = (p - lo) / ntok
        if stop >= hi or p >= hi or ntok >= max_tokens:
            return _join(pieces)


def _cut(piece, max_tokens: int):
    """A scanned piece ended where the compiled scanner's budget would have ended it: at the first
    record start where max_tokens tokens are held."""
    end, parts, rec, err = piece
    j = int(np.searchsorted(rec["tok_end"], max_tokens, side="left")) + 1
    if j >= len(rec["start"]):
        return piece
    end, keep = int(rec["start"][j]), int(rec["tok_end"][j - 1])
    cut = []
    for t in parts:
        n = min(len(t["offset"]), keep)
        cut.append({k: v[:n] for k, v in t.items()})
        keep -= n
    rec = {k: v[:j] for k, v in rec.items()}
    err = {k: v[err["start"] < end] for k, v in err.items()}
    return end, [t for t in cut if len(t["offset"])] or cut[:1], rec, err


def _join(pieces):
    """Consecutive pieces' (end, token parts, records, errors) as one: token and record indices made
    relative to the first piece."""
    if len(pieces) == 1:
        return pieces[0]
    parts = [t for piece in pieces for t in piece[1]]
    rec = {k: np.concatenate([piece[2][k] for piece in pieces]) for k in pieces[0][2]}
    err = {k: np.concatenate([piece[3][k] for piece in pieces]) for k in pieces[0][3]}
    ntok = nrec = r0 = e0 = 0
    for _, toks, r, e in pieces:
        r1, e1 = r0 + len(r["start"]), e0 + len(e["start"])
        rec["tok_start"][r0:r1] += ntok
        rec["tok_end"][r0:r1] += ntok
        err["record"][e0:e1] += nrec
        ntok += sum(len(t["offset"]) for t in toks)
        nrec += r1 - r0
        r0, e0 = r1, e1
    return pieces[-1][0], parts, rec, err


def _mapped_chunks(src: Source, chunk_bytes: int, strict: bool, workers: int, show_values: bool, format, budget):
    buf, owner = src.buffer, src.owner
    fmt = detect(buf[src.start:], format)
    show = buf if show_values else None
    n = len(buf)
    pos = src.start
    nrec = 0
    while pos < n:
        nominal = pos + chunk_bytes
        stop = n if nominal >= n else fmt.scanner.find_record_start(buf, nominal)
        scanned = _scan_pieces(fmt, buf, strict, workers, show, pos, stop, nrec, budget)
        chunk = _tokens(fmt, src, buf, scanned, show, record_base=nrec, begin=pos)
        nrec += chunk.n_records
        done, pos = pos, scanned[0]
        yield chunk
        release(owner, done, pos)


# A stream is read in windows of chunk_bytes + 2 * the longest record a format allows: a record that
# starts in the first chunk_bytes + that of a window ends inside it, so scanning the records that start
# there gives what scanning the whole stream gives. The rest of the window is carried over.
def _lookahead(fmt: Format) -> int:
    return fmt.max_record + 8


def _stream_chunks(src: Source, chunk_bytes: int, strict: bool, workers: int, show_values: bool, format, budget):
    carry = b""
    base, nrec = src.base, 0
    eof = False
    fmt = None
    while True:
        look = _lookahead(fmt) if fmt is not None else 0
        target = max(chunk_bytes + 2 * look, len(carry) + chunk_bytes) if fmt is not None else chunk_bytes
        pieces, size = [carry], len(carry)
        while size < target and not eof:
            b = src.read(max(target - size, 1 << 16))
            if not b:
                eof = True
                break
            pieces.append(b)
            size += len(b)
        data = b"".join(pieces)
        if fmt is None:
            if not data:
                return
            fmt = detect(np.frombuffer(data[:64], np.uint8), format)
            carry = data
            continue                                    # now read a full window
        if not data:
            return
        win = np.frombuffer(data, np.uint8)
        n = len(win)
        cut = n if eof else max(n - look, 0)
        show = win if show_values else None
        scanned = _scan_pieces(fmt, win, strict, workers, show, 0, cut, nrec, budget, base)
        end, parts, rec, err = scanned
        if not eof and len(err["end"]) and err["end"][-1] > cut and len(data) <= 4 * chunk_bytes + 2 * look:
            # A damaged span whose end (the next verified record start) lies past the safe part of
            # the window: its end may depend on bytes not read yet. It starts the next window.
            s = int(err["start"][-1])
            err = {k: v[:-1] for k, v in err.items()}
            if len(rec["start"]) and rec["start"][-1] == s and not rec["ok"][-1]:
                rec = {k: v[:-1] for k, v in rec.items()}
            end = s
        chunk = _tokens(fmt, src, win, (end, parts, rec, err), show, record_base=nrec, base=base)
        if chunk.n_records or chunk.errors:
            yield chunk
        if eof and end >= n:
            return                                      # (a token budget may stop a window short)
        nrec += chunk.n_records
        base += end
        carry = data[end:]


# ---------------------------------------------------------------------------------------------
# Byte ranges: where a range of a source begins, and the records that start in it. A distributed
# reader splits a file by bytes (dask.bytes.read_bytes, Hadoop's LineRecordReader): each range owns
# the records that start in it, its owner reads past its end to finish the last one, and the next
# range skips to its first record start. That start must be one the whole scan reaches: the first
# position after pos where a record parses may lie inside another record's text (a declarativa of
# up to 12,000 bytes may hold anything, a whole INTL record too), and a task cannot repair that
# afterwards as the threaded scan does (_stitch), since it never sees the neighbouring range.

def lookback_of(fmt: Format, lookback: Optional[int] = None) -> int:
    """The look-back window of ``align``: ``lookback`` or, by default, the longest record the format
    allows (INTL13: 999,999 bytes, the 6-digit ES length) plus a separator."""
    if lookback is None:
        return _lookahead(fmt)
    if int(lookback) < 1:
        raise UsageError("lookback must be positive")
    return int(lookback)


def align_in(fmt: Format, buf: np.ndarray, pos: int, *, lookback: Optional[int] = None,
             origin: Optional[int] = 0) -> int:
    """``align`` within a buffer (positions in it). ``origin``: where the source begins in ``buf``
    (None: the buffer is a window that begins after the source's first byte, so the chain cannot
    start at the source's beginning).

    The whole scan of a source is a chain: from a record's end it skips separators and parses the
    next record; from a damaged span it resumes at the next position where a record parses. The
    result is the first position >= ``pos`` on that chain (a record start, a damaged span's start, or
    separators before one: a range may begin there), found by following the chain from the first
    record that parses after ``pos - lookback``. Two chains that meet go on together; a chain begun
    at a false start (inside a declarativa's text) leaves it at the end of the record that holds it,
    and meets the true chain there. So with a look-back at least as long as the longest record, the
    result is the position the scan of the whole source reaches, and two tasks that align the same
    boundary agree on it whatever else they read."""
    n = len(buf)
    W = lookback_of(fmt, lookback)
    if origin is not None and pos <= origin:
        return origin
    if pos >= n:
        return n
    lo = pos - W
    if origin is not None and lo <= origin:
        c = origin                      # the chain from the source's beginning is the true one
    else:
        c = fmt.scanner.find_record_start(buf, max(lo, 0))
    if c >= pos:
        return c
    # Follow the chain (lenient: a damaged span is a step too) to the first position >= pos: the end
    # of the scan of the records that start in [c, pos).
    return int(fmt.scanner.scan_range(buf, c, pos, False)[0])


def align(source, pos: int, *, lookback: Optional[int] = None, format: Optional[str] = None) -> int:
    """The first verified record start at or after byte ``pos`` of a source (a path, a buffer, a file
    object; a stream is read whole): where a byte range of it may begin, so that the ranges
    ``[align(a), align(b))`` of consecutive ``a < b`` hold every record once, as the scan of the
    whole source has them (damaged spans too). Verified: records chain to it, each with an exact ES
    length, from the first record that parses in a look-back window before ``pos`` (``lookback``
    bytes, by default the longest record the format allows; a shorter one is exact for files whose
    records are all shorter). Returns the source's size when no record starts after ``pos``.
    Positions are offsets in the source."""
    src = _one(source)
    try:
        buf = src.read_all()
        fmt = detect(buf[src.start:], format)
        p = max(int(pos) - src.base, 0)
        return src.base + align_in(fmt, buf, p, lookback=lookback, origin=src.start)
    finally:
        src.close()


def scan_between(fmt: Format, buf: np.ndarray, a: int, b: int, strict: bool, *, workers: int = 1,
                 show_values: bool = False, base: int = 0, source: Optional[str] = None) -> Tokens:
    """The Tokens of the records of ``buf`` that start in [a, b) (aligned positions in buf, from
    ``align_in``); ``base``: the source offset of ``buf[0]`` (a window of a remote file), so that
    record and error offsets are positions in the source. ``record`` counts from 0 at ``a``."""
    show = buf if show_values else None
    scanned = _scan_buffer(fmt, buf, strict, _workers(workers), show, lo=a, hi=b, base=base)
    return Tokens(buf, fmt, scanned[1], scanned[2],
                  problems_from(scanned[3], fmt, values_of=show, base=base), base=base, source=source,
                  span=(base + a, base + scanned[0]))


def _one(source) -> Source:
    srcs = [s for i in expand(source) for s in open_source(i)]
    if len(srcs) != 1:
        for s in srcs:
            s.close()
        raise UsageError(f"a byte range is of one source, not {len(srcs)}")
    return srcs[0]


def _scan_range_of(source, start, stop, strict, workers, show_values, format, lookback) -> Tokens:
    src = _one(source)
    try:
        buf = src.read_all()
    finally:
        src.close()
    fmt = detect(buf[src.start:], format)
    n = len(buf)
    at = lambda p, default: default if p is None else min(max(int(p) - src.base, src.start), n)
    lo, hi = at(start, src.start), at(stop, n)
    if hi < lo:
        raise UsageError("stop must not be before start")
    a = align_in(fmt, buf, lo, lookback=lookback, origin=src.start)
    b = align_in(fmt, buf, hi, lookback=lookback, origin=src.start) if hi < n else n
    return scan_between(fmt, buf, a, max(a, b), strict, workers=workers, show_values=show_values,
                        base=src.base, source=src.name)
