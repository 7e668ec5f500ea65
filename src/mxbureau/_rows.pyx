"""Segment rows as Python values, straight from the token index, for Report (reports()): per record,
per table slot, one dict per segment occurrence, each value typed as the tables type it
(text and codes str, numbers int, dates datetime.date, bad values None). No Arrow, no format
knowledge: the lookup tables are a Decoding's (tables.py), the ones the table decoder (_decode.pyx)
reads, and the placement of values (repeated tags, short readings, values too long) follows its
passes A and B row by row. What a format adds after decoding (code spellings, an amount's negative
codes, its own columns) is the caller's, but for two the caller hands in as data (Rows' extras).

Against the tables (build_tables, then pylist a column and a dict a row): one 3.4 KB hit record's
reports() 1.8 ms -> 0.1 ms, of which this kernel is ~22 us (18 rows, 361 values; placing them
alone, build=False, 2.7 us: the Python objects are the rest, ~60 ns a value set in its dict)."""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.datetime cimport date_new, import_datetime
from cpython.dict cimport PyDict_Copy, PyDict_SetItem
from cpython.long cimport PyLong_FromLongLong
from cpython.unicode cimport PyUnicode_DecodeLatin1
from libc.stdint cimport int8_t, int16_t, int64_t, uint8_t, uint16_t
from libc.stdio cimport snprintf
from libc.string cimport memcpy, strlen

from mxbureau._index cimport guarded, input_changed
from mxbureau._values cimport digits_or_blanks, next_start, parse_dmy, parse_int

from mxbureau import _decode

import_datetime()

# The decoder's kind codes and column slots (one definition, _decode.pyx's).
cdef int K_TEXT = _decode.KIND_TEXT
cdef int K_INT = _decode.KIND_INT
cdef int K_AMOUNT = _decode.KIND_AMOUNT
cdef int K_DATE = _decode.KIND_DATE
cdef int K_CODE2 = _decode.KIND_CODE2
cdef int K_CODE = _decode.KIND_CODE
cdef int K_DIGITS = _decode.KIND_DIGITS
cdef int SINK = _decode.UNKNOWN_COLUMN
cdef int SKIP = _decode.SKIPPED_COLUMN

cdef enum:
    MAXF = 64               # _decode.MAX_FIELDS (checked at import below)

if _decode.MAX_FIELDS != MAXF:
    raise ImportError("_rows: the decoder's column slots changed")


cdef object _value(int kind, const uint8_t* p, int64_t L):
    """One value typed as its column: None where the tables have a null."""
    cdef int64_t x
    cdef int y, m, d
    if kind == K_TEXT or kind == K_CODE:
        return PyUnicode_DecodeLatin1(<const char*>p, L, NULL)
    if kind == K_CODE2:
        return PyUnicode_DecodeLatin1(<const char*>p, L, NULL) if L <= 2 else None
    if kind == K_DIGITS:
        return PyUnicode_DecodeLatin1(<const char*>p, L, NULL) if digits_or_blanks(p, L) else None
    if kind == K_INT or kind == K_AMOUNT:
        if parse_int(p, L, kind == K_AMOUNT, &x):
            return PyLong_FromLongLong(x)
        return None
    if kind == K_DATE:
        if parse_dmy(p, L, &d, &m, &y) == 1:
            return date_new(y, m, d)
        return None
    raise ValueError("field_kind: not a decoder kind")


cdef struct CopyCall:
    const uint8_t* src
    uint8_t* dst
    int64_t n


cdef int64_t _copy_call(void* a) noexcept nogil:
    cdef CopyCall* c = <CopyCall*>a
    memcpy(c.dst, c.src, c.n)
    return 0


def copy_span(const uint8_t[::1] buf, int64_t lo, int64_t hi):
    """bytes(buf[lo:hi]), the copy guarded against a memory-mapped input shrinking under it (a file
    truncated while read): the rows and the caller's headers then read this copy only."""
    cdef CopyCall c
    cdef int faulted = 0
    if not 0 <= lo <= hi <= buf.shape[0]:
        raise ValueError("copy_span: a range of the buffer")
    out = PyBytes_FromStringAndSize(NULL, hi - lo)
    if hi > lo:
        c.src, c.dst, c.n = &buf[lo], <uint8_t*>PyBytes_AS_STRING(out), hi - lo
        with nogil:
            guarded(_copy_call, &c, &faulted)
        if faulted:
            raise input_changed()
    return out


cdef class Rows:
    """A Decoding's lookup tables, held once (a typed memoryview costs ~0.5 us to take: one record's
    rows are ~25 us in all), and per table slot s: ``names[s]``, its columns' names (the decoder's
    columns); ``templates[s]``, a dict of every column of its table in the table's order, all None
    (None: no rows wanted for the slot); ``extras[s]``, what some columns add to a row after their
    value, as (column, kind, key, arg) tuples: ``"map"``, d[key] = arg.get(value) (a column the
    format computes from another by a table); ``"negative"``, a negative amount moves to d[key] as
    its code, "-" and arg digits (Field.negative: -9 -> "-009"), the column keeping None. ``take``:
    kind code (as uint8) -> 1 for the record kinds decoded. ``rows(...)`` then decodes records."""
    cdef const int16_t[::1] seg_lut
    cdef const int8_t[:, ::1] field_lut
    cdef const int8_t[:, ::1] field_kind
    cdef const uint16_t[:, ::1] field_max
    cdef const int8_t[:, ::1] field_longer
    cdef const int8_t[:, ::1] field_again
    cdef int8_t take[256]
    cdef list names
    cdef list templates
    cdef list extras
    cdef int nseg
    cdef int nfs[256]
    cdef uint8_t extra[256][MAXF]      # 1 where a column has extras

    def __init__(self, const int16_t[::1] seg_lut, const int8_t[:, ::1] field_lut, const int8_t[:, ::1] field_kind,
                 const uint16_t[:, ::1] field_max, const int8_t[:, ::1] field_longer,
                 const int8_t[:, ::1] field_again, const int8_t[::1] take, list names, list templates,
                 list extras):
        cdef int s, nf, k
        self.nseg = len(names)
        if (self.nseg > 256 or len(templates) != self.nseg or len(extras) != self.nseg or seg_lut.shape[0] < 65536
                or take.shape[0] != 256 or field_lut.shape[0] < self.nseg or field_lut.shape[1] < 65536
                or field_kind.shape[0] < self.nseg or field_kind.shape[1] < MAXF
                or field_max.shape[0] < self.nseg or field_max.shape[1] < MAXF
                or field_longer.shape[0] < self.nseg or field_longer.shape[1] < MAXF
                or field_again.shape[0] < self.nseg or field_again.shape[1] < MAXF):
            raise ValueError("the field tables do not fit the decoder's column slots")
        for k in range(256):
            self.take[k] = take[k]
        for s in range(self.nseg):
            nf = 0
            while nf < SKIP and field_kind[s, nf] >= 0:
                nf += 1
            if not isinstance(names[s], tuple) or len(names[s]) != nf:
                raise ValueError("names: a tuple of the slot's column names")
            if templates[s] is not None and not isinstance(templates[s], dict):
                raise ValueError("templates: a dict a slot, or None")
            self.nfs[s] = nf
            for k in range(MAXF):
                self.extra[s][k] = 0
            for col, kind, key, arg in extras[s]:
                if not 0 <= col < nf or kind not in ("map", "negative") or not isinstance(key, str):
                    raise ValueError("extras: (column, 'map' | 'negative', key, arg)")
                if kind == "map" and not isinstance(arg, dict) or kind == "negative" and not 0 < arg < 20:
                    raise ValueError("extras: a dict to map by, or the digits of a negative code")
                self.extra[s][col] = 1
        self.seg_lut, self.field_lut, self.field_kind = seg_lut, field_lut, field_kind
        self.field_max, self.field_longer, self.field_again = field_max, field_longer, field_again
        self.names, self.templates, self.extras = names, templates, [tuple(e) for e in extras]

    def rows(self, bytes data, int64_t lo, const int64_t[::1] off, const uint16_t[::1] ln,
             const uint16_t[::1] tag, int64_t tok_base, const int64_t[::1] tok_start,
             const int64_t[::1] tok_end, const int8_t[::1] kind_code, const uint8_t[::1] ok,
             Py_ssize_t r0, Py_ssize_t r1, bint build=True):
        """The rows of records r0..r1 (those of a kind taken and ok): -> (rows, left_out). rows[k]
        (record r0 + k): None for a record with no rows, else a list with an entry per slot, None
        (no occurrence) or the list of its occurrences' dicts in order. The tokens (offset, length,
        tag) are one part of a token index: record r's are tok_start[r] - tok_base ..
        tok_end[r] - tok_base. ``data`` holds the input from byte ``lo`` on (copy_span). left_out:
        the values a strict read raises on (longer than their field's maximum, or a tag repeated
        past the spec). ``build=False`` only counts those (rows is None)."""
        cdef Py_ssize_t r, i, a, b, e
        cdef const uint8_t* dp = <const uint8_t*>PyBytes_AS_STRING(data)
        cdef int64_t ndata = len(data)
        cdef const uint16_t* tagp = &tag[0] if tag.shape[0] else NULL
        cdef const int64_t* offp = &off[0] if off.shape[0] else NULL
        cdef const uint16_t* lnp = &ln[0] if ln.shape[0] else NULL
        cdef Py_ssize_t ntok = tag.shape[0], nrec = tok_start.shape[0]
        cdef int64_t M[MAXF]
        cdef uint16_t ML[MAXF]
        cdef int s, f, nf, lg
        cdef int64_t o, L, x, left = 0
        cdef const int8_t* frow
        cdef const int8_t* again
        cdef const int8_t* kinds
        cdef const uint16_t* fmax
        cdef const int8_t* longer
        cdef const uint8_t* extra
        cdef tuple names
        cdef dict tmpl, d
        cdef list rec, occ, out
        cdef char code[32]
        if off.shape[0] != ntok or ln.shape[0] != ntok:
            raise ValueError("rows: token arrays of one length")
        if (tok_end.shape[0] != nrec or kind_code.shape[0] != nrec or ok.shape[0] != nrec
                or not 0 <= r0 <= r1 <= nrec):
            raise ValueError("rows: record arrays of one length, and a range of them")
        out = [None] * (r1 - r0) if build else None
        for r in range(r0, r1):
            if not (ok[r] and self.take[<uint8_t>kind_code[r]]):
                continue
            a, e = tok_start[r] - tok_base, tok_end[r] - tok_base
            if not 0 <= a <= e <= ntok:
                raise ValueError("rows: a record's tokens outside the token arrays")
            rec = None
            a = next_start(tagp, a, e)
            while a < e:
                b = next_start(tagp, a + 1, e)
                s = self.seg_lut[tagp[a]]
                if s < 0 or s >= self.nseg:
                    a = b
                    continue
                nf = self.nfs[s]
                frow = &self.field_lut[s, 0]
                again = &self.field_again[s, 0]
                # pass A (the decoder's): where each column's value is, -1 absent; unknown tags map
                # to SINK, tags passed over to SKIP, both never free
                for f in range(nf):
                    M[f] = -1
                for i in range(a, b):
                    f = frow[tagp[i]]
                    if f >= SKIP:
                        continue                           # an unknown tag (a problem) or one passed over
                    if M[f] >= 0:
                        while M[f] >= 0 and again[f] >= 0:
                            f = again[f]
                        if M[f] >= 0:
                            left += 1                      # repeated past what the spec allows
                            continue
                    M[f] = offp[i]
                    ML[f] = lnp[i]
                # pass B: column by column; a value longer than its field allows to the column of
                # the tag's longer reading (after it) when free, else left out
                kinds = &self.field_kind[s, 0]
                fmax = &self.field_max[s, 0]
                longer = &self.field_longer[s, 0]
                extra = &self.extra[s][0]
                # a row: a copy of the slot's template (every column, in the table's order, None) and
                # the values present set in it (a TL row has ~20 of its 46 columns)
                tmpl = self.templates[s]
                d = PyDict_Copy(tmpl) if build and tmpl is not None else None
                names = self.names[s]
                for f in range(nf):
                    o = M[f]
                    if o < 0:
                        continue
                    L = ML[f]
                    if L > fmax[f]:
                        lg = longer[f]
                        if lg >= 0 and M[lg] < 0:
                            M[lg] = o
                            ML[lg] = <uint16_t>L
                        else:
                            left += 1
                        continue
                    if d is None:
                        continue
                    o -= lo
                    if o < 0 or o + L > ndata:
                        raise ValueError("rows: a value outside the bytes given")
                    v = _value(kinds[f], dp + o, L)
                    if v is None:
                        continue
                    PyDict_SetItem(d, names[f], v)
                    if extra[f]:
                        for col, kind, key, arg in self.extras[s]:
                            if col != f:
                                continue
                            if kind == "map":
                                w = (<dict>arg).get(v)
                                if w is not None:
                                    PyDict_SetItem(d, key, w)
                            else:
                                x = v
                                if x < 0:
                                    PyDict_SetItem(d, names[f], None)
                                    snprintf(code, 32, "-%0*lld", <int>arg, <long long>(-x))
                                    PyDict_SetItem(d, key, PyUnicode_DecodeLatin1(code, strlen(code), NULL))
                if d is not None:
                    if rec is None:
                        rec = [None] * self.nseg
                        out[r - r0] = rec
                    occ = rec[s]
                    if occ is None:
                        rec[s] = [d]
                    else:
                        occ.append(d)
                a = b
        return out, left
