"""Compiled INTL13 tokenizer: one pass over concatenated records into a flat, columnar token index.

Layout of the index (14 bytes a token: aim was <= 16 so the index never outweighs the input):
    offset int64   byte offset of the value in the scanned buffer
    length uint16  value length (CR text <= 12,000 fits)
    tag    uint16  field tag, first byte high ("TL" = 0x544C)
    seg    uint16  segment tag
The record of a token is not stored per token: records carry [tok_start, tok_end).

The semantics are those of mxbureau/reference.py (the pure-Python twin); the tests compare both on every
corpus. Status codes inside, exceptions at the boundary: the nogil loop fills a Fail struct and
scan.py raises mxbureau.FormatError.
"""
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memchr, memcmp


cdef extern from "<sys/mman.h>" nogil:
    void* mmap(void* addr, size_t length, int prot, int flags, int fd, long offset)
    int munmap(void* addr, size_t length)
    void* mremap(void* old_address, size_t old_size, size_t new_size, int flags, ...)
    int madvise(void* addr, size_t length, int advice)
    void* MAP_FAILED
    int PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_ANONYMOUS, MREMAP_MAYMOVE, MADV_HUGEPAGE

cimport cython
from cython cimport view

import os

import numpy as np

# Huge pages for the token buffers (57 MB corpus, this machine class): 1.1-1.3 GB/s per scan after
# the first scan of a process, which pays ~0.25 s once (the kernel assembling 2 MB pages);
# without: a steady 750-800 MB/s. Bulk jobs win; MXBUREAU_HUGEPAGES=0 turns them off.
cdef bint USE_HUGE_PAGES = os.environ.get("MXBUREAU_HUGEPAGES", "1") != "0"

cdef enum:
    MAX_RECORD = 999999     # ES length has at most 6 digits
    MAX_VALUE = 65535       # uint16 token length; the CR text is at most 12,000 by the manual
    HUGE = 2 << 20          # token buffers are mapped in 2 MB (huge page) steps
    HUGE_FROM = 8 << 20     # and get huge pages from 8 MB
    UPPER = 1
    DIGIT = 2

# Character classes as bit flags: CLS[a] & CLS[b] is UPPER when both are capitals, DIGIT when both are
# digits, 0 otherwise: one table lookup and one AND classify a tag (measured 9% faster scanning than
# two range comparisons per byte on the 55 MB benchmark corpus).
cdef uint8_t CLS[256]
cdef int _i
for _i in range(256):
    CLS[_i] = UPPER if 65 <= _i <= 90 else (DIGIT if 48 <= _i <= 57 else 0)

# Two length bytes (as the high half of a little-endian 32-bit load) -> their value. Only the
# 0x3030..0x3939 corner (~2.3 KB) is ever hot. Replaced 8 instructions a token of shifts, masks,
# subtractions and a multiply (callgrind, 6 MB corpus).
cdef uint8_t LEN16[65536]
for _i in range(65536):
    LEN16[_i] = ((_i & 0xFF) - 48) * 10 + ((_i >> 8) - 48) if (48 <= (_i & 0xFF) <= 57 and 48 <= (_i >> 8) <= 57) else 255

# Tag codes are little-endian: first byte low. Stored as the low half of the 32-bit load, with no
# byte swap; and tok.tag.view("S2") shows the tags as bytes.
cdef enum:
    TAG_ES = 69 | (83 << 8)
    TAG_CR = 67 | (82 << 8)
    TAG_00 = 48 | (48 << 8)
    TAG_01 = 48 | (49 << 8)


cdef struct TokBuf:
    int64_t* offset
    uint16_t* length
    uint16_t* tag
    uint16_t* seg
    size_t sz_offset        # mapped bytes of each array (a pooled mapping may exceed cap * itemsize)
    size_t sz_length
    size_t sz_tag
    size_t sz_seg
    Py_ssize_t n
    Py_ssize_t cap
    bint heap               # a scratch buffer (one record's tokens): malloc'd, not mapped


cdef struct RecBuf:
    int64_t* start
    int64_t* end
    int64_t* tok_start
    int64_t* tok_end
    int32_t* declared
    int8_t* kind
    int8_t* version
    int8_t* ok
    int8_t* cr
    int8_t* es_style
    Py_ssize_t n
    Py_ssize_t cap


cdef struct ErrBuf:
    int64_t* start
    int64_t* end
    int64_t* offset
    int64_t* record
    int32_t* code
    uint16_t* seg
    uint16_t* tag
    int64_t* a
    int64_t* b
    Py_ssize_t n
    Py_ssize_t cap


cdef struct Fail:
    int code
    int64_t offset
    uint16_t seg
    uint16_t tag
    int64_t a
    int64_t b
    int cr_alt


# A range being scanned whose end another thread may move closer (work stealing, scanner.py).
# The scanning thread claims the input up to CLAIM bytes at a time: it publishes "records starting below
# c are mine" and then reads the range's stop; it looks at stop again only when it reaches c. A
# thief stores a new stop m, then reads c, and has the split only if c <= m. Both sides use
# sequentially consistent atomics (Dekker's pattern), so one of them sees the other's store: either
# the thief sees a claim past m (and puts stop back), or the scanning thread sees m before it takes
# a record at or past m. An atomic exchange for every record cost 0.8% of a one-thread scan (~24k
# records, 31.0 vs 30.75 ms on the 57 MB corpus); one a claim (a 64th of the range, at most
# 64 KB) costs nothing measurable (30.73 vs 30.66 ms, within the noise).
cdef extern from *:
    """
    static inline void mxb_publish(int64_t* p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
    static inline int64_t mxb_read(const int64_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
    """
    void mxb_publish(int64_t* p, int64_t v) noexcept nogil
    int64_t mxb_read(const int64_t* p) noexcept nogil


cdef enum:
    CLAIM = 64 << 10


cdef struct Span:
    int64_t claimed   # records starting below it are the scan's (raised by the scanning thread)
    int64_t stop      # records starting at or past it are not the scan's (lowered by a thief)


cdef struct Info:
    int kind          # 0 hit, 1 nohit, 2 error, 3 consulta
    int version
    int64_t declared
    int cr            # 0 none, 1 text-length reading, 2 whole-segment reading
    int es_style      # 1 end mark under tag 01, 0 under tag 00 (old style)


# ---------------------------------------------------------------------------------------------
# Growable buffers: double under a cap; on failure the old buffer stays valid and -1 is returned.

# A debug build (setup.py, MXBUREAU_DEBUG=1, for fuzzing under ASan) allocates token buffers with
# malloc at their exact size and keeps no pool: ASan cannot see an overrun inside a 2 MB mapping.
cdef extern from *:
    """
    #ifdef MXB_DEBUG
    static const int MXB_EXACT_ALLOC = 1;
    #else
    static const int MXB_EXACT_ALLOC = 0;
    #endif
    """
    const int MXB_EXACT_ALLOC


cdef inline void _unmap(void* p, size_t size, bint heap=False) noexcept nogil:
    if MXB_EXACT_ALLOC or heap:
        free(p)
    else:
        munmap(p, size)


cdef int _grow(void** p, Py_ssize_t cap, Py_ssize_t itemsize) noexcept nogil:
    """Small buffers (records, problems): realloc."""
    cdef void* q = realloc(p[0], cap * itemsize)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef inline size_t _map_size(Py_ssize_t cap, Py_ssize_t itemsize) noexcept nogil:
    return ((<size_t>(cap * itemsize) + HUGE - 1) // HUGE) * HUGE


cdef int _map_grow(void** p, size_t* mapped, Py_ssize_t cap, Py_ssize_t itemsize, bint heap) noexcept nogil:
    """Token buffers: private anonymous mappings in 2 MB steps with huge pages advised, grown with
    mremap (no copy). Through malloc they came partly from the brk heap, which glibc trims on free:
    ~2,000 page faults and ~25 ms of kernel time per scan of the 57 MB corpus, against ~170 faults
    for the C walk writing into numpy memory (numpy advises huge pages too). Scratch buffers (heap)
    do use malloc: four mappings made and unmapped for one record made find_record_start cost
    29 us instead of 3 us, and each unmapping interrupts the other scanning threads (TLB shootdown)."""
    cdef size_t new_size = _map_size(cap, itemsize)
    cdef void* q
    if MXB_EXACT_ALLOC or heap:
        q = realloc(p[0], <size_t>(cap * itemsize))
        if q == NULL:
            return -1
        p[0] = q
        mapped[0] = <size_t>(cap * itemsize)
        return 0
    if new_size <= mapped[0]:
        return 0
    if p[0] == NULL:
        q = mmap(NULL, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    else:
        q = mremap(p[0], mapped[0], new_size, MREMAP_MAYMOVE)
    if q == MAP_FAILED:
        return -1
    if USE_HUGE_PAGES and new_size >= HUGE_FROM:
        # not for small buffers: zeroing 2 MB pages for a few tokens costs more than it saves
        madvise(q, new_size, MADV_HUGEPAGE)
    p[0] = q
    mapped[0] = new_size
    return 0


cdef int tok_reserve(TokBuf* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t cap
    if need <= t.cap:
        return 0
    cap = t.cap * 2 if t.cap else 1024
    while cap < need:
        cap *= 2
    if (_map_grow(<void**>&t.offset, &t.sz_offset, cap, 8, t.heap)
            or _map_grow(<void**>&t.length, &t.sz_length, cap, 2, t.heap)
            or _map_grow(<void**>&t.tag, &t.sz_tag, cap, 2, t.heap)
            or _map_grow(<void**>&t.seg, &t.sz_seg, cap, 2, t.heap)):
        return -1
    t.cap = cap
    return 0


cdef void tok_free(TokBuf* t) noexcept nogil:
    if t.offset != NULL:
        _unmap(t.offset, t.sz_offset, t.heap)
    if t.length != NULL:
        _unmap(t.length, t.sz_length, t.heap)
    if t.tag != NULL:
        _unmap(t.tag, t.sz_tag, t.heap)
    if t.seg != NULL:
        _unmap(t.seg, t.sz_seg, t.heap)
    tok_init(t, t.heap)


cdef void tok_init(TokBuf* t, bint heap=False) noexcept nogil:
    t.offset = NULL; t.length = NULL; t.tag = NULL; t.seg = NULL
    t.sz_offset = 0; t.sz_length = 0; t.sz_tag = 0; t.sz_seg = 0
    t.n = 0; t.cap = 0; t.heap = heap


# ---------------------------------------------------------------------------------------------
# A pool of released token mappings (GIL held): a bulk job scanning chunk after chunk, or the same
# file again, reuses pages already faulted in instead of faulting and zeroing fresh ones each time.
# Bounded; MXBUREAU_POOL_MB sets the bound (0: no pool); release_pool() empties it.
cdef size_t POOL_CAP = <size_t>int(os.environ.get("MXBUREAU_POOL_MB", "512")) << 20
cdef list _pool = []             # [(address, size)]
cdef size_t _pool_bytes = 0


cdef void _pool_give(void* p, size_t size):
    global _pool_bytes
    if p == NULL:
        return
    if not MXB_EXACT_ALLOC and _pool_bytes + size <= POOL_CAP:
        _pool.append((<size_t>p, size))
        _pool_bytes += size
    else:
        _unmap(p, size)


cdef void* _pool_take(size_t need, size_t* got):
    """The smallest pooled mapping of at least need bytes, or NULL."""
    global _pool_bytes
    cdef Py_ssize_t best = -1, i
    cdef size_t size, best_size = 0
    for i in range(len(_pool)):
        size = _pool[i][1]
        if size >= need and (best < 0 or size < best_size):
            best, best_size = i, size
    if best < 0:
        return NULL
    addr, size = _pool.pop(best)
    _pool_bytes -= size
    got[0] = size
    return <void*><size_t>addr


def release_pool():
    """Unmap every pooled token buffer."""
    global _pool_bytes
    while _pool:
        addr, size = _pool.pop()
        munmap(<void*><size_t>addr, size)
    _pool_bytes = 0


cdef void _pool_fill(TokBuf* t, Py_ssize_t cap):
    """Give t pooled mappings for cap tokens where the pool has them (GIL held)."""
    cdef size_t got = 0
    t.offset = <int64_t*>_pool_take(_map_size(cap, 8), &t.sz_offset)
    t.length = <uint16_t*>_pool_take(_map_size(cap, 2), &t.sz_length)
    t.tag = <uint16_t*>_pool_take(_map_size(cap, 2), &t.sz_tag)
    t.seg = <uint16_t*>_pool_take(_map_size(cap, 2), &t.sz_seg)
    if t.offset == NULL:
        t.sz_offset = 0
    if t.length == NULL:
        t.sz_length = 0
    if t.tag == NULL:
        t.sz_tag = 0
    if t.seg == NULL:
        t.sz_seg = 0


cdef int rec_reserve(RecBuf* r) noexcept nogil:
    cdef Py_ssize_t cap
    if r.n < r.cap:
        return 0
    cap = r.cap * 2 if r.cap else 256
    if (_grow(<void**>&r.start, cap, 8) or _grow(<void**>&r.end, cap, 8) or _grow(<void**>&r.tok_start, cap, 8)
            or _grow(<void**>&r.tok_end, cap, 8) or _grow(<void**>&r.declared, cap, 4)
            or _grow(<void**>&r.kind, cap, 1) or _grow(<void**>&r.version, cap, 1) or _grow(<void**>&r.ok, cap, 1)
            or _grow(<void**>&r.cr, cap, 1) or _grow(<void**>&r.es_style, cap, 1)):
        return -1
    r.cap = cap
    return 0


cdef int err_reserve(ErrBuf* e) noexcept nogil:
    cdef Py_ssize_t cap
    if e.n < e.cap:
        return 0
    cap = e.cap * 2 if e.cap else 16
    if (_grow(<void**>&e.start, cap, 8) or _grow(<void**>&e.end, cap, 8) or _grow(<void**>&e.offset, cap, 8)
            or _grow(<void**>&e.record, cap, 8) or _grow(<void**>&e.code, cap, 4) or _grow(<void**>&e.seg, cap, 2)
            or _grow(<void**>&e.tag, cap, 2) or _grow(<void**>&e.a, cap, 8) or _grow(<void**>&e.b, cap, 8)):
        return -1
    e.cap = cap
    return 0


cdef inline int _fail(Fail* f, int code, int64_t offset, uint16_t seg, uint16_t tag, int64_t a, int64_t b) noexcept nogil:
    f.code = code
    f.offset = offset
    f.seg = seg
    f.tag = tag
    f.a = a
    f.b = b
    return -1


cdef inline bint _seg_start(const uint8_t* d, int64_t n, int64_t e) noexcept nogil:
    """2 capitals + 2 digits at e: what follows a CR text under a valid reading."""
    return e + 4 <= n and (CLS[d[e]] & CLS[d[e + 1]]) == UPPER and (CLS[d[e + 2]] & CLS[d[e + 3]]) == DIGIT


# ---------------------------------------------------------------------------------------------
# One record. Returns its end (> s), -1 with f filled, or -2 on memory exhaustion. Tokens are
# appended to t; the caller rolls t.n back on failure.
#
# Hot path (measured on the 57 MB corpus, where 9 fields in 10 are numeric-tagged): the 4 bytes
# TAG LEN of a numeric field are checked as digits with one SWAR expression; segment starts, CR, ES
# and every problem take the slow path. Token capacity is reserved once per record (a record of B
# bytes has at most B/4 tokens; unused reservation is never touched, so never committed).

cdef inline uint32_t _load4(const uint8_t* p) noexcept nogil:
    # byte-by-byte little-endian assembly: compilers emit a single load on little-endian machines
    return <uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef inline int _len2(const uint8_t* p) noexcept nogil:
    """Two ASCII digits -> 0..99; anything else -> 255."""
    return LEN16[p[0] | (p[1] << 8)]


cdef inline bint _all_digits4(uint32_t w) noexcept nogil:
    # Each byte in '0'..'9': w - '0' borrows (bit 7) below '0', w + 0x46 reaches bit 7 above '9',
    # and bytes >= 0x80 show bit 7 themselves. Borrows only spread from an invalid byte.
    return (((w - 0x30303030u) | (w + 0x46464646u) | w) & 0x80808080u) == 0


cdef int64_t parse_es(const uint8_t* d, int64_t n, int64_t s, int64_t q, int64_t limit, TokBuf* t,
                      Py_ssize_t tn, Info* info, Fail* f) noexcept nogil:
    """The ES segment from its first field at q: declared length, control number, ** end mark."""
    cdef uint8_t c0, c1, cls
    cdef uint16_t tag
    cdef int L, k
    cdef int64_t v, es_pos = -1, count
    cdef bint first = True
    while True:
        if not first:
            if q > limit:
                return _fail(f, 12, s + MAX_RECORD + 1, TAG_ES, 0, MAX_RECORD, 0)
            if q + 4 > n:
                return _fail(f, 2, q, TAG_ES, 0, 4, n - q)
        c0 = d[q]
        c1 = d[q + 1]
        cls = CLS[c0] & CLS[c1]
        tag = c0 | (c1 << 8)
        if cls == UPPER:
            if not first:
                return _fail(f, 11, q, TAG_ES, tag, 0, 0)
        elif cls != DIGIT:
            return _fail(f, 3, q, TAG_ES, 0, 0, 0)
        first = False
        L = _len2(d + q + 2)
        if L > 99:
            return _fail(f, 4, q + 2, TAG_ES, tag, 0, 0)
        v = q + 4
        if v + L > n:
            return _fail(f, 2, q, TAG_ES, tag, L + 4, n - q)
        t.offset[tn] = v
        t.length[tn] = L
        t.tag[tn] = tag
        t.seg[tn] = TAG_ES
        tn += 1
        if tag == TAG_ES:
            if L < 1 or L > 6:
                return _fail(f, 9, v, TAG_ES, TAG_ES, 0, 0)
            count = 0
            for k in range(L):
                if CLS[d[v + k]] != DIGIT:
                    return _fail(f, 9, v, TAG_ES, TAG_ES, 0, 0)
                count = count * 10 + (d[v + k] - 48)
            info.declared = count
            es_pos = v
        elif (tag == TAG_01 or tag == TAG_00) and L == 2 and d[v] == 42 and d[v + 1] == 42:
            info.es_style = 1 if tag == TAG_01 else 0
            if info.declared != v + 2 - s:
                return _fail(f, 10, es_pos, TAG_ES, TAG_ES, info.declared, v + 2 - s)
            t.n = tn
            return v + 2
        q = v + L


cdef int64_t parse_record(const uint8_t* d, int64_t n, int64_t s, TokBuf* t, Info* info,
                          Fail* f, bint cr_b) noexcept nogil:
    cdef int64_t q, v, c, tt, ta, tb, T, limit, guard, count
    cdef uint16_t tag, seg = 0
    cdef uint8_t c0, c1, cls
    cdef uint32_t w
    cdef int L, k
    cdef bint va, vb
    # The token buffer lives in locals: a store through t.offset[t.n] may alias t.n (extensions build
    # with -fno-strict-aliasing), which made the compiler reload both after every token.
    cdef int64_t* o_off
    cdef uint16_t* o_len
    cdef uint16_t* o_tag
    cdef uint16_t* o_seg
    cdef Py_ssize_t tn = t.n
    f.cr_alt = 0
    info.cr = 0
    info.es_style = -1
    info.declared = -1
    info.version = -1
    if s + 4 > n:
        if memcmp(d + s, b"INTL", n - s) == 0 or memcmp(d + s, b"ERRR", n - s) == 0:
            return _fail(f, 2, s, 0, 0, 4, n - s)
        return _fail(f, 1, s, 0, 0, 0, 0)
    if memcmp(d + s, b"INTL", 4) == 0:
        if s + 49 > n:
            return _fail(f, 2, s, 0, 0, 49, n - s)
        if (CLS[d[s + 4]] & CLS[d[s + 5]]) != DIGIT:
            return _fail(f, 5, s + 4, 0, 0, 0, 0)
        info.version = (d[s + 4] - 48) * 10 + (d[s + 5] - 48)
        if d[s + 31] == 77 and d[s + 32] == 88:          # "MX": response
            if d[s + 47] == 49:
                info.kind = 0
            elif d[s + 47] == 48:
                info.kind = 1
            else:
                return _fail(f, 7, s + 47, 0, 0, 0, 0)
            q = s + 49
        elif s + 88 <= n and d[s + 34] == 77 and d[s + 35] == 88:
            info.kind = 3
            q = s + 88
        else:
            if s + 88 > n:
                return _fail(f, 2, s, 0, 0, 88, n - s)
            return _fail(f, 6, s + 31, 0, 0, 0, 0)
    elif memcmp(d + s, b"ERRR", 4) == 0:
        info.kind = 2
        q = s + 4
    else:
        return _fail(f, 1, s, 0, 0, 0, 0)

    limit = s + MAX_RECORD
    guard = limit if limit < n - 4 else n - 4
    # Capacity for every token this record can hold (fields take >= 4 bytes).
    if tok_reserve(t, tn + (((limit + 5 if limit + 5 < n else n) - q) >> 2) + 2):
        return -2
    o_off = t.offset
    o_len = t.length
    o_tag = t.tag
    o_seg = t.seg
    while True:
        if q > guard:
            if q > limit:
                return _fail(f, 12, s + MAX_RECORD + 1, seg, 0, MAX_RECORD, 0)
            return _fail(f, 2, q, seg, 0, 4, n - q)
        w = _load4(d + q)
        if _all_digits4(w) and seg != 0:
            # a numeric field of the current segment
            L = LEN16[w >> 16]
            v = q + 4
            if v + L > n:
                return _fail(f, 2, q, seg, <uint16_t>w, L + 4, n - q)
            o_off[tn] = v
            o_len[tn] = L
            o_tag[tn] = <uint16_t>w
            o_seg[tn] = seg
            tn += 1
            q = v + L
            continue
        # slow path: a segment start, or a problem
        c0 = d[q]
        c1 = d[q + 1]
        cls = CLS[c0] & CLS[c1]
        tag = c0 | (c1 << 8)
        if cls == DIGIT:
            if seg == 0:
                return _fail(f, 8, q, 0, 0, 0, 0)
            return _fail(f, 4, q + 2, seg, tag, 0, 0)     # digits tag, so the length is bad
        if cls != UPPER:
            return _fail(f, 3, q, seg, 0, 0, 0)
        seg = tag
        L = _len2(d + q + 2)
        if L > 99:
            return _fail(f, 4, q + 2, seg, tag, 0, 0)
        v = q + 4
        if tag == TAG_ES:
            return parse_es(d, n, s, q, limit, t, tn, info, f)
        if tag == TAG_CR and info.kind <= 1 and (L == 4 or L == 5):
            if v + L > n:
                return _fail(f, 2, q, TAG_CR, TAG_CR, L + 4, n - q)
            count = 0
            for k in range(L):
                if CLS[d[v + k]] != DIGIT:
                    return _fail(f, 13, v, TAG_CR, TAG_CR, 0, 0)
                count = count * 10 + (d[v + k] - 48)
            c = v + L
            if c + 4 > n:
                return _fail(f, 2, c, TAG_CR, TAG_00, 4, n - c)
            if memcmp(d + c, b"0000", 4) != 0:
                return _fail(f, 14, c, TAG_CR, TAG_00, 0, 0)
            tt = c + 4
            ta = count
            tb = count - (8 + L)
            va = 0 < ta <= MAX_VALUE and _seg_start(d, n, tt + ta)
            vb = 0 < tb <= MAX_VALUE and _seg_start(d, n, tt + tb)
            if cr_b:
                if not vb:
                    return _fail(f, 15, v, TAG_CR, TAG_CR, 0, 0)
                T = tb
                info.cr = 2
            elif va:
                T = ta
                info.cr = 1
                f.cr_alt = vb
            elif vb:
                T = tb
                info.cr = 2
            else:
                if tt + (ta if ta > tb else tb) + 4 > n:
                    return _fail(f, 2, tt, TAG_CR, TAG_00, (ta if ta > tb else tb) + 4, n - tt)
                return _fail(f, 15, v, TAG_CR, TAG_CR, 0, 0)
            o_off[tn] = v
            o_len[tn] = L
            o_tag[tn] = TAG_CR
            o_seg[tn] = TAG_CR
            o_off[tn + 1] = tt
            o_len[tn + 1] = <uint16_t>T
            o_tag[tn + 1] = TAG_00
            o_seg[tn + 1] = TAG_CR
            tn += 2
            q = tt + T
            continue
        if v + L > n:
            return _fail(f, 2, q, seg, tag, L + 4, n - q)
        o_off[tn] = v
        o_len[tn] = L
        o_tag[tn] = tag
        o_seg[tn] = seg
        tn += 1
        q = v + L


cdef int64_t try_record(const uint8_t* d, int64_t n, int64_t s, TokBuf* t, Info* info, Fail* f) noexcept nogil:
    """parse_record with the CR rule: a record that fails after taking reading A while reading B
    was also possible is parsed again with B. On failure, f holds reading A's problem."""
    cdef Py_ssize_t t0 = t.n
    cdef int64_t end = parse_record(d, n, s, t, info, f, False)
    cdef Fail f2
    if end == -1 and f.cr_alt:
        t.n = t0
        end = parse_record(d, n, s, t, info, &f2, True)
        if end == -1:
            t.n = t0
    elif end < 0:
        t.n = t0
    return end


cdef int64_t verified_start(const uint8_t* d, int64_t n, int64_t p, TokBuf* scratch) noexcept nogil:
    """The first position >= p where a record parses with an exact ES; n if none. Uses scratch
    as its token buffer (reset each try). -2 on memory exhaustion."""
    cdef Info info
    cdef Fail f
    cdef int64_t r, c
    cdef const uint8_t* hit
    while p + 4 <= n:
        # Candidates start with I (INTL) or E (ERRR): memchr for each, take the nearer one.
        hit = <const uint8_t*>memchr(d + p, 73, n - p)
        c = n if hit == NULL else hit - d
        hit = <const uint8_t*>memchr(d + p, 69, (c if c < n else n) - p)
        if hit != NULL:
            c = hit - d
        if c + 4 > n:
            return n
        if memcmp(d + c, b"INTL", 4) == 0 or memcmp(d + c, b"ERRR", 4) == 0:
            scratch.n = 0
            r = try_record(d, n, c, scratch, &info, &f)
            if r == -2:
                return -2
            if r > 0:
                return c
        p = c + 1
    return n


cdef inline bint _is_sep(uint8_t c) noexcept nogil:
    return c == 10 or c == 13 or c == 19


cdef int64_t scan_loop(const uint8_t* d, int64_t n, Span* span, bint strict,
                       TokBuf* t, RecBuf* r, ErrBuf* e, Fail* f, TokBuf* scratch) noexcept nogil:
    """Scan records that start in [span.claimed, span.stop) (a record may run past stop, up to n;
    stop may be lowered meanwhile by another thread). Returns the position after the last record or
    damaged span; -1 strict failure (f filled, f.a/f.b kept); -2 on memory exhaustion."""
    cdef Info info
    cdef int64_t s, end, q
    cdef int64_t pos = span.claimed
    cdef int64_t claimed = pos
    cdef int64_t stop = mxb_read(&span.stop)
    # A 64th of the range, 256 bytes to CLAIM: small ranges can be split too (the tests' and the
    # fuzzer's inputs are a few KB)
    cdef int64_t claim = min(max((stop - pos) >> 6, 256), <int64_t>CLAIM)
    cdef Py_ssize_t t0, k
    while True:
        while pos < stop and _is_sep(d[pos]):
            pos += 1
        if pos >= claimed:
            claimed = pos + claim
            mxb_publish(&span.claimed, claimed)
            stop = mxb_read(&span.stop)
        if pos >= stop:
            return pos
        s = pos
        t0 = t.n
        end = try_record(d, n, s, t, &info, f)
        if end == -2 or rec_reserve(r):
            return -2
        if end > 0:
            k = r.n
            r.start[k] = s
            r.end[k] = end
            r.tok_start[k] = t0
            r.tok_end[k] = t.n
            r.declared[k] = <int32_t>info.declared
            r.kind[k] = info.kind
            r.version[k] = info.version
            r.ok[k] = 1
            r.cr[k] = info.cr
            r.es_style[k] = info.es_style
            r.n += 1
            pos = end
            continue
        if strict:
            return -1
        q = verified_start(d, n, s + 1, scratch)
        if q == -2 or err_reserve(e):
            return -2
        k = e.n
        e.start[k] = s
        e.end[k] = q
        e.offset[k] = f.offset
        e.record[k] = r.n
        e.code[k] = f.code
        e.seg[k] = f.seg
        e.tag[k] = f.tag
        e.a[k] = f.a
        e.b[k] = f.b
        e.n += 1
        if n - s >= 4 and (memcmp(d + s, b"INTL", 4) == 0 or memcmp(d + s, b"ERRR", 4) == 0):
            # The damaged record keeps its row (ok = 0, no tokens) so record indices stay aligned
            # with the source; its kind is read from the header when the header is whole.
            k = r.n
            r.start[k] = s
            r.end[k] = q
            r.tok_start[k] = t0
            r.tok_end[k] = t0
            r.declared[k] = -1
            r.kind[k] = _kind_guess(d, n, s)
            r.version[k] = -1
            r.ok[k] = 0
            r.cr[k] = 0
            r.es_style[k] = -1
            r.n += 1
        pos = q


cdef int8_t _kind_guess(const uint8_t* d, int64_t n, int64_t s) noexcept nogil:
    """What a damaged record looks like (the twin's _kind_guess: the fuzzer found them disagreeing
    on a consulta cut short inside its 88-byte header)."""
    if s + 4 <= n and memcmp(d + s, b"ERRR", 4) == 0:
        return 2
    if s + 33 <= n and d[s + 31] == 77 and d[s + 32] == 88:
        if s + 48 <= n and d[s + 47] == 49:
            return 0
        if s + 48 <= n and d[s + 47] == 48:
            return 1
        return -1
    if s + 36 <= n and d[s + 34] == 77 and d[s + 35] == 88:
        return 3
    return -1


# ---------------------------------------------------------------------------------------------
# GIL side: allocate, release the GIL around the loop, hand the buffers to numpy.

cdef class _Mapped:
    """Owns one token buffer mapping; exposes it through the buffer protocol to numpy."""
    cdef void* ptr
    cdef size_t size
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]
    cdef bytes fmt

    def __getbuffer__(self, Py_buffer* buf, int flags):
        buf.buf = self.ptr
        buf.obj = self
        buf.len = self.shape[0] * self.strides[0]
        buf.readonly = 0
        buf.itemsize = self.strides[0]
        buf.format = self.fmt
        buf.ndim = 1
        buf.shape = self.shape
        buf.strides = self.strides
        buf.suboffsets = NULL
        buf.internal = NULL

    def __releasebuffer__(self, Py_buffer* buf):
        pass

    def __dealloc__(self):
        if self.ptr != NULL:
            _pool_give(self.ptr, self.size)


cdef object _wrap_mapped(void* p, size_t size, Py_ssize_t n, Py_ssize_t itemsize, bytes fmt, object dtype):
    """A numpy array over the first n items of a token mapping, which it owns."""
    cdef _Mapped m
    if p == NULL:
        return np.empty(0, dtype=dtype)
    if n == 0:
        _pool_give(p, size)
        return np.empty(0, dtype=dtype)
    # The untouched tail is kept: it holds no memory, and a whole mapping back in the pool fits the
    # next scan of the same size (trimmed, the pool rarely matched).
    m = _Mapped.__new__(_Mapped)
    m.ptr = p
    m.size = size
    m.shape[0] = n
    m.strides[0] = itemsize
    m.fmt = fmt
    return np.asarray(m)


cdef object _wrap(void* p, Py_ssize_t n, Py_ssize_t itemsize, str fmt, object dtype):
    """A numpy array that owns p (freed with the array). Shrinks p to n items first (realloc of a
    large block is an mremap: no copy)."""
    cdef view.array a
    cdef void* q
    if n == 0:
        free(p)
        return np.empty(0, dtype=dtype)
    q = realloc(p, n * itemsize)
    if q != NULL:
        p = q
    a = view.array(shape=(n,), itemsize=itemsize, format=fmt, mode="c", allocate_buffer=False)
    a.data = <char*>p
    a.callback_free_data = free
    return np.asarray(a)


cdef void _free_all(TokBuf* t, RecBuf* r, ErrBuf* e) noexcept:
    tok_free(t)
    free(r.start); free(r.end); free(r.tok_start); free(r.tok_end); free(r.declared)
    free(r.kind); free(r.version); free(r.ok); free(r.cr); free(r.es_style)
    free(e.start); free(e.end); free(e.offset); free(e.record); free(e.code); free(e.seg)
    free(e.tag); free(e.a); free(e.b)


cdef class Lane:
    """A range [start, stop) of a parallel scan, which another thread may split while it is being
    scanned (scanner.py's work stealing)."""
    cdef Span span
    cdef readonly int64_t start

    def __init__(self, int64_t start, int64_t stop):
        self.start = start
        self.span.claimed = start
        self.span.stop = stop

    @property
    def claimed(self):
        """Records starting below this position are the scan's (it has reached about here)."""
        return mxb_read(&self.span.claimed)

    @property
    def stop(self):
        return mxb_read(&self.span.stop)

    def split(self, int64_t m):
        """Make the scan end at its first record start at or past m (a verified record start).
        True if it will; False if it has claimed past m (stop is then put back: a scan that read
        the lowered stop in the meantime ends early, and scanner.py scans the gap it leaves)."""
        cdef int64_t old = mxb_read(&self.span.stop)
        if m >= old:
            return False
        mxb_publish(&self.span.stop, m)
        if mxb_read(&self.span.claimed) <= m:
            return True
        mxb_publish(&self.span.stop, old)
        return False


def scan_range(const uint8_t[::1] buf, Py_ssize_t start, Py_ssize_t stop, bint strict,
               Py_ssize_t expect_tokens=0, Lane lane=None):
    """Scan the records of ``buf`` that start in [start, stop) -- or in a lane's range, which may
    shrink while it is scanned. Returns (end, tokens, records, errors, failure): dicts of numpy
    arrays, and on a strict failure (code, offset, seg, tag, a, b, record) with record relative to
    this range."""
    cdef Span own
    cdef Span* span = &own
    cdef TokBuf t
    cdef RecBuf r
    cdef ErrBuf e
    cdef TokBuf scratch
    cdef Fail f
    cdef int64_t end
    cdef int64_t n = buf.shape[0]
    cdef const uint8_t* d = &buf[0] if n > 0 else <const uint8_t*>b""
    if lane is not None:
        span = &lane.span
        start = mxb_read(&span.claimed)
        stop = mxb_read(&span.stop)
    if not 0 <= start <= stop <= n:
        raise ValueError("scan range outside the buffer")
    own.claimed, own.stop = start, stop
    tok_init(&t)
    tok_init(&scratch, True)
    r.start = NULL; r.end = NULL; r.tok_start = NULL; r.tok_end = NULL; r.declared = NULL
    r.kind = NULL; r.version = NULL; r.ok = NULL; r.cr = NULL; r.es_style = NULL; r.n = 0; r.cap = 0
    e.start = NULL; e.end = NULL; e.offset = NULL; e.record = NULL; e.code = NULL; e.seg = NULL
    e.tag = NULL; e.a = NULL; e.b = NULL; e.n = 0; e.cap = 0
    # Probe before allocating: realistic files have ~1 token per 10 bytes; reserving 1 per 8 avoids
    # growth, and pages never written are never committed. Growth covers the rest.
    if expect_tokens <= 0:
        expect_tokens = (stop - start) // 8 + 64
    _pool_fill(&t, expect_tokens)
    with nogil:
        if tok_reserve(&t, expect_tokens) == 0:
            end = scan_loop(d, n, span, strict, &t, &r, &e, &f, &scratch)
        else:
            end = -2
        mxb_publish(&span.claimed, INT64_MAX)      # finished (or failed): nothing left to split
    tok_free(&scratch)
    if end == -2:
        _free_all(&t, &r, &e)
        raise MemoryError("mxbureau: out of memory while scanning")
    failure = None
    if end == -1:
        failure = (f.code, f.offset, f.seg, f.tag, f.a, f.b, r.n)
    tokens = {
        "offset": _wrap_mapped(t.offset, t.sz_offset, t.n, 8, b"q", np.int64),
        "length": _wrap_mapped(t.length, t.sz_length, t.n, 2, b"H", np.uint16),
        "tag": _wrap_mapped(t.tag, t.sz_tag, t.n, 2, b"H", np.uint16),
        "segment_tag": _wrap_mapped(t.seg, t.sz_seg, t.n, 2, b"H", np.uint16),
    }
    records = {
        "start": _wrap(r.start, r.n, 8, "q", np.int64),
        "end": _wrap(r.end, r.n, 8, "q", np.int64),
        "tok_start": _wrap(r.tok_start, r.n, 8, "q", np.int64),
        "tok_end": _wrap(r.tok_end, r.n, 8, "q", np.int64),
        "declared_length": _wrap(r.declared, r.n, 4, "i", np.int32),
        "kind_code": _wrap(r.kind, r.n, 1, "b", np.int8),
        "version": _wrap(r.version, r.n, 1, "b", np.int8),
        "ok": _wrap(r.ok, r.n, 1, "b", np.int8).view(np.bool_),
        "cr_reading": _wrap(r.cr, r.n, 1, "b", np.int8),
        "es_style": _wrap(r.es_style, r.n, 1, "b", np.int8),
    }
    errors = {
        "start": _wrap(e.start, e.n, 8, "q", np.int64),
        "end": _wrap(e.end, e.n, 8, "q", np.int64),
        "offset": _wrap(e.offset, e.n, 8, "q", np.int64),
        "record": _wrap(e.record, e.n, 8, "q", np.int64),
        "code": _wrap(e.code, e.n, 4, "i", np.int32),
        "segment_tag": _wrap(e.seg, e.n, 2, "H", np.uint16),
        "tag": _wrap(e.tag, e.n, 2, "H", np.uint16),
        "a": _wrap(e.a, e.n, 8, "q", np.int64),
        "b": _wrap(e.b, e.n, 8, "q", np.int64),
    }
    return end, tokens, records, errors, failure


def find_record_start(const uint8_t[::1] buf, Py_ssize_t pos):
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none):
    where a parallel range or a chunk may begin."""
    cdef TokBuf scratch
    cdef int64_t n = buf.shape[0]
    cdef int64_t q
    if pos >= n:
        return n
    tok_init(&scratch, True)
    with nogil:
        q = verified_start(&buf[0], n, pos, &scratch)
    tok_free(&scratch)
    if q == -2:
        raise MemoryError("mxbureau: out of memory while scanning")
    return q
