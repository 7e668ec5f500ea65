# The token index a format's compiled range scanner fills (any format: the scanner writes fields,
# records and problems here, the core turns them into Tokens). Implemented in _index.pyx.
from libc.stdint cimport int8_t, int32_t, int64_t, uint16_t
from libc.stdlib cimport realloc


cdef inline int grow(void** p, size_t nbytes) noexcept nogil:
    """realloc p to nbytes; -1 (p untouched, still valid) when memory runs out."""
    cdef void* q = realloc(p[0], nbytes)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef enum:
    N_INFO = 4              # format-defined numbers per record (RecBuf.info)


# One entry per field: where its value is, how long, its tag and its segment's tag (14 bytes).
# Mapped arrays (not heap, not a debug build's) start SKEW_* bytes into their mappings (_index.pyx):
# the pointers are the data, the sz_* fields the mappings' sizes.
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


# One entry per record: its bytes, its tokens, its kind (a code of the format's), whether it parsed,
# and up to N_INFO numbers the format names (a declared length, a version...).
cdef struct RecBuf:
    int64_t* start
    int64_t* end
    int64_t* tok_start
    int64_t* tok_end
    int8_t* kind
    int8_t* ok
    int32_t* info[N_INFO]
    Py_ssize_t n
    Py_ssize_t cap


# One entry per damaged span (lenient mode).
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


# A range being scanned whose end another thread may move closer (work stealing, scanner.py). The
# scanning thread raises ``claimed`` (records starting below it are its own) and then reads ``stop``;
# a thief lowers ``stop`` and then reads ``claimed``: see _index.pyx. ``max_tokens``: the scan also
# ends at the first record start where it holds this many tokens (a chunk's token budget, scanner.py).
cdef struct Span:
    int64_t claimed
    int64_t stop
    int64_t max_tokens


cdef extern from *:
    """
    static inline void mxb_publish(int64_t* p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
    static inline int64_t mxb_read(const int64_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
    """
    void mxb_publish(int64_t* p, int64_t v) noexcept nogil
    int64_t mxb_read(const int64_t* p) noexcept nogil


# A call that reads a memory-mapped input, guarded against the input shrinking under it (a file
# truncated or rewritten while it is read: the kernel's SIGBUS): ``guarded`` returns fn(arg), or -3
# with faulted set when the input vanished under fn (whose buffers are then to be freed, not used).
ctypedef int64_t (*guard_fn)(void*) noexcept nogil
cdef int64_t guarded(guard_fn fn, void* arg, int* faulted) noexcept nogil
cdef object input_changed()

cdef int tok_reserve(TokBuf* t, Py_ssize_t need) noexcept nogil
cdef void tok_init(TokBuf* t, bint heap) noexcept nogil
cdef void tok_free(TokBuf* t) noexcept nogil
cdef void tok_fill_from_pool(TokBuf* t, Py_ssize_t cap)
cdef int rec_reserve(RecBuf* r) noexcept nogil
cdef int err_reserve(ErrBuf* e) noexcept nogil
cdef void rec_init(RecBuf* r) noexcept nogil
cdef void err_init(ErrBuf* e) noexcept nogil
cdef void free_all(TokBuf* t, RecBuf* r, ErrBuf* e) noexcept
cdef object tokens_dict(TokBuf* t)
cdef object records_dict(RecBuf* r, tuple info_names)
cdef object errors_dict(ErrBuf* e)


cdef class Lane:
    cdef Span span
    cdef readonly int64_t start


# What every format's scan_range sets up and hands over: the range (its own span, or a lane's), the
# token, record and problem buffers. range_open checks the range and reserves about a token every
# ``bytes_per_token`` bytes (the format's density); range_close hands the buffers to numpy, or frees
# them and raises when the scan ran out of memory or the input changed under it.
cdef struct RangeScan:
    Span own
    Span* span
    TokBuf t
    RecBuf r
    ErrBuf e
    Py_ssize_t expect

cdef int range_open(RangeScan* g, Py_ssize_t n, Py_ssize_t start, Py_ssize_t stop, Lane lane,
                    Py_ssize_t max_tokens, Py_ssize_t expect_tokens, Py_ssize_t bytes_per_token) except -1
cdef object range_close(RangeScan* g, int64_t end, int faulted, object failure, tuple info_names)


cdef inline int days_in_month(int y, int m) noexcept nogil:
    """Days in month m of year y (Gregorian): the date checks of the decoder and of the scanners."""
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31
