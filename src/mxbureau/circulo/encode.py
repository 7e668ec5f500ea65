"""Values -> the fixed-width bytes of a Círculo field, a whole column at a time (numpy and Arrow, no
Python per value except for the rare text outside ASCII and Ñ).

Text is left-aligned and blank-filled; numbers right-aligned and zero-filled; dates DDMMAAAA;
a value that is null (not reported) is blanks. With ``normalize``: uppercase, accents removed, Ñ kept
as byte 0xD1 (or written N: ``enye="n"``), surrounding blanks trimmed, hyphens and blanks out of an
RFC, and phones reduced to their digits. A value that cannot be written is never truncated or
changed otherwise: its row gets a reason (the rule broken, never the value)."""
from __future__ import annotations

import datetime as dt
from typing import Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .spec import CField

__all__ = ["encode_field", "normalize_text", "date_parts", "Bad"]

_BLANK = 32
_ZERO = 48


class Bad:
    """Per-row reasons a column could not be written (None: the row is fine)."""

    def __init__(self, n: int):
        self.rule = np.full(n, None, dtype=object)
        self.reason = np.full(n, None, dtype=object)

    def mark(self, mask: np.ndarray, rule: str, reason: str):
        m = np.asarray(mask, bool) & (self.rule == None)  # noqa: E711 (object array)
        self.rule[m] = rule
        self.reason[m] = reason

    def any(self) -> bool:
        return bool((self.rule != None).any())  # noqa: E711


def _strings(arr: pa.Array) -> pa.Array:
    """Any column as large strings (numbers as their decimal digits; dictionaries decoded)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_floating(arr.type):
        v = arr.to_numpy(zero_copy_only=False)
        whole = np.isfinite(v) & (np.floor(v) == v)
        arr = pa.array(np.where(whole, v, 0).astype(np.int64), mask=~whole | np.isnan(v))
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return arr.cast(pa.large_string())


def normalize_text(arr: pa.Array, enye: str = "keep") -> pa.Array:
    """Uppercase, no accents (Ñ kept, or N with enye="n"), surrounding blanks trimmed."""
    a = pc.utf8_upper(arr)
    a = pc.utf8_trim_whitespace(a)
    a = pc.replace_substring(a, "Ñ", "\x01")
    a = pc.utf8_normalize(a, form="NFD")
    a = pc.replace_substring_regex(a, r"\p{Mn}", "")
    return pc.replace_substring(a, "\x01", "N" if enye == "n" else "Ñ")


def _latin1(arr: pa.Array, bad: Bad, field_len: int) -> Tuple[np.ndarray, np.ndarray]:
    """Strings -> (offsets int64, data uint8) in latin-1: Ñ (the common non-ASCII letter) by a byte
    replacement over the whole column, the rare rows with other characters one by one (those outside
    latin-1 get a reason)."""
    b = pc.replace_substring(arr.cast(pa.large_binary()), b"\xc3\x91", b"\xd1")
    b = b.combine_chunks() if isinstance(b, pa.ChunkedArray) else b
    n = len(b)
    if n == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.uint8)
    offsets = np.frombuffer(b.buffers()[1], np.int64, n + 1, b.offset * 8).copy()
    data = np.frombuffer(b.buffers()[2], np.uint8) if b.buffers()[2] is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]]
    offsets -= offsets[0]
    odd = ~pc.fill_null(pc.string_is_ascii(pc.replace_substring(arr, "Ñ", "")), True).to_numpy(zero_copy_only=False)
    if not odd.any():
        return offsets, data
    lengths = np.diff(offsets)
    pieces = {}
    for r in np.flatnonzero(odd).tolist():
        s = arr[r].as_py()
        try:
            pieces[r] = s.encode("latin-1")
        except UnicodeEncodeError:
            pieces[r] = s.encode("latin-1", "replace")
            m = np.zeros(n, bool)
            m[r] = True
            bad.mark(m, "F08", "a character outside latin-1")
        lengths[r] = len(pieces[r])
    new_off = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    out = np.empty(int(new_off[-1]), np.uint8)
    keep = ~odd
    # the untouched rows' bytes move as one gather; the odd rows are written one by one
    src = np.repeat(offsets[:-1][keep], lengths[keep]) + (np.arange(int(lengths[keep].sum())) - np.repeat(
        np.cumsum(lengths[keep]) - lengths[keep], lengths[keep]))
    dst = np.repeat(new_off[:-1][keep], lengths[keep]) + (src - np.repeat(offsets[:-1][keep], lengths[keep]))
    out[dst] = data[src]
    for r, v in pieces.items():
        out[new_off[r]:new_off[r] + len(v)] = np.frombuffer(v, np.uint8)
    return new_off, out


def _place(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, width: int, right: bool, fill: int) -> np.ndarray:
    """Variable-length byte strings -> an (n, width) matrix, left- or right-aligned, filled with ``fill``
    (every string fits: longer rows were marked bad and their lengths cut to width)."""
    n = len(offsets) - 1
    M = np.full((n, width), fill, np.uint8)
    lengths = np.diff(offsets)
    lengths = np.where(valid, np.minimum(lengths, width), 0)
    total = int(lengths.sum())
    if total:
        row = np.repeat(np.arange(n), lengths)
        first = np.repeat(np.cumsum(lengths) - lengths, lengths)
        k = np.arange(total) - first
        src = np.repeat(offsets[:-1], lengths) + k
        col = k + (np.repeat(width - lengths, lengths) if right else 0)
        M.reshape(-1)[row * width + col] = data[src]
    if fill != _BLANK:
        M[~np.asarray(valid, bool)] = _BLANK          # not reported: blanks, even in a zero-filled field
    return M


def date_parts(arr: pa.Array, bad: Bad, field: CField) -> Tuple[np.ndarray, np.ndarray]:
    """Dates (date32, timestamps, datetime.date, ISO or DDMMAAAA strings) -> (days since 1970, valid)."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr, t = arr.cast(t.value_type), t.value_type
    if pa.types.is_timestamp(t) or pa.types.is_date64(t):
        arr = pc.cast(pc.cast(arr, pa.timestamp("s")) if pa.types.is_timestamp(t) else arr, pa.date32())
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        s = pc.utf8_trim_whitespace(arr.cast(pa.large_string()))
        empty = pc.fill_null(pc.equal(s, ""), True).to_numpy(zero_copy_only=False)
        iso = pc.strptime(s, format="%Y-%m-%d", unit="s", error_is_null=True)
        dmy = pc.strptime(s, format="%d%m%Y", unit="s", error_is_null=True)
        got = pc.coalesce(iso, dmy)
        bad.mark(~empty & pc.is_null(got).to_numpy(zero_copy_only=False), "F03", "not a date")
        arr = pc.cast(got, pa.date32())
    elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t):
        # numbers are not dates (pandas makes a column of missing dates NaN: those are absent)
        v = pc.is_valid(arr).to_numpy(zero_copy_only=False)
        if pa.types.is_floating(t):
            v &= ~np.isnan(arr.to_numpy(zero_copy_only=False))
        bad.mark(v, "F03", "not a date")
        arr = pa.nulls(len(arr), pa.date32())
    elif not pa.types.is_date32(t):
        arr = pc.cast(arr, pa.date32())
    valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
    days = pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return days, valid


def _digits_matrix(v: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers -> (n, width) ASCII digits, zero-filled."""
    M = np.empty((len(v), width), np.uint8)
    x = v.astype(np.uint64)
    for j in range(width - 1, -1, -1):
        M[:, j] = (x % 10).astype(np.uint8) + _ZERO
        x //= 10
    return M


def _date_matrix(days: np.ndarray) -> np.ndarray:
    d64 = days.astype("datetime64[D]")
    y = d64.astype("datetime64[Y]").astype(np.int64) + 1970
    mstart = d64.astype("datetime64[M]")
    m = (mstart.astype(np.int64) % 12) + 1
    dd = (d64 - mstart.astype("datetime64[D]")).astype(np.int64) + 1
    return np.concatenate([_digits_matrix(dd, 2), _digits_matrix(m, 2), _digits_matrix(y, 4)], axis=1)


def encode_field(arr: Optional[pa.Array], n: int, field: CField, bad: Bad, *, normalize: bool, enye: str = "keep",
                 zeros: Optional[np.ndarray] = None) -> np.ndarray:
    """One column -> its (n, width) bytes. ``arr`` None: not reported (blanks). ``zeros``: rows whose
    null date was written as zeros in the file read (write(read(f)) exactness)."""
    w = field.max_length
    if arr is None:
        return np.full((n, w), _BLANK, np.uint8)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if field.type == "D":
        days, valid = date_parts(arr, bad, field)
        y = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        out_of_range = valid & ((y < 1) | (y > 9999))
        bad.mark(out_of_range, "F03", "a year outside 1-9999")
        valid &= ~out_of_range
        M = np.full((n, w), _BLANK, np.uint8)
        if valid.any():
            M[valid] = _date_matrix(days[valid])
        if zeros is not None:
            M[zeros & ~valid] = _ZERO
        return M
    if field.kind in ("int", "amount"):
        t = arr.type
        if pa.types.is_dictionary(t):
            arr, t = arr.cast(t.value_type), t.value_type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            s = pc.utf8_trim_whitespace(arr.cast(pa.large_string()))
            ok = pc.fill_null(pc.match_substring_regex(s, r"^[0-9]{1,18}$"), False).to_numpy(zero_copy_only=False)
            empty = pc.fill_null(pc.equal(s, ""), True).to_numpy(zero_copy_only=False)
            bad.mark(~ok & ~empty, "F02", "not a whole number of digits")
            vals = np.zeros(n, np.int64)
            if ok.any():
                vals[ok] = pc.cast(pc.filter(s, pa.array(ok)), pa.int64()).to_numpy(zero_copy_only=False)
            valid = ok
        elif pa.types.is_floating(t):
            v = arr.to_numpy(zero_copy_only=False).astype(np.float64)
            valid = np.isfinite(v)
            whole = valid & (np.floor(v) == v) & (np.abs(v) < 9.2e18)
            bad.mark(valid & ~whole, "F02", "not a whole number")
            valid = whole
            vals = np.where(whole, v, 0).astype(np.int64)
        elif pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_boolean(t):
            valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            vals = pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        else:
            valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            bad.mark(valid, "F02", "not a number")
            valid = np.zeros(n, bool)
            vals = np.zeros(n, np.int64)
        neg = valid & (vals < 0)
        bad.mark(neg, "F02", "negative (amounts are positive)")
        big = valid & ~neg & (vals >= 10 ** min(w, 18)) if w < 19 else np.zeros(n, bool)
        bad.mark(big, "F02", f"more than {w} digits")
        valid &= ~neg & ~big
        M = np.full((n, w), _BLANK, np.uint8)
        if valid.any():
            M[valid] = _digits_matrix(vals[valid], w)
        return M
    # text: A and F fields, and the N fields kept as digit strings (codes, numeric keys)
    s = _strings(arr)
    numeric = field.type == "N"
    if numeric:
        s = pc.utf8_trim_whitespace(s)
    elif normalize and field.name in ("phone", "fax", "phone_extension"):
        s = pc.replace_substring_regex(s, r"[^0-9]", "")          # "sin caracteres especiales"
    elif normalize and field.type != "F":
        s = normalize_text(s, enye)
        if field.name == "rfc":
            s = pc.replace_substring_regex(s, r"[- ]", "")        # no characters between RFC and homoclave
    empty = pc.fill_null(pc.equal(s, ""), True).to_numpy(zero_copy_only=False)
    if numeric:
        digits = pc.fill_null(pc.match_substring_regex(s, r"^[0-9]*$"), True).to_numpy(zero_copy_only=False)
        bad.mark(~digits, "F02", "not digits")
    else:
        ctrl = pc.fill_null(pc.match_substring_regex(s, r"[\x00-\x1f\x7f]"), False).to_numpy(zero_copy_only=False)
        bad.mark(ctrl, "F08", "a control character")
    offsets, data = _latin1(s, bad, w)
    lengths = np.diff(offsets)
    bad.mark(lengths > w, "length", f"longer than {w} bytes")
    return _place(offsets, data, ~empty, w, right=numeric, fill=_ZERO if numeric else _BLANK)


def period_bytes(period) -> bytes:
    """A period (date, 'YYYY-MM', 'MMAAAA') -> MMAAAA."""
    if isinstance(period, (dt.date, dt.datetime)):
        return f"{period.month:02d}{period.year:04d}".encode()
    s = str(period).strip()
    if len(s) == 6 and s.isdigit():
        return s.encode()
    if len(s) >= 7 and s[4] == "-" and s[:4].isdigit() and s[5:7].isdigit():
        return f"{s[5:7]}{s[:4]}".encode()
    raise ValueError("a period is a date, 'YYYY-MM' or 'MMAAAA'")
