"""The token index's buffers, for every format's compiled range scanner: growable token mappings,
records and problems, and their hand-over to numpy (arrays that own their memory). Also the Lane, a
range that another thread may split while it is scanned. No format knowledge here."""
from libc.stdint cimport INT64_MAX, int8_t, int32_t, int64_t, uint16_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy
cimport numpy as cnp
from cython cimport view

import numpy as np

cnp.import_array()

from mxbureau import buffers
from mxbureau.errors import SourceError

cdef extern from "<sys/mman.h>" nogil:
    void* mmap(void* addr, size_t length, int prot, int flags, int fd, long offset)
    int munmap(void* addr, size_t length)
    void* mremap(void* old_address, size_t old_size, size_t new_size, int flags, ...)
    int madvise(void* addr, size_t length, int advice)
    void* MAP_FAILED
    int PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_ANONYMOUS, MREMAP_MAYMOVE, MADV_HUGEPAGE, MADV_NOHUGEPAGE

cdef bint USE_HUGE_PAGES = buffers.HUGE_PAGES
cdef size_t HUGE_UPTO = buffers.HUGE_PAGES_UPTO
cdef object POOL = buffers.POOL

cdef enum:
    HUGE = 2 << 20          # token buffers are mapped in 2 MB (huge page) steps
    HUGE_FROM = 8 << 20     # and get huge pages from 8 MB
    SMALL_TOKENS = 8192     # a range expecting at most this many tokens scans into heap memory
    SMALL_COPY = 16384      # arrays up to this size are handed over as copies (see _wrap)

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


# ---------------------------------------------------------------------------------------------
# Reading a mapped file that shrinks under the reader: touching a page past the file's new end raises
# SIGBUS, which kills the process. Every compiled loop over a mapped input runs through guarded():
# a SIGBUS inside it jumps back out (siglongjmp) and the caller raises SourceError instead. A SIGBUS
# anywhere else goes to the handler that was there before (faulthandler's, say), or kills as before.
# The cost is one sigsetjmp (it saves the signal mask: one syscall) per call: per scanned range or
# decoded part, not per record.
cdef extern from *:
    """
    #include <setjmp.h>
    #include <signal.h>
    #include <string.h>
    #include <stdint.h>
    typedef struct { sigjmp_buf jb; } mxb_guard_t;
    static __thread mxb_guard_t* mxb_guard_cur = NULL;
    static struct sigaction mxb_prev_bus;
    static int mxb_bus_ready = 0;
    static void mxb_on_bus(int sig, siginfo_t* info, void* uc) {
        mxb_guard_t* g = mxb_guard_cur;
        if (g != NULL) { mxb_guard_cur = NULL; siglongjmp(g->jb, 1); }
        if ((mxb_prev_bus.sa_flags & SA_SIGINFO) && mxb_prev_bus.sa_sigaction != NULL) {
            mxb_prev_bus.sa_sigaction(sig, info, uc); return;
        }
        if (!(mxb_prev_bus.sa_flags & SA_SIGINFO) && mxb_prev_bus.sa_handler != SIG_DFL
                && mxb_prev_bus.sa_handler != SIG_IGN) { mxb_prev_bus.sa_handler(sig); return; }
        signal(SIGBUS, SIG_DFL); raise(SIGBUS);
    }
    static int mxb_bus_install(void) {
        struct sigaction sa;
        if (mxb_bus_ready) return 0;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = mxb_on_bus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &mxb_prev_bus) != 0) return -1;
        mxb_bus_ready = 1;
        return 0;
    }
    typedef int64_t (*mxb_guard_fn)(void*);
    static int64_t mxb_guarded(mxb_guard_fn fn, void* arg, int* faulted) {
        mxb_guard_t g;
        mxb_guard_t* prev = mxb_guard_cur;
        *faulted = 0;
        if (sigsetjmp(g.jb, 1)) { mxb_guard_cur = prev; *faulted = 1; return -3; }
        mxb_guard_cur = &g;
        int64_t r = fn(arg);
        mxb_guard_cur = prev;
        return r;
    }
    """
    int mxb_bus_install() noexcept nogil
    int64_t mxb_guarded(guard_fn fn, void* arg, int* faulted) noexcept nogil

# Whether this build allocates token buffers with malloc (debug: no skew, no pool); for the tests.
EXACT_ALLOC = bool(MXB_EXACT_ALLOC)
if SKEW_OFFSET % 8 or SKEW_LENGTH % 2 or SKEW_TAG % 2 or SKEW_SEG % 2 or max(SKEW_OFFSET, SKEW_LENGTH, SKEW_TAG, SKEW_SEG) >= HUGE:
    raise ImportError("mxbureau: a token array's skew must be a multiple of its item size, under a mapping step")

if mxb_bus_install() != 0:
    raise OSError("mxbureau: cannot install the SIGBUS handler")


cdef int64_t guarded(guard_fn fn, void* arg, int* faulted) noexcept nogil:
    return mxb_guarded(fn, arg, faulted)


cdef object input_changed():
    return SourceError("the input changed while it was read: the file was truncated or rewritten")


# ---------------------------------------------------------------------------------------------
# Growable buffers: double under a cap; on failure the old buffer stays valid and -1 is returned.

cdef inline void _unmap(void* p, size_t size, bint heap, size_t skew) noexcept nogil:
    """Free a token buffer by its data pointer p: a mapping (of size bytes, p skew bytes into it) is
    unmapped from its start; heap and debug-build buffers (malloc'd, no skew) are freed."""
    if MXB_EXACT_ALLOC or heap:
        free(p)
    else:
        munmap(<char*>p - skew, size)


# Where each token array starts in its mapping: the mappings start on 2 MB boundaries, so the three
# uint16 arrays, written at the same index, were always at the same place in a 4 KB page; their stores
# then stall (the likely cause: 4 KB aliasing, or the same L1 set; measured, not proven). scan() of a
# 1 GB file alone (fresh processes, this project's VM, old and new builds interleaved): 3.8-3.9 ns a
# byte, 2.8-2.9 of it user time, with the arrays at the same offset; 1.4-1.8 ns, user 0.44-0.57, with
# them 1, 2 and 3 KB apart. 50 MB scanned again and again in one process: 0.39-0.43 ns a byte both.
cdef enum:
    SKEW_OFFSET = 0
    SKEW_LENGTH = 1024
    SKEW_TAG = 2048
    SKEW_SEG = 3072


cdef inline size_t _map_size(Py_ssize_t cap, Py_ssize_t itemsize, size_t skew) noexcept nogil:
    return ((<size_t>(cap * itemsize) + skew + HUGE - 1) // HUGE) * HUGE


cdef int _map_grow(void** p, size_t* mapped, Py_ssize_t cap, Py_ssize_t itemsize, bint heap,
                   size_t skew) noexcept nogil:
    """Token buffers: private anonymous mappings in 2 MB steps (huge pages advised only with
    buffers.HUGE_PAGES), grown with mremap (no copy). Through malloc they came partly from the brk heap, which glibc trims on free:
    ~2,000 page faults and ~25 ms of kernel time per scan of the 57 MB corpus, against ~170 faults
    for the C walk writing into numpy memory (numpy advises huge pages too). Scratch buffers (heap)
    do use malloc: four mappings made and unmapped for one record made find_record_start cost
    29 us instead of 3 us, and each unmapping interrupts the other scanning threads (TLB shootdown).
    p[0] is the data: a mapped buffer's starts ``skew`` bytes into its mapping (heap and debug-build
    buffers ignore it)."""
    cdef size_t new_size = _map_size(cap, itemsize, skew)
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
        q = mremap(<char*>p[0] - skew, mapped[0], new_size, MREMAP_MAYMOVE)
    if q == MAP_FAILED:
        return -1
    cdef size_t lim = min(new_size, HUGE_UPTO)
    if USE_HUGE_PAGES and lim >= HUGE_FROM:
        # not for small buffers: zeroing 2 MB pages for a few tokens costs more than it saves
        madvise(q, lim, MADV_HUGEPAGE)
    if USE_HUGE_PAGES and new_size > lim:
        # nor past HUGE_UPTO (buffers.py): the tail of a mapping grown by mremap inherits the advice
        madvise(<char*>q + lim, new_size - lim, MADV_NOHUGEPAGE)
    p[0] = <char*>q + skew
    mapped[0] = new_size
    return 0


cdef int tok_reserve(TokBuf* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t cap
    if need <= t.cap:
        return 0
    cap = t.cap * 2 if t.cap else 1024
    while cap < need:
        cap *= 2
    if (_map_grow(<void**>&t.offset, &t.sz_offset, cap, 8, t.heap, SKEW_OFFSET)
            or _map_grow(<void**>&t.length, &t.sz_length, cap, 2, t.heap, SKEW_LENGTH)
            or _map_grow(<void**>&t.tag, &t.sz_tag, cap, 2, t.heap, SKEW_TAG)
            or _map_grow(<void**>&t.seg, &t.sz_seg, cap, 2, t.heap, SKEW_SEG)):
        return -1
    t.cap = cap
    return 0


cdef void tok_init(TokBuf* t, bint heap) noexcept nogil:
    t.offset = NULL; t.length = NULL; t.tag = NULL; t.seg = NULL
    t.sz_offset = 0; t.sz_length = 0; t.sz_tag = 0; t.sz_seg = 0
    t.n = 0; t.cap = 0; t.heap = heap


cdef void tok_free(TokBuf* t) noexcept nogil:
    if t.offset != NULL:
        _unmap(t.offset, t.sz_offset, t.heap, SKEW_OFFSET)
    if t.length != NULL:
        _unmap(t.length, t.sz_length, t.heap, SKEW_LENGTH)
    if t.tag != NULL:
        _unmap(t.tag, t.sz_tag, t.heap, SKEW_TAG)
    if t.seg != NULL:
        _unmap(t.seg, t.sz_seg, t.heap, SKEW_SEG)
    tok_init(t, t.heap)


cdef void _pool_give(void* p, size_t size, size_t skew):
    """Keep the mapping of a token buffer (data p, skew bytes in) for reuse, or free it."""
    if p == NULL:
        return
    if MXB_EXACT_ALLOC or not POOL.give(<size_t>p - skew, size):
        _unmap(p, size, False, skew)


cdef void* _pool_take(size_t need, size_t* got, size_t skew):
    """The data pointer (``skew`` bytes in) of a pooled mapping of at least need bytes (its size in
    got), or NULL."""
    if MXB_EXACT_ALLOC:
        return NULL
    item = POOL.take(need)
    if item is None:
        got[0] = 0
        return NULL
    got[0] = item[1]
    return <char*><size_t>item[0] + skew


cdef void tok_fill_from_pool(TokBuf* t, Py_ssize_t cap):
    """Give an empty t pooled mappings for cap tokens where the pool has them (GIL held); for a few
    tokens, heap memory instead: four 2 MB mappings taken from the pool and given back (a lock each)
    were ~12 of the 40 us that scan() of one 3.4 KB record took."""
    if cap <= SMALL_TOKENS:
        t.heap = True
        return
    # (a debug build's _pool_take gives NULL: its buffers are malloc'd, skew 0)
    t.offset = <int64_t*>_pool_take(_map_size(cap, 8, SKEW_OFFSET), &t.sz_offset, SKEW_OFFSET)
    t.length = <uint16_t*>_pool_take(_map_size(cap, 2, SKEW_LENGTH), &t.sz_length, SKEW_LENGTH)
    t.tag = <uint16_t*>_pool_take(_map_size(cap, 2, SKEW_TAG), &t.sz_tag, SKEW_TAG)
    t.seg = <uint16_t*>_pool_take(_map_size(cap, 2, SKEW_SEG), &t.sz_seg, SKEW_SEG)


cdef void rec_init(RecBuf* r) noexcept nogil:
    cdef int i
    r.start = NULL; r.end = NULL; r.tok_start = NULL; r.tok_end = NULL; r.kind = NULL; r.ok = NULL
    for i in range(N_INFO):
        r.info[i] = NULL
    r.n = 0; r.cap = 0


cdef void err_init(ErrBuf* e) noexcept nogil:
    e.start = NULL; e.end = NULL; e.offset = NULL; e.record = NULL; e.code = NULL; e.seg = NULL
    e.tag = NULL; e.a = NULL; e.b = NULL; e.n = 0; e.cap = 0


cdef int rec_reserve(RecBuf* r) noexcept nogil:
    """Room for one more record."""
    cdef Py_ssize_t cap
    cdef int i
    if r.n < r.cap:
        return 0
    cap = r.cap * 2 if r.cap else 16
    if (grow(<void**>&r.start, cap * 8) or grow(<void**>&r.end, cap * 8) or grow(<void**>&r.tok_start, cap * 8)
            or grow(<void**>&r.tok_end, cap * 8) or grow(<void**>&r.kind, cap) or grow(<void**>&r.ok, cap)):
        return -1
    for i in range(N_INFO):
        if grow(<void**>&r.info[i], cap * 4):
            return -1
    r.cap = cap
    return 0


cdef int err_reserve(ErrBuf* e) noexcept nogil:
    """Room for one more problem."""
    cdef Py_ssize_t cap
    if e.n < e.cap:
        return 0
    cap = e.cap * 2 if e.cap else 16
    if (grow(<void**>&e.start, cap * 8) or grow(<void**>&e.end, cap * 8) or grow(<void**>&e.offset, cap * 8)
            or grow(<void**>&e.record, cap * 8) or grow(<void**>&e.code, cap * 4) or grow(<void**>&e.seg, cap * 2)
            or grow(<void**>&e.tag, cap * 2) or grow(<void**>&e.a, cap * 8) or grow(<void**>&e.b, cap * 8)):
        return -1
    e.cap = cap
    return 0


cdef void free_all(TokBuf* t, RecBuf* r, ErrBuf* e) noexcept:
    cdef int i
    tok_free(t)
    free(r.start); free(r.end); free(r.tok_start); free(r.tok_end); free(r.kind); free(r.ok)
    for i in range(N_INFO):
        free(r.info[i])
    rec_init(r)
    free(e.start); free(e.end); free(e.offset); free(e.record); free(e.code); free(e.seg)
    free(e.tag); free(e.a); free(e.b)
    err_init(e)


# ---------------------------------------------------------------------------------------------
# Hand-over to numpy: arrays that own the memory they show.

cdef class _Mapped:
    """Owns one token buffer mapping; exposes it through the buffer protocol to numpy."""
    cdef void* ptr                # the data
    cdef size_t skew              # its place in the mapping
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
            _pool_give(self.ptr, self.size, self.skew)


cdef object _wrap_mapped(void* p, size_t size, Py_ssize_t n, Py_ssize_t itemsize, bytes fmt, object dtype,
                         size_t skew):
    """A numpy array over the first n items of a token mapping (p: its data, skew bytes in), which
    it owns."""
    cdef _Mapped m
    if p == NULL:
        return np.empty(0, dtype=dtype)
    if n == 0:
        _pool_give(p, size, skew)
        return np.empty(0, dtype=dtype)
    # The untouched tail is kept: it holds no memory, and a whole mapping back in the pool fits the
    # next scan of the same size (trimmed, the pool rarely matched).
    m = _Mapped.__new__(_Mapped)
    m.ptr = p
    m.skew = skew
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
    cdef cnp.ndarray out
    if n == 0:
        free(p)
        return np.empty(0, dtype=dtype)
    if n * itemsize <= SMALL_COPY:
        # copied into numpy's memory: a view.array and np.asarray over it cost ~1 us each, and a
        # scan hands over some 20 arrays (one 3.4 KB record: scan_range 26 -> 12 us)
        out = np.empty(n, dtype=dtype)
        memcpy(cnp.PyArray_DATA(out), p, n * itemsize)
        free(p)
        return out
    q = realloc(p, n * itemsize)
    if q != NULL:
        p = q
    a = view.array(shape=(n,), itemsize=itemsize, format=fmt, mode="c", allocate_buffer=False)
    a.data = <char*>p
    a.callback_free_data = free
    return np.asarray(a)


cdef object tokens_dict(TokBuf* t):
    """t's arrays as numpy (which now own them; t is left empty)."""
    if t.heap:
        out = {"offset": _wrap(t.offset, t.n, 8, "q", np.int64), "length": _wrap(t.length, t.n, 2, "H", np.uint16),
               "tag": _wrap(t.tag, t.n, 2, "H", np.uint16), "segment_tag": _wrap(t.seg, t.n, 2, "H", np.uint16)}
        tok_init(t, t.heap)
        return out
    out = {
        "offset": _wrap_mapped(t.offset, t.sz_offset, t.n, 8, b"q", np.int64, SKEW_OFFSET),
        "length": _wrap_mapped(t.length, t.sz_length, t.n, 2, b"H", np.uint16, SKEW_LENGTH),
        "tag": _wrap_mapped(t.tag, t.sz_tag, t.n, 2, b"H", np.uint16, SKEW_TAG),
        "segment_tag": _wrap_mapped(t.seg, t.sz_seg, t.n, 2, b"H", np.uint16, SKEW_SEG),
    }
    tok_init(t, t.heap)
    return out


cdef object records_dict(RecBuf* r, tuple info_names):
    """r's arrays as numpy, the format's numbers under ``info_names`` (r is left empty)."""
    cdef int i
    out = {
        "start": _wrap(r.start, r.n, 8, "q", np.int64),
        "end": _wrap(r.end, r.n, 8, "q", np.int64),
        "tok_start": _wrap(r.tok_start, r.n, 8, "q", np.int64),
        "tok_end": _wrap(r.tok_end, r.n, 8, "q", np.int64),
        "kind_code": _wrap(r.kind, r.n, 1, "b", np.int8),
        "ok": _wrap(r.ok, r.n, 1, "b", np.int8).view(np.bool_),
    }
    for i in range(N_INFO):
        if i < len(info_names):
            out[info_names[i]] = _wrap(r.info[i], r.n, 4, "i", np.int32)
        else:
            free(r.info[i])
    rec_init(r)
    return out


cdef object errors_dict(ErrBuf* e):
    """e's arrays as numpy (e is left empty)."""
    out = {
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
    err_init(e)
    return out


# ---------------------------------------------------------------------------------------------
# A range of a parallel scan. The scanning thread claims the input up to a claim's length at a time:
# it publishes "records starting below c are mine" and then reads the range's stop; it looks at stop
# again only when it reaches c. A thief stores a new stop m, then reads c, and has the split only if
# c <= m. Both sides use sequentially consistent atomics (Dekker's pattern), so one of them sees the
# other's store: either the thief sees a claim past m (and puts stop back), or the scanning thread
# sees m before it takes a record at or past m. An atomic exchange for every record cost 0.8% of a
# one-thread scan (~24k records, 31.0 vs 30.75 ms on the 57 MB corpus); one a claim (a 64th of the
# range, at most 64 KB) costs nothing measurable (30.73 vs 30.66 ms, within the noise).

cdef int range_open(RangeScan* g, Py_ssize_t n, Py_ssize_t start, Py_ssize_t stop, Lane lane,
                    Py_ssize_t max_tokens, Py_ssize_t expect_tokens, Py_ssize_t bytes_per_token) except -1:
    g.span = &g.own
    if lane is not None:
        g.span = &lane.span
        start = mxb_read(&g.span.claimed)
        stop = mxb_read(&g.span.stop)
    if not 0 <= start <= stop <= n:
        raise ValueError("scan range outside the buffer")
    g.own.claimed, g.own.stop = start, stop
    g.own.max_tokens = max_tokens if max_tokens > 0 else INT64_MAX
    tok_init(&g.t, False)
    rec_init(&g.r)
    err_init(&g.e)
    # Probe before allocating: reserving a little more than the format's density avoids growth, and
    # pages never written are never committed. Growth covers the rest.
    if expect_tokens <= 0:
        expect_tokens = (stop - start) // bytes_per_token + 64
        if max_tokens > 0:
            expect_tokens = min(expect_tokens, max_tokens + 4096)
    g.expect = expect_tokens
    tok_fill_from_pool(&g.t, expect_tokens)
    return 0


cdef object range_close(RangeScan* g, int64_t end, int faulted, object failure, tuple info_names):
    mxb_publish(&g.span.claimed, INT64_MAX)       # finished (or failed): nothing left to split
    if end == -2 or faulted:
        free_all(&g.t, &g.r, &g.e)
        if faulted:
            raise input_changed()
        raise MemoryError("mxbureau: out of memory while scanning")
    return end, tokens_dict(&g.t), records_dict(&g.r, info_names), errors_dict(&g.e), failure


cdef class Lane:
    """A range [start, stop) of a parallel scan, which another thread may split while it is being
    scanned (scanner.py's work stealing)."""

    def __init__(self, int64_t start, int64_t stop):
        self.start = start
        self.span.claimed = start
        self.span.stop = stop
        self.span.max_tokens = INT64_MAX

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
