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
import pyarrow.compute as pc

from ..columns import token_strings
from ..scanner import scan_chunks
from ..source import open_all
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
_ES_TAGS = np.array([spec.tag_code(f.tag) for f in spec.segment("response", "ES").fields], dtype=np.uint16)
_SC, _SC00 = spec.tag_code("SC"), spec.tag_code("00")
_SC_REASONS = [f for f in spec.segment("response", "SC").fields if f.code_width_by is not None]
_SC_REASON_TAGS = np.array([spec.tag_code(f.tag) for f in _SC_REASONS], dtype=np.uint16)
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


def _allowed(name: str) -> pa.Array:
    return pa.array(list(getattr(catalogs, name)) + list(_ALIASES.get(name, ())), type=pa.large_string())


def _values(tok: Tokens, idx: np.ndarray) -> list:
    return token_strings(tok.buffer, tok.offset[idx], tok.length[idx], np.arange(len(idx)), len(idx)).to_pylist()


def _not_in(values: list, allowed: pa.Array) -> np.ndarray:
    return np.asarray(pc.invert(pc.is_in(pa.array(values, pa.large_string()), value_set=allowed)))


def _score_reasons(tok: Tokens, resp: np.ndarray) -> pa.Table:
    """SC 02-04 against the annex of their score's family (the SC 00 code of the same segment):
    Anexo 7 for ICC (504, 004), Anexo 6 otherwise, each spelled as the tables spell it."""
    seg, tag = tok.segment_tag, tok.tag
    in_sc = resp & (seg == _SC)
    reasons = np.flatnonzero(in_sc & np.isin(tag, _SC_REASON_TAGS))
    if not len(reasons):
        return PROBLEMS_SCHEMA.empty_table()
    starts = np.flatnonzero(in_sc & (tag == _SC))
    codes_at = np.flatnonzero(in_sc & (tag == _SC00))
    own = starts[np.searchsorted(starts, reasons, side="right") - 1]           # each reason's SC start
    k = np.searchsorted(codes_at, own)                                         # its first 00 after the start
    has = k < len(codes_at)
    code_tok = np.where(has, codes_at[np.minimum(k, len(codes_at) - 1)], -1)
    has &= (code_tok < reasons) & (code_tok > own)
    score_codes = _values(tok, np.where(has, code_tok, reasons))
    field = _SC_REASONS[0]
    widths = dict(field.code_width_by[1])
    bad = []
    for i, (value, code, ok) in enumerate(zip(_values(tok, reasons), score_codes, has.tolist())):
        code = code.strip() if ok else None
        name = catalogs.REASON_CATALOG.get(code, "SCORE_REASONS")
        if spell_code(value, widths.get(code, field.code_width)) not in getattr(catalogs, name):
            bad.append((i, name))
    if not bad:
        return PROBLEMS_SCHEMA.empty_table()
    idx = reasons[[i for i, _ in bad]]
    return token_problems(tok, idx, np.array([f"code not in catalogue {n}" for _, n in bad], dtype=object))


def _missing_segments(tok: Tokens) -> pa.Table:
    """Responses (hit, no-hit) without a segment the manual requires (PN; PA: "al menos una")."""
    r = tok.records
    rows = np.flatnonzero(r["ok"] & np.isin(r["kind_code"], (spec.HIT, spec.NOHIT)))
    if not len(rows):
        return PROBLEMS_SCHEMA.empty_table()
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
        return PROBLEMS_SCHEMA.empty_table()
    rec, segs, start, end = map(list, zip(*out))
    return pa.Table.from_arrays([pa.array(rec, pa.int64()), pa.array(segs, pa.large_string()),
                                 pa.nulls(len(rec), pa.large_string()), pa.array(start, pa.int64()),
                                 pa.array(start, pa.int64()), pa.array(end, pa.int64()),
                                 pa.array(["required segment missing"] * len(rec), pa.large_string())],
                                schema=PROBLEMS_SCHEMA)


def validate_tokens(tok: Tokens) -> pa.Table:
    tables = build_tables(tok)
    # the decoder's findings: values that do not fit their type, values longer than their field's
    # maximum, tags repeated past what the manual allows, tags and segments it does not define
    parts = [tables.problems]
    kinds = tok.kind_code
    resp = np.isin(kinds, spec.DECODED_KINDS)
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
    coded = coded[np.argsort(cat[coded], kind="stable")]          # grouped by catalogue, file order kept
    for group in np.split(coded, np.flatnonzero(np.diff(cat[coded])) + 1) if len(coded) else []:
        name, width = _CHECKS[cat[group[0]]]
        group = np.sort(group)
        values = [spell_code(v, width) for v in _values(tok, group)]
        parts.append(token_problems(tok, group[_not_in(values, _allowed(name))], f"code not in catalogue {name}"))
    parts.append(_score_reasons(tok, resp))
    # tags the manual does not define outside the tables the decoder saw (ES, whose fields have no
    # table, and the fields of a segment the manual does not define)
    es_field = (seg == spec.tag_code("ES")) & np.isin(tag, _ES_TAGS)
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
        p = validate_tokens(tok)
        if show_values:
            p = with_values(p, tok.buffer, tok.base)
        parts.append(with_source(p, tok.source) if len(srcs) > 1 else p)
        if progress is not None:
            progress(tok.span[1] - tok.span[0])
    if parts:
        return pa.concat_tables(parts)
    out = PROBLEMS_SCHEMA.empty_table()
    return with_values(out, b"") if show_values else out
