"""INTL13 conformance of every field to spec.py and the catalogues: over-length or short fixed fields,
values that do not fit their type, impossible dates, codes not in their annex (score reasons in the
annex of their score's family: Anexo 6 for BC Score, Anexo 7 for ICC), tags repeated where the manual
does not allow it, more segments than the manual allows, required segments missing, segments out of
the manual's order, tags the manual does not define, and every damaged span the scanner reported (ES
mismatch included). What the manual allows is not a finding: a reason code written "10" or "010",
CDMX for Mexico City (catalogs.STATE_ALIASES). Problems carry record, segment, tag and offset; never
a field value."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import _decode
from ..columns import empty, numbers, texts, token_strings
from ..scanner import scan_chunks
from ..errors import UsageError
from ..source import label, open_all
from ..tables import MAX_FIELDS, PROBLEMS_SCHEMA, build_tables, decoding, token_problems, with_source, with_values
from ..tokens import Tokens
from . import FORMAT, catalogs, spec

__all__ = ["validate", "validate_tokens", "spell_code"]


_D = decoding(FORMAT)
# Catalogue values that are not the annex's codes but mean one of them (CDMX = DF).
_ALIASES = {"STATES": catalogs.STATE_ALIASES}


def spell_code(value: str, width) -> str:
    """A numeric code as the tables spell it (Field.code_width): leading zeros and blanks dropped,
    zeros put back to ``width`` digits; a value that is not digits as it is."""
    v = value.strip()
    return str(int(v)).zfill(width) if width is not None and v.isdigit() and v.isascii() else value


def _column_rules():
    """Per table column (slot * MAX_FIELDS + column): max length, fixed, catalogue check number (-1:
    none; SC reasons are checked apart, by score family) and the column of a longer reading."""
    size = len(_D.slots) * MAX_FIELDS
    max_len, fixed = np.zeros(size, np.int32), np.zeros(size, bool)
    catalog, longer = np.full(size, -1, np.int16), np.full(size, -1, np.int32)
    checks = []                                   # (catalogue name, spelling width)
    for s, tg in enumerate(_D.slots):
        for c, col in enumerate(_D.columns[tg]):
            fld, k = col.field, s * MAX_FIELDS + c
            # the CR text's length is the CR count, not a field maximum
            max_len[k] = 1 << 30 if (tg == "CR" and fld.tag == "00") else fld.max_length
            fixed[k] = fld.fixed
            if _D.field_longer[s, c] >= 0:
                longer[k] = s * MAX_FIELDS + int(_D.field_longer[s, c])
            if fld.catalog and fld.kind == "code" and fld.code_width_by is None:
                key = (fld.catalog, fld.code_width)
                if key not in checks:
                    checks.append(key)
                catalog[k] = checks.index(key)
    return max_len, fixed, catalog, longer, checks


_MAX_LEN, _FIXED, _CATALOG, _LONGER, _CHECKS = _column_rules()


def _lut(codes, size: int = 65536) -> np.ndarray:
    """A membership table: ``_lut(codes)[x]`` is x in codes (a gather a token: np.isin over the 5M
    tokens of the 50 MB corpus took 55 ms, this 15)."""
    out = np.zeros(size, dtype=bool)
    out[list(codes)] = True
    return out


_ES_FIELD = _lut(spec.tag_code(f.tag) for f in spec.segment("response", "ES").fields)
_SC, _SC00 = spec.tag_code("SC"), spec.tag_code("00")
_SC_REASONS = [f for f in spec.segment("response", "SC").fields if f.code_width_by is not None]
_SC_REASON = _lut(spec.tag_code(f.tag) for f in _SC_REASONS)
_DECODED = _lut((k & 0xFF for k in spec.DECODED_KINDS), 256)      # by kind_code (int8) as uint8
_REQUIRED = [spec.tag_code(s.tag) for s in spec.RESPONSE.segments if s.required and s.tag != "ES"]


def _order_and_limits():
    order = np.full(65536, -1, dtype=np.int16)
    limit = np.zeros(65536, dtype=np.int32)
    for layout in (spec.RESPONSE, spec.ERROR):            # UR/AR rank first; ES keeps its response rank
        for k, s in enumerate(layout.segments):
            if order[spec.tag_code(s.tag)] < 0:
                order[spec.tag_code(s.tag)] = k
            limit[spec.tag_code(s.tag)] = s.max_occurs or 0
    return order, limit


_ORDER, _LIMIT = _order_and_limits()


def _allowed(name: str) -> frozenset:
    """A catalogue's codes and the values that mean one of them."""
    return frozenset(getattr(catalogs, name)) | frozenset(_ALIASES.get(name, ()))


def _values(tok: Tokens, idx: np.ndarray) -> pa.Array:
    """The values of tokens ``idx`` as a string array (latin-1 decoded, kept exactly)."""
    return token_strings(tok.buffer, tok.offset[idx], tok.length[idx], np.arange(len(idx)), len(idx))


def _by_distinct(tok: Tokens, idx: np.ndarray, group: np.ndarray, rule) -> np.ndarray:
    """``rule(group, value)`` -- a problem, or None -- for each token of ``idx`` (in file order) and
    its ``group`` (int64 >= 0, what else the rule depends on), called once a distinct pair. A
    catalogue column has a few dozen distinct values in a million. Spelling and looking up every
    value in Python, catalogue by catalogue, against this (the values grouped in the compiled core,
    token_codes, in one pass in file order): validate() of the 50 MB corpus 0.72 -> 0.43 s (min of
    5, interleaved; with 5% of its codes damaged, 0.70 -> 0.40)."""
    index, first = _decode.token_codes(tok.buffer, tok.offset, tok.length, np.ascontiguousarray(idx, np.int64))
    values = _values(tok, first).to_pylist()
    nd = max(len(values), 1)
    key = group.astype(np.int64) * nd + index
    span = int(key.max()) + 1 if len(key) else 0
    if span <= 4 * len(key):                # the pairs by a table over their range: np.unique's sort
        seen = np.zeros(span, dtype=bool)   # of the 1.3M codes of the 50 MB corpus took 0.1 s
        seen[key] = True
        pairs = np.flatnonzero(seen)
        pair_of = (np.cumsum(seen) - 1)[key]
    else:
        pairs, pair_of = np.unique(key, return_inverse=True)
    found = np.empty(len(pairs), dtype=object)
    found[:] = [rule(k // nd, values[k % nd]) for k in pairs.tolist()]
    return found[pair_of.reshape(-1)]


def _problems_found(tok: Tokens, idx: np.ndarray, found: np.ndarray) -> pa.Table:
    bad = np.flatnonzero(found != None)  # noqa: E711 (elementwise)
    return token_problems(tok, idx[bad], found[bad]) if len(bad) else empty(PROBLEMS_SCHEMA)


_CHECK_RULES = [(width, _allowed(name), f"code not in catalogue {name}") for name, width in _CHECKS]


def _catalogue_rule(check: int, value: str):
    width, allowed, problem = _CHECK_RULES[check]
    return None if spell_code(value, width) in allowed else problem


def _score_reasons(tok: Tokens, resp: np.ndarray) -> pa.Table:
    """SC 02-04 against the annex of their score's family (the SC 00 code of the same segment):
    Anexo 7 for ICC (504, 004), Anexo 6 otherwise, each spelled as the tables spell it."""
    seg, tag = tok.segment_tag, tok.tag
    in_sc = resp & (seg == _SC)
    reasons = np.flatnonzero(in_sc & _SC_REASON[tag])
    if not len(reasons):
        return empty(PROBLEMS_SCHEMA)
    starts = np.flatnonzero(in_sc & (tag == _SC))
    codes_at = np.flatnonzero(in_sc & (tag == _SC00))
    own = starts[np.searchsorted(starts, reasons, side="right") - 1]           # each reason's SC start
    k = np.searchsorted(codes_at, own)                                         # its first 00 after the start
    has = k < len(codes_at)
    code_tok = np.where(has, codes_at[np.minimum(k, len(codes_at) - 1)], -1)
    has &= (code_tok < reasons) & (code_tok > own)
    field = _SC_REASONS[0]
    widths = dict(field.code_width_by[1])
    codes_ix, codes = np.zeros(0, np.int32), []
    if has.any():
        codes_ix, first = _decode.token_codes(tok.buffer, tok.offset, tok.length, code_tok[has])
        codes = [c.strip() for c in _values(tok, first).to_pylist()]
    family = np.zeros(len(reasons), np.int64)           # 0: no score code in the segment, else 1 + its value's
    family[has] = codes_ix.astype(np.int64) + 1

    def rule(k, value):
        code = codes[k - 1] if k else None
        name = catalogs.REASON_CATALOG.get(code, "SCORE_REASONS")
        ok = spell_code(value, widths.get(code, field.code_width)) in getattr(catalogs, name)
        return None if ok else f"code not in catalogue {name}"

    return _problems_found(tok, reasons, _by_distinct(tok, reasons, family, rule))


def _missing_segments(tok: Tokens) -> pa.Table:
    """Responses (hit, no-hit) without a segment the manual requires (PN; PA: "al menos una")."""
    r = tok.records
    rows = np.flatnonzero(r["ok"] & np.isin(r["kind_code"], (spec.HIT, spec.NOHIT)))
    if not len(rows):
        return empty(PROBLEMS_SCHEMA)
    seg, tag = tok.segment_tag, tok.tag
    starts = np.flatnonzero(seg == tag)
    rec_of = tok.record_of(starts)
    out = []
    for code in _REQUIRED:
        have = np.unique(rec_of[seg[starts] == code])
        missing = rows[~np.isin(r["record"][rows], have)]
        for i in missing.tolist():
            out.append((int(r["record"][i]), spec.tag_str(code), int(r["start"][i]), int(r["end"][i])))
    if not out:
        return empty(PROBLEMS_SCHEMA)
    rec, segs, start, end = zip(*out)
    ints = lambda c: numbers(np.array(c, np.int64))
    return pa.Table.from_arrays([ints(rec), texts(segs), texts([None] * len(rec)), ints(start), ints(start), ints(end),
                                 texts(["required segment missing"] * len(rec))], schema=PROBLEMS_SCHEMA)


def validate_tokens(tok: Tokens) -> pa.Table:
    tables = build_tables(tok)
    # the decoder's findings: values that do not fit their type, values longer than their field's
    # maximum, tags repeated past what the manual allows, tags and segments it does not define
    parts = [tables.problems]
    resp = _DECODED[tok.kind_code.view(np.uint8)]
    seg, tag, ln = tok.segment_tag, tok.tag, tok.length
    slot, field = _D.field_slots(tok)
    known = resp & (field >= 0)
    col = np.where(known, slot * MAX_FIELDS + field, 0)
    go = known & (ln > _MAX_LEN[col]) & (_LONGER[col] >= 0)        # a short reading's long one
    col[go] = _LONGER[col[go]]
    limit = _MAX_LEN[col]
    wrong_fixed = known & _FIXED[col] & (ln < limit)                  # longer: VALUE_TOO_LONG above
    parts.append(token_problems(tok, np.flatnonzero(wrong_fixed),
                                np.char.add(np.char.add("fixed length ", limit[wrong_fixed].astype(str)),
                                            " expected").astype(object)))
    # codes against their catalogue (annex), spelled as the tables spell them
    cat = np.where(known & (ln <= limit), _CATALOG[col], -1)
    coded = np.flatnonzero(cat >= 0)
    parts.append(_problems_found(tok, coded, _by_distinct(tok, coded, cat[coded], _catalogue_rule)))
    parts.append(_score_reasons(tok, resp))
    # tags the manual does not define outside the tables the decoder saw (ES, whose fields have no
    # table, and the fields of a segment the manual does not define)
    es_field = (seg == spec.tag_code("ES")) & _ES_FIELD[tag]
    outside = resp & (field < 0) & ~es_field & ((slot < 0) & (tag != seg))
    parts.append(token_problems(tok, np.flatnonzero(outside), "tag not in the manual"))
    # order, number and presence of segments within each record
    starts = np.flatnonzero((tag == seg) & resp)
    if len(starts):
        recs = tok.record_of(starts)
        rank = _ORDER[seg[starts]]
        back = np.flatnonzero((np.diff(rank) < 0) & (np.diff(recs) == 0) & (rank[1:] >= 0)) + 1
        parts.append(token_problems(tok, starts[back], "segment out of the manual's order"))
        key = recs * 65536 + seg[starts]
        first = np.r_[True, key[1:] != key[:-1]]
        nth = np.arange(len(key)) - np.maximum.accumulate(np.where(first, np.arange(len(key)), 0)) + 1
        lim = _LIMIT[seg[starts]]
        parts.append(token_problems(tok, starts[np.flatnonzero((lim > 0) & (nth > lim))],
                                    "more segments than the manual allows"))
    parts.append(_missing_segments(tok))
    allp = pa.concat_tables(parts)
    return allp.sort_by([("offset", "ascending")]) if allp.num_rows else allp


def validate(source, *, show_values: bool = False, progress=None) -> pa.Table:
    """The problems of sources (as ``read`` takes them; lenient scan: every damaged span is listed,
    nothing raises on bad bytes). With several sources the table starts with a ``source`` column.
    ``show_values=True`` adds a ``value`` column with the bytes of each span (never by default).
    ``progress``: called with the bytes of each chunk done."""
    srcs = open_all(source)
    parts = []
    for tok in scan_chunks(srcs, strict=False):
        if tok.format is not FORMAT:        # (INTL13's rules on other bytes: a finding a token)
            raise UsageError(f"{label(tok.source)} is a {tok.format.name} file, not INTL13: validate it with "
                             f"mxbureau.{tok.format.name}.validate (mxbureau {tok.format.name} validate)")
        p = validate_tokens(tok)
        if show_values:
            p = with_values(p, tok.buffer, tok.base)
        parts.append(with_source(p, tok.source) if len(srcs) > 1 else p)
        if progress is not None:
            progress(tok.span[1] - tok.span[0])
    if parts:
        return pa.concat_tables(parts)
    out = empty(PROBLEMS_SCHEMA)
    return with_values(out, b"") if show_values else out
