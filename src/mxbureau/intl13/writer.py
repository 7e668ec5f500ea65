"""Records (plain dicts keyed by spec names) -> INTL13 bytes.

A record is a dict::

    {"kind": "hit" | "nohit" | "error" | "consulta",
     "version": "13", "reference": "...", "member_code": "BC12345678", "bureau_indicator": "0000",
     "segments": [("PN", {"paternal_surname": "MENDEZ", ...}), ("PA", {...}), ("TL", {...}), ...],
     "control_number": "044979158",   # None: old-style ES ("0002**" under tag 00)
     "cr_reading": "text",            # or "segment": what the CR count means (see spec.CR)
     "es_digits": None,               # force 5 or 6 digits for the ES length
     "online": False}                 # consulta: AU (AUTENTICADOR) online, before INTL

Field values: ``str`` is written verbatim (it must already be in the bureau's alphabet), ``int`` as
decimal (zero-padded to the length of a fixed numeric field), ``datetime.date`` as DDMMAAAA, a
``list`` repeats the tag (UR 06, 16), ``None`` leaves the field out. Segments are written in the order
given, fields in the manual's order. The ES segment is added with the exact length of the record.
Errors (``WriteError``) name the segment and field, never the value.

A consulta is written in the manual's order whatever the order given (spec.BEFORE_HEADER): CL
(Sintetiza) first, before INTL; AU before INTL too when ``online``, else (batch) after PI; then PN, PA,
PE, PI in the order given, and ES, whose length counts from the record's first byte. Its ``version``
(11, 12 or 13, default 13) decides which fields it may carry (spec.consulta_allows: PA 13 and PE 20
are INTL13's).
"""
from __future__ import annotations

import datetime as _dt
from typing import Mapping

from ..errors import WriteError
from . import spec

__all__ = ["SEPARATORS", "format_value", "field_bytes", "segment_bytes", "cr_bytes", "header_bytes", "record_bytes"]

SEPARATORS = {"none": b"", "lf": b"\n", "crlf": b"\r\n", "0x13": b"\x13"}


def format_value(f: spec.Field, value, where: str = "") -> bytes:
    if isinstance(value, bytes):
        b = value
    elif isinstance(value, str):
        b = value.encode("latin-1")
    elif isinstance(value, bool):
        raise WriteError(f"{where}{f.tag}: booleans have no INTL13 form")
    elif isinstance(value, int):
        s = str(value)
        if f.fixed and f.kind in ("int", "digits") and value >= 0:
            s = s.zfill(f.max_length)
        b = s.encode("ascii")
    elif isinstance(value, _dt.date):
        b = value.strftime("%d%m%Y").encode("ascii")
    else:
        raise WriteError(f"{where}{f.tag}: cannot write a {type(value).__name__}")
    n = len(b)
    if n > f.max_length or (f.fixed and n != f.max_length):
        raise WriteError(f"{where}{f.tag}: value of {n} bytes, the manual allows "
                         f"{'exactly' if f.fixed else 'at most'} {f.max_length}")
    if n > 99:
        raise WriteError(f"{where}{f.tag}: a 2-digit length field cannot hold {n} bytes")
    return b


def field_bytes(f: spec.Field, value, where: str = "") -> bytes:
    b = format_value(f, value, where)
    return f.tag.encode("ascii") + b"%02d" % len(b) + b


def _plan(seg: spec.Segment):
    """Per segment, once: (name, field, tag bytes) in the manual's order, a field's short reading
    (Field.short: Anexo 14's sic_id) just before it, under the same tag."""
    plan = _PLANS.get(id(seg))
    if plan is None:
        entries = []
        for f in seg.fields:
            if f.short is not None:
                entries.append((f.short.name, f.short, f.tag.encode("ascii")))
            entries.append((f.name, f, f.tag.encode("ascii")))
        plan = _PLANS[id(seg)] = (seg, tuple(entries), frozenset(seg.names()),
                                  tuple((f.short.name, f.name) for f in seg.fields if f.short is not None))
    return plan


_PLANS: dict = {}


def segment_bytes(seg: spec.Segment, values: Mapping, where: str = "") -> bytes:
    _, plan, names, shared = _plan(seg)
    if not names.issuperset(values):
        raise WriteError(f"{where}{seg.tag} has no field(s) {sorted(set(values) - names)}")
    for a, b in shared:
        if values.get(a) is not None and values.get(b) is not None:
            raise WriteError(f"{where}{seg.tag}: {a} and {b} are two readings of one tag; give one")
    parts = []
    get = values.get
    for name, f, tagb in plan:
        v = get(name)
        if v is None:
            continue
        # Fast path for the common case, a str of valid length (the generator writes ~360k fields/s
        # through here: the general path cost 2.4 us a field, this one 0.8 us).
        if type(v) is str:
            b = v.encode("latin-1")
            n = len(b)
            if n <= f.max_length and n <= 99 and (not f.fixed or n == f.max_length):
                parts.append(b"%s%02d%s" % (tagb, n, b))
                continue
        if isinstance(v, list):
            if len(v) > f.repeat:
                raise WriteError(f"{where}{seg.tag} {f.tag}: at most {f.repeat} occurrence(s)")
            parts.extend(field_bytes(f, x, f"{where}{seg.tag} ") for x in v)
        else:
            parts.append(field_bytes(f, v, f"{where}{seg.tag} "))
    if not parts or parts[0][:2] != seg.tag.encode("ascii"):
        raise WriteError(f"{where}{seg.tag}: the segment's first field ({seg.tag}) is required")
    return b"".join(parts)


def cr_bytes(text, reading: str = "text") -> bytes:
    """CR + 04|05 + count + 00 + 00 + text. ``reading``: the count is the text length ("text", the
    manual) or the whole segment length ("segment", text + 12 with a 4-digit count, + 13 with 5)."""
    t = text.encode("latin-1") if isinstance(text, str) else bytes(text)
    if not 0 < len(t) <= spec.CR_MAX_TEXT:
        raise WriteError(f"CR 00: text of {len(t)} bytes, the manual allows 1 to {spec.CR_MAX_TEXT}")
    if reading == "text":
        count = len(t)
        digits = 4 if count <= 9999 else 5
    elif reading == "segment":
        digits = 4 if len(t) + 12 <= 9999 else 5
        count = len(t) + 8 + digits
    else:
        raise WriteError("cr_reading is 'text' or 'segment'")
    return b"CR%02d%0*d0000" % (digits, digits, count) + t


def _header(layout: spec.RecordLayout, rec: Mapping) -> bytes:
    out = bytearray(b" " * layout.header_length)
    found = {"hit": "1", "nohit": "0"}.get(rec.get("kind"), "1")
    defaults = {"segment_tag": "INTL", "version": "13", "reference": "", "country": "MX",
                "bureau_indicator": "0000", "member_code": "", "found": found, "reserved": " "}
    for h in layout.header:
        v = rec.get(h.name, h.constant if h.constant is not None else defaults.get(h.name, ""))
        b = v.encode("latin-1") if isinstance(v, str) else bytes(v)
        if len(b) > h.length:
            raise WriteError(f"INTL header {h.name}: {len(b)} bytes, the manual allows {h.length}")
        if h.name == "reference":      # the manual: blanks to the left up to 25 positions
            b = b.rjust(h.length)
        elif h.type == "N" and b.strip(b"0123456789") == b"":
            b = b.rjust(h.length, b"0")
        else:
            b = b.ljust(h.length)
        out[h.start:h.start + h.length] = b
    return bytes(out)


def _es(layout: spec.RecordLayout, body_len: int, rec: Mapping) -> bytes:
    if layout.kind == "consulta":
        tail = b"0002**"
        total = body_len + 4 + 5 + len(tail)
        return b"ES05%05d" % total + tail
    control = rec.get("control_number")
    if control is None:
        tail = b"0002**"                                  # old style: end mark under tag 00
    else:
        c = control.encode("ascii") if isinstance(control, str) else bytes(control)
        if not 0 < len(c) <= 99 or not c.isdigit():
            raise WriteError("ES 00: the control number is 1 to 99 digits")
        tail = b"00%02d" % len(c) + c + b"0102**"
    digits = rec.get("es_digits")
    if digits is None:
        digits = 5 if body_len + 4 + 5 + len(tail) <= 99999 else 6
    total = body_len + 4 + digits + len(tail)
    if len(str(total)) > digits:
        raise WriteError(f"ES: a record of {total} bytes needs more than {digits} length digits")
    return b"ES%02d%0*d" % (digits, digits, total) + tail


def header_bytes(rec: Mapping) -> bytes:
    """The fixed-position INTL header of a response or consulta record."""
    return _header(spec.CONSULTA if rec.get("kind") == "consulta" else spec.RESPONSE, rec)


def record_bytes(rec: Mapping, header: bytes = None) -> bytes:
    """``header``: the INTL header already built (a batch of consultas shares all of it but the
    reference: building it once per record was 9% of consulta.build)."""
    kind = rec.get("kind", "hit")
    if kind in ("hit", "nohit"):
        layout = spec.RESPONSE
        head = header or _header(layout, rec)
    elif kind == "error":
        layout = spec.ERROR
        head = b"ERRR"
    elif kind == "consulta":
        return _consulta_bytes(rec, header)
    else:
        raise WriteError(f"unknown record kind {kind!r}")
    parts = [head]
    for tag, values in rec.get("segments", ()):
        if tag == "CR" and layout is spec.RESPONSE:
            parts.append(cr_bytes(values["declarativa"], values.get("reading", rec.get("cr_reading", "text"))))
            continue
        seg = layout.by_tag.get(tag)
        if seg is None or tag == "ES":
            raise WriteError(f"{layout.kind} records have no segment {tag!r} (ES is added by the writer)")
        parts.append(segment_bytes(seg, values))
    body = b"".join(parts)
    return body + _es(layout, len(body), rec)


def _consulta_bytes(rec: Mapping, header: bytes = None) -> bytes:
    """A consulta in the manual's order (see the module docstring)."""
    layout = spec.CONSULTA
    version = str(rec.get("version", "13"))
    if version not in spec.CONSULTA_VERSIONS:
        raise WriteError(f"consulta version is one of {', '.join(spec.CONSULTA_VERSIONS)}")
    before = ("CL", "AU") if rec.get("online") else ("CL",)
    lead, body = [], []
    for tag, values in rec.get("segments", ()):
        seg = layout.by_tag.get(tag)
        if seg is None or tag == "ES":
            raise WriteError(f"consulta records have no segment {tag!r} (ES is added by the writer)")
        for f in seg.fields:
            if values.get(f.name) is not None and not spec.consulta_allows(version, tag, f.tag):
                raise WriteError(f"consulta {tag} {f.tag}: not in INTL{version} consultas (new in version 13)")
        (lead if tag in before else body).append((spec.BEFORE_HEADER.index(tag) if tag in before
                                                  else layout.order.index(tag), segment_bytes(seg, values)))
    lead.sort(key=lambda x: x[0])                  # CL, then AU
    body.sort(key=lambda x: x[0])                  # PN, PA, PE, PI, AU (batch); a segment's repeats in order
    head = header or _header(layout, rec)
    data = b"".join(b for _, b in lead) + head + b"".join(b for _, b in body)
    return data + _es(layout, len(data), rec)
