"""The typed row a segment's raw values (as the writer takes them) must decode to: the oracle the
table tests compare the decoder with, written from the spec's rules, not from the decoder's code.

- a value decodes by its field's kind (text kept exactly, dates DDMMAAAA with 00000000 absent,
  amounts signed leading or trailing);
- a numeric field decoded as text (kind ``digits``) holds digits and blanks, or is null;
- a field with a short reading (``Field.short``: Anexo 14's TL 03, IQ 09) puts a value of at most
  the short field's length in the short column, a longer one in its own;
- a tag the manual lets repeat has a column per occurrence, ``name``, ``name_2``...;
- a numeric code (``Field.code_width``) is spelled without its leading zeros, padded to the width
  (``code_width_by``: the width for some values of another field of the segment, the SC score code);
- an amount whose negative values are codes (``Field.negative``) keeps the others, and the
  negative ones go to the code column as "-" and max_length - 1 digits.
"""
import datetime as dt

from mxbureau.intl13 import spec


def typed(f: spec.Field, v):
    """A raw string as its field's kind decodes it (None: absent or not of the kind)."""
    if v is None:
        return None
    if f.kind in ("text", "code", "history"):
        return v
    if f.kind == "digits":
        return v if all(c in "0123456789 " for c in v) else None
    if f.kind == "date":
        if v == "00000000" or len(v) != 8 or not (v.isdigit() and v.isascii()):
            return None
        try:
            return dt.date(int(v[4:]), int(v[2:4]), int(v[:2]))
        except ValueError:
            return None
    s = v.strip(" ")
    neg = False
    if f.kind == "amount":
        if s[:1] in ("+", "-"):
            neg, s = s[0] == "-", s[1:]
        elif s[-1:] in ("+", "-"):
            neg, s = s[-1] == "-", s[:-1]
    if not s.isdigit() or not s.isascii():
        return None
    return -int(s) if neg else int(s)


def spelled(v, width):
    if v is None or width is None:
        return v
    s = v.strip()
    return str(int(s)).zfill(width) if s.isdigit() and s.isascii() else v


def expected_row(tag: str, values: dict) -> dict:
    """Column name -> expected value for one segment occurrence written from ``values``."""
    seg = spec.segment("error" if tag in ("UR", "AR") else "response", tag)
    out = {}
    for f in seg.fields:
        raw = values.get(f.name)
        if f.short is not None:
            if raw is None:
                raw = values.get(f.short.name)
            short = raw is not None and len(raw) <= f.short.max_length
            out[f.short.name] = typed(f.short, raw) if short else None
            if short:
                raw = None
        occurrences = raw if isinstance(raw, list) else [raw]
        for k, name in enumerate(f.columns):
            v = typed(f, occurrences[k] if k < len(occurrences) else None)
            if f.code_width is not None:
                width = f.code_width
                if f.code_width_by is not None:
                    by_tag, widths = f.code_width_by
                    other = values.get(seg.field(by_tag).name)
                    width = dict(widths).get(other.strip() if other else other, f.code_width)
                v = spelled(v, width)
            if f.negative is not None:
                out[f.negative] = None if v is None or v >= 0 else "-" + str(-v).zfill(f.max_length - 1)
                v = None if v is not None and v < 0 else v
            out[name] = v
    return out
