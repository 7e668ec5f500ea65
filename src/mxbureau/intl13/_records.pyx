# cython: language_level=3
"""The INTL13 records table's per-record columns from the header bytes and the scanner's numbers,
in one compiled pass (records.py drives it, passing the header's positions and catalogues as data).

About 60 numpy calls a table were most of the records table of one 3.4 KB record (~0.73M
instructions, callgrind); the pass is one call whatever the number of records."""
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint16_t

import numpy as np

cimport numpy as cnp

from mxbureau._index cimport guarded, input_changed
from mxbureau._values cimport prefetch, stripped_utf8, to_utf8

cnp.import_array()


cdef struct TextPass:
    # The header's three text fields (reference, member code, bureau indicator: fixed width, blanks
    # stripped) and the control number (ES tag 00, kept exactly) of every record, as large_string
    # offsets and UTF-8 data; a field only where its valid flag is set.
    const uint8_t* bp
    int64_t nbuf
    Py_ssize_t n
    const int64_t* at[3]
    const uint8_t* valid[3]
    int64_t width[3]
    const int64_t* ref_width      # the reference's width a record (an error record's: its token's)
    int64_t* offsets[4]
    uint8_t* data[4]
    const int64_t* ctl_off
    const uint16_t* ctl_len
    const uint8_t* ctl_valid


cdef int64_t _text_pass(void* a) noexcept nogil:
    """TextPass, record by record (a record's header and its ES are a cache miss each: both are
    prefetched 8 records ahead, as _decode.fixed_text did: 1.07 -> 0.78 ms for 24k records); -1 when
    a field lies outside the buffer."""
    cdef TextPass* c = <TextPass*>a
    cdef Py_ssize_t j
    cdef int k
    cdef int64_t o, L
    cdef int64_t p[4]
    for k in range(4):
        p[k] = 0
        c.offsets[k][0] = 0
    for j in range(c.n):
        if j + 8 < c.n:
            prefetch(c.bp + c.at[0][j + 8])
            prefetch(c.bp + c.ctl_off[j + 8])
        for k in range(3):
            if c.valid[k][j]:
                o = c.at[k][j]
                L = c.ref_width[j] if k == 0 else c.width[k]
                if o < 0 or o + L > c.nbuf:
                    return -1
                p[k] += stripped_utf8(c.data[k] + p[k], c.bp + o, L)
            c.offsets[k][j + 1] = p[k]
        if c.ctl_valid[j]:
            o, L = c.ctl_off[j], c.ctl_len[j]
            if o < 0 or o + L > c.nbuf:
                return -1
            p[3] += to_utf8(c.data[3] + p[3], c.bp + o, L)
        c.offsets[3][j + 1] = p[3]
    return 0


def header_columns(const uint8_t[::1] buf, int64_t base, const int64_t[::1] start, const int64_t[::1] end,
                   const int8_t[::1] kind_code, const uint8_t[::1] ok, const int32_t[::1] version,
                   const int32_t[::1] declared, const int32_t[::1] cr_reading, const int32_t[::1] es_style,
                   const int64_t[::1] ctl_off, const uint16_t[::1] ctl_len, object head_at, object err_ref,
                   tuple codes, tuple positions, tuple widths, const int32_t[::1] indicator_code,
                   const uint8_t[::1] has_data_lut, int nbureaus, int32_t unknown_kind):
    """Every column of the records table. ``start``/``end``: the records' offsets in the source (``base``: the source offset
    of buf[0]); ``codes``: (hit, nohit, consulta, error) kind codes; ``positions``: (reference,
    member code of a response, member code of a consulta, bureau indicator) offsets in the header;
    ``head_at``: where each record's INTL header starts in buf (None: at the record's start; -1: none,
    a consulta whose PN was not found), ``err_ref``: (offsets, lengths), per record the value of its
    first token, an error record's reference when that token opens its UR or AR segment (length -1
    where it does not, or where the value is longer than the reference's width: null; read for error
    records only; None when there are none); ``widths``: the reference's, the
    member code's and the indicator's; ``ctl_off``/``ctl_len``: per record the value of its
    next-to-last token, the control number of a parsed record whose ES is new-style (``es_style`` 1;
    read for those only). Returns None when a parsed consulta or error record needs the head_at or
    err_ref not given, else a dict of arrays: hdr (whole header), resp (a response's header),
    ref_valid, found, found_valid, bureaus (int32 [nbureaus, n], -1 null), has_data, kind, length,
    version (int8), version_valid, declared (int64), declared_valid, cr (int32, -1 null), ctl_valid;
    and reference, member, indicator, control: each the (int64 offsets, UTF-8 data) of a
    large_string column, valid where ref_valid, hdr, resp, ctl_valid are (latin-1 decoded; the
    header's fields stripped of blanks, the control number kept exactly). The five numpy calls and
    three compiled calls this replaced were ~9 us of one 3.4 KB record's records table, timed apart;
    in this pass the table went 31.9 -> 29.7 us."""
    cdef Py_ssize_t n = start.shape[0], j, k
    cdef int8_t HIT = codes[0], NOHIT = codes[1], CONS = codes[2], ERR = codes[3]
    cdef int64_t P_REF = positions[0], P_RMEM = positions[1], P_QMEM = positions[2], P_IND = positions[3]
    cdef int64_t nbuf = buf.shape[0], s, h, at
    cdef int8_t kc
    cdef bint is_resp, is_cons, good, live, data
    cdef uint8_t b
    cdef const int64_t[::1] head
    cdef const int64_t[::1] eref
    cdef const int64_t[::1] elen
    if (end.shape[0] != n or kind_code.shape[0] != n or ok.shape[0] != n or version.shape[0] != n
            or declared.shape[0] != n or cr_reading.shape[0] != n or es_style.shape[0] != n
            or ctl_off.shape[0] != n or ctl_len.shape[0] != n):
        raise ValueError("header_columns: the record arrays differ in length")
    cdef int64_t W_REF = widths[0], W_MEM = widths[1], W_IND = widths[2]
    if not (0 < W_REF <= 1000 and 0 < W_MEM <= 1000 and 0 < W_IND <= 1000):
        raise ValueError("header_columns: the text fields' widths")
    if indicator_code.shape[0] != 256 or has_data_lut.shape[0] != 256 or not 0 < nbureaus <= 4:
        raise ValueError("header_columns: a 256-entry table a byte, and 1-4 bureaus")
    if head_at is not None:
        head = head_at
        if head.shape[0] != n:
            raise ValueError("header_columns: head_at, an offset a record")
    if err_ref is not None:
        eref, elen = err_ref
        if eref.shape[0] != n or elen.shape[0] != n:
            raise ValueError("header_columns: err_ref, an offset and a length a record")
    cdef cnp.ndarray member_at_np, ind_at_np, ref_at_np, hdr_np, resp_np, ref_valid_np, found_np, found_valid_np
    cdef cnp.ndarray has_data_np, bureaus_np, kind_np, length_np, version_np, version_valid_np, declared_np
    cdef cnp.ndarray declared_valid_np, cr_np
    member_at_np, ind_at_np, ref_at_np = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    hdr_np, resp_np, ref_valid_np = np.empty(n, np.uint8), np.empty(n, np.uint8), np.empty(n, np.uint8)
    found_np, found_valid_np, has_data_np = np.empty(n, np.uint8), np.empty(n, np.uint8), np.empty(n, np.uint8)
    bureaus_np = np.empty((nbureaus, n), np.int32)
    kind_np, length_np = np.empty(n, np.int32), np.empty(n, np.int64)
    version_np, version_valid_np = np.empty(n, np.int8), np.empty(n, np.uint8)
    declared_np, declared_valid_np, cr_np = np.empty(n, np.int64), np.empty(n, np.uint8), np.empty(n, np.int32)
    cdef cnp.ndarray ctl_valid_np = np.empty(n, np.uint8)
    cdef cnp.ndarray ref_w_np = np.empty(n, np.int64)
    cdef int64_t* ref_w = <int64_t*>cnp.PyArray_DATA(ref_w_np)
    # raw pointers into the fresh arrays: a typed memoryview each was ~1.5k instructions, ~30k a call
    cdef int64_t* member_at = <int64_t*>cnp.PyArray_DATA(member_at_np)
    cdef int64_t* ind_at = <int64_t*>cnp.PyArray_DATA(ind_at_np)
    cdef int64_t* ref_at = <int64_t*>cnp.PyArray_DATA(ref_at_np)
    cdef int64_t* length = <int64_t*>cnp.PyArray_DATA(length_np)
    cdef int64_t* declared_o = <int64_t*>cnp.PyArray_DATA(declared_np)
    cdef uint8_t* hdr = <uint8_t*>cnp.PyArray_DATA(hdr_np)
    cdef uint8_t* resp = <uint8_t*>cnp.PyArray_DATA(resp_np)
    cdef uint8_t* ref_valid = <uint8_t*>cnp.PyArray_DATA(ref_valid_np)
    cdef uint8_t* found = <uint8_t*>cnp.PyArray_DATA(found_np)
    cdef uint8_t* found_valid = <uint8_t*>cnp.PyArray_DATA(found_valid_np)
    cdef uint8_t* has_data = <uint8_t*>cnp.PyArray_DATA(has_data_np)
    cdef uint8_t* version_valid = <uint8_t*>cnp.PyArray_DATA(version_valid_np)
    cdef uint8_t* declared_valid = <uint8_t*>cnp.PyArray_DATA(declared_valid_np)
    cdef int32_t* bureaus = <int32_t*>cnp.PyArray_DATA(bureaus_np)
    cdef int32_t* kind = <int32_t*>cnp.PyArray_DATA(kind_np)
    cdef int32_t* cr = <int32_t*>cnp.PyArray_DATA(cr_np)
    cdef int8_t* version_o = <int8_t*>cnp.PyArray_DATA(version_np)
    cdef uint8_t* ctl_valid = <uint8_t*>cnp.PyArray_DATA(ctl_valid_np)
    cdef int64_t ctl_bytes = 0
    for j in range(n):
        kc = kind_code[j]
        good = ok[j] != 0
        is_resp = kc == HIT or kc == NOHIT
        is_cons = kc == CONS
        s = start[j] - base                              # the record's position in buf
        h = s
        if is_cons and good:
            if head_at is None:
                return None
            h = head[j]
        hdr[j] = good and (is_resp or (is_cons and h >= 0))
        if h < 0:
            h = 0
        member_at[j] = h + (P_RMEM if is_resp else P_QMEM)
        ind_at[j] = s + P_IND
        resp[j] = hdr[j] and is_resp
        ref_at[j] = h + P_REF
        ref_valid[j] = hdr[j]
        ref_w[j] = W_REF
        if kc == ERR and good:
            if err_ref is None:
                return None
            ref_at[j] = eref[j]
            ref_valid[j] = 0 <= elen[j] <= W_REF
            ref_w[j] = elen[j] if ref_valid[j] else 0
        found[j] = kc == HIT
        found_valid[j] = is_resp and good
        # the Anexo 14 indicator: a labelled column per bureau, null where it is 0000 (an Informe
        # Buró's reserved zeros) or the byte is not in the catalogue; has_data: found, or a bureau's
        # hit or extended report (valid for responses)
        data = kc == HIT
        live = False
        if resp[j]:
            if s + P_IND + 4 > nbuf or s + P_IND < 0:
                raise ValueError("header_columns: a response's header past the buffer")
            for k in range(4):
                if buf[s + P_IND + k] != 48:
                    live = True
        for k in range(nbureaus):
            bureaus[k * n + j] = -1
            if live:
                b = buf[s + P_IND + k]
                bureaus[k * n + j] = indicator_code[b]
                if has_data_lut[b]:
                    data = True
        has_data[j] = data
        kind[j] = unknown_kind if kc < 0 else kc
        length[j] = end[j] - start[j]
        version_o[j] = <int8_t>version[j]
        version_valid[j] = version[j] >= 0
        declared_o[j] = declared[j]
        declared_valid[j] = declared[j] >= 0
        cr[j] = cr_reading[j] - 1
        ctl_valid[j] = good and es_style[j] == 1
        if ctl_valid[j]:
            ctl_bytes += 2 * ctl_len[j]
    # the text columns: room for each value as UTF-8 (two bytes a latin-1 byte at most)
    cdef TextPass c
    cdef int faulted = 0
    cdef int64_t rc
    offsets_np = [np.empty(n + 1, np.int64) for _ in range(4)]
    data_np = [np.empty(2 * n * W_REF + 1, np.uint8), np.empty(2 * n * W_MEM + 1, np.uint8),
               np.empty(2 * n * W_IND + 1, np.uint8), np.empty(ctl_bytes + 1, np.uint8)]
    c.bp = &buf[0] if nbuf else NULL
    c.nbuf, c.n = nbuf, n
    c.at[0], c.at[1], c.at[2] = ref_at, member_at, ind_at
    c.valid[0], c.valid[1], c.valid[2] = ref_valid, hdr, resp
    c.width[0], c.width[1], c.width[2] = W_REF, W_MEM, W_IND
    c.ref_width = ref_w
    for k in range(4):
        c.offsets[k] = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>offsets_np[k])
        c.data[k] = <uint8_t*>cnp.PyArray_DATA(<cnp.ndarray>data_np[k])
    c.ctl_off = &ctl_off[0] if n else NULL
    c.ctl_len = &ctl_len[0] if n else NULL
    c.ctl_valid = ctl_valid
    with nogil:
        rc = guarded(_text_pass, &c, &faulted)
    if faulted:
        raise input_changed()
    if rc:
        raise ValueError("header_columns: a header field or control number past the buffer")
    return {"hdr": hdr_np, "resp": resp_np,
            "ref_valid": ref_valid_np, "found": found_np, "found_valid": found_valid_np, "bureaus": bureaus_np,
            "has_data": has_data_np, "kind": kind_np, "length": length_np, "version": version_np,
            "version_valid": version_valid_np, "declared": declared_np, "declared_valid": declared_valid_np,
            "cr": cr_np, "ctl_valid": ctl_valid_np,
            "reference": (offsets_np[0], data_np[0]), "member": (offsets_np[1], data_np[1]),
            "indicator": (offsets_np[2], data_np[2]), "control": (offsets_np[3], data_np[3])}
