"""How a format is described: fields, segments and record layouts as plain data.

Formats (``mxbureau.intl13.spec``, ``mxbureau.circulo.spec``) are written with these classes; the
core (tables, decoder, validation) reads them. This module imports nothing of the package.

Field kinds (how a value is decoded into a column):

``text``     free text, kept exactly (latin-1 decoded, never stripped)
``code``     a value from a short list or an annex (dictionary-encoded)
``digits``   numeric string whose leading zeros matter (phones, postal codes, control numbers)
``int``      counts and small numbers
``amount``   integer amount, optionally signed, sign leading or trailing (``7597+``, ``-1500``, ``1500-``)
``date``     DDMMAAAA; ``00000000`` means absent
``history``  payment history (INTL13 Anexo 4), kept exactly: spaces are data
"""
from __future__ import annotations

from dataclasses import dataclass, field as _dc_field
from typing import Dict, Optional, Tuple

__all__ = ["Field", "Segment", "HeaderField", "RecordLayout", "KINDS", "tag_code", "tag_str"]

KINDS = ("text", "code", "digits", "int", "amount", "date", "history")


@dataclass(frozen=True)
class Field:
    tag: str            # two characters: the segment's letters for the first field, else two digits
    name: str           # English snake_case column name
    spanish: str        # the manual's name
    type: str           # N, A, AN (the manual's "Tipo"); "A/N" for the CR text
    max_length: int
    fixed: bool         # True: "F" (exactly max_length), False: "V" (1..max_length)
    kind: str           # see module docstring
    required: Optional[bool] = None   # consulta only: R / O (None in responses)
    repeat: int = 1     # how many times the tag may appear within one segment (UR 06 and 16: 5)
    catalog: Optional[str] = None     # name of the catalogue in catalogs.py the value belongs to
    # A value of at most ``short.max_length`` bytes is read as this other field, in a column of its own
    # (INTL13 Anexo 14: a 1-digit TL 03 / IQ 09 is a SIC id, a longer one a phone / reserved zeros).
    short: Optional["Field"] = None
    # amount: negative values are codes (INTL13 SC 01: exclusion codes), moved to the code column of
    # this name and spelled "-" + max_length - 1 digits ("-009"); the value column holds them as null.
    negative: Optional[str] = None
    # numeric code: leading zeros dropped, then padded to at least this many digits (one spelling a
    # value: "010", "10" -> "10" with 2); ``code_width_by``: (tag of another field of the segment,
    # ((its value, width), ...)) when that field's value changes the width (INTL13 SC reasons: ICC).
    code_width: Optional[int] = None
    code_width_by: Optional[Tuple[str, Tuple[Tuple[str, int], ...]]] = None
    # code: (column name, catalogue name, ((code, level), ...)): the code as a number on an ordered
    # scale, in an int8 column of this name after the field's (INTL13 MOP: 01-07 -> 1-7, 96/97/99 ->
    # 9); a code not listed (UR) is null there. Computed by the decoder.
    ordinal: Optional[Tuple[str, str, Tuple[Tuple[str, int], ...]]] = None

    @property
    def columns(self) -> Tuple[str, ...]:
        """The table columns of the field's occurrences in a segment: ``name``, then ``name_2`` ..
        ``name_<repeat>`` for a tag the manual lets repeat."""
        return (self.name,) + tuple(f"{self.name}_{k}" for k in range(2, self.repeat + 1))


@dataclass(frozen=True)
class Segment:
    tag: str
    name: str
    spanish: str
    fields: Tuple[Field, ...]
    max_occurs: Optional[int]          # None: unlimited
    manual_max_sum: Optional[int]      # "Suma longitudes máximas de campos" as the manual prints it
    required: bool = False
    by_tag: Dict[str, Field] = _dc_field(default=None, compare=False, repr=False)  # type: ignore

    def __post_init__(self):
        object.__setattr__(self, "by_tag", {f.tag: f for f in self.fields})

    def field(self, tag_or_name: str) -> Field:
        f = self.by_tag.get(tag_or_name)
        if f is None:
            for g in self.fields:
                if g.name == tag_or_name:
                    return g
                if g.short is not None and g.short.name == tag_or_name:
                    return g.short
            raise KeyError(f"{self.tag} has no field {tag_or_name!r}")
        return f

    @property
    def max_sum(self) -> int:
        return sum(f.max_length for f in self.fields)   # each tag once, as the manual counts

    def names(self) -> Tuple[str, ...]:
        """Every name a value of the segment can be given: its fields' and their short readings'."""
        return tuple(n for f in self.fields for n in ((f.name,) + ((f.short.name,) if f.short else ())))


@dataclass(frozen=True)
class HeaderField:
    name: str
    spanish: str
    type: str
    start: int          # 0-based offset within the record
    length: int
    kind: str
    constant: Optional[str] = None   # bytes the manual fixes (INTL, MX, reserved zeros...)


@dataclass(frozen=True)
class RecordLayout:
    kind: str                       # "response", "error", "consulta"
    header: Tuple[HeaderField, ...]
    header_length: int
    segments: Tuple[Segment, ...]   # in the manual's order
    by_tag: Dict[str, Segment] = _dc_field(default=None, compare=False, repr=False)  # type: ignore

    def __post_init__(self):
        object.__setattr__(self, "by_tag", {s.tag: s for s in self.segments})

    @property
    def order(self) -> Tuple[str, ...]:
        return tuple(s.tag for s in self.segments)


def tag_code(tag) -> int:
    """Two-byte tag -> the uint16 code the scanner stores, little-endian (first byte low), so that a
    uint16 array of codes viewed as ``S2`` reads as the tags: ``tag_code("TL") == 0x4C54``."""
    b = tag.encode("latin-1") if isinstance(tag, str) else bytes(tag)
    if len(b) != 2:
        raise ValueError("a tag has exactly two bytes")
    return b[0] | (b[1] << 8)


def tag_str(code: int) -> str:
    return bytes((code & 0xFF, (code >> 8) & 0xFF)).decode("latin-1")
