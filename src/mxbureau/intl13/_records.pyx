# cython: language_level=3
"""The INTL13 records table's per-record columns from the header bytes and the scanner's numbers,
in one compiled pass (records.py drives it, passing the header's positions and catalogues as data).

About 60 numpy calls a table were most of the records table of one 3.4 KB record (~0.73M
instructions, callgrind); the pass is one call whatever the number of records."""
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t

import numpy as np

cimport numpy as cnp

cnp.import_array()


def header_columns(const uint8_t[::1] buf, int64_t base, const int64_t[::1] start, const int64_t[::1] end,
                   const int8_t[::1] kind_code, const uint8_t[::1] ok, const int32_t[::1] version,
                   const int32_t[::1] declared, const int32_t[::1] cr_reading, object head_at, object err_ref,
                   tuple codes, tuple positions, const int32_t[::1] indicator_code, const uint8_t[::1] has_data_lut,
                   int nbureaus, int32_t unknown_kind):
    """Every column of the records table but the header's text (for _decode.fixed_text) and the
    control number. ``start``/``end``: the records' offsets in the source (``base``: the source offset
    of buf[0]); ``codes``: (hit, nohit, consulta, error) kind codes; ``positions``: (reference,
    member code of a response, member code of a consulta, bureau indicator) offsets in the header;
    ``head_at``: where each record's INTL header starts in buf (None: at the record's start; -1: none,
    a consulta whose PN was not found), ``err_ref``: per record the offset in buf of its first token's
    value (read for error records only; None when there are none). Returns None when a parsed
    consulta or error record needs the head_at or err_ref not given, else a dict of arrays:
    member_at, ind_at, ref_at (offsets in buf), hdr (whole header), resp (a response's header),
    ref_valid, found, found_valid, bureaus (int32 [nbureaus, n], -1 null), has_data, kind, length,
    version (int8), version_valid, declared (int64), declared_valid, cr (int32, -1 null)."""
    cdef Py_ssize_t n = start.shape[0], j, k
    cdef int8_t HIT = codes[0], NOHIT = codes[1], CONS = codes[2], ERR = codes[3]
    cdef int64_t P_REF = positions[0], P_RMEM = positions[1], P_QMEM = positions[2], P_IND = positions[3]
    cdef int64_t nbuf = buf.shape[0], s, h, at
    cdef int8_t kc
    cdef bint is_resp, is_cons, good, live, data
    cdef uint8_t b
    cdef const int64_t[::1] head
    cdef const int64_t[::1] eref
    if (end.shape[0] != n or kind_code.shape[0] != n or ok.shape[0] != n or version.shape[0] != n
            or declared.shape[0] != n or cr_reading.shape[0] != n):
        raise ValueError("header_columns: the record arrays differ in length")
    if indicator_code.shape[0] != 256 or has_data_lut.shape[0] != 256 or not 0 < nbureaus <= 4:
        raise ValueError("header_columns: a 256-entry table a byte, and 1-4 bureaus")
    if head_at is not None:
        head = head_at
        if head.shape[0] != n:
            raise ValueError("header_columns: head_at, an offset a record")
    if err_ref is not None:
        eref = err_ref
        if eref.shape[0] != n:
            raise ValueError("header_columns: err_ref, an offset a record")
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
        if kc == ERR and good:
            if err_ref is None:
                return None
            ref_at[j] = eref[j]
            ref_valid[j] = 1
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
    return {"member_at": member_at_np, "ind_at": ind_at_np, "ref_at": ref_at_np, "hdr": hdr_np, "resp": resp_np,
            "ref_valid": ref_valid_np, "found": found_np, "found_valid": found_valid_np, "bureaus": bureaus_np,
            "has_data": has_data_np, "kind": kind_np, "length": length_np, "version": version_np,
            "version_valid": version_valid_np, "declared": declared_np, "declared_valid": declared_valid_np,
            "cr": cr_np}
