"""What the core knows of a format: a ``Format`` (its layout as data, its compiled range scanner and
the few per-format columns of its records table), and the formats registered. A format package
(``mxbureau.intl13``) builds its Format and registers it; the core never imports a format."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Mapping, Optional, Tuple

import numpy as np

from .errors import UnknownNameError
from .layout import Segment

__all__ = ["Format", "register", "get", "detect", "names"]


@dataclass(frozen=True, eq=False)
class Format:
    """A format as the core uses it.

    ``scanner``: the compiled module with ``scan_range(buf, start, stop, strict, lane=None, max_tokens=0)`` and
    ``find_record_start(buf, pos)`` filling the shared token index (mxbureau/_index.pxd), and
    ``INFO``, the names of the per-record numbers it writes. ``kinds``: record kind names by kind
    code; ``decoded_kinds``: the kind codes whose segments become tables. ``messages``: problem code
    -> message template (numeric details ``{a}``, ``{b}``). ``tables``: the segments that get a
    table, in table order. ``known``: kind code -> the sorted ``segment << 16 | tag`` codes the
    layout defines (``Tokens.unknown``). ``records_table(tok)``: the records table (the core adds
    nothing to it). ``sniff(first_bytes)``: True when an input starts like this format.
    ``personal``: table -> {column: "hmac" | "year"}, the personal data redaction replaces.
    ``max_record``: the longest record the format allows, in bytes (streams are read in windows
    that hold at least two). ``describe(table, column)``: an English description of a column;
    ``catalogs``: catalogue name -> {code: label}; ``accepted``: catalogue name -> the catalogues
    whose codes a column of it may hold (default: its own); ``records_schema``: the records table's schema.
    ``finish_tables(tables, tok)``: the format's own columns added to decoded tables (a dict tag ->
    table; tok is None for the empty tables the schemas come from). ``decode_codes``: the format's
    problem codes for what the table decoder finds (names ``VALUE_TOO_LONG``, ``TAG_REPEATED``; their
    templates are in ``messages``)."""
    name: str
    scanner: object
    kinds: Tuple[str, ...]
    decoded_kinds: Tuple[int, ...]
    messages: Mapping[int, str]
    tables: Mapping[str, Segment]
    known: Mapping[int, np.ndarray]
    records_table: Callable
    sniff: Callable[[bytes], bool]
    personal: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    max_record: int = 1 << 20
    describe: Optional[Callable[[str, str], str]] = None
    catalogs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    accepted: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    records_schema: Optional[object] = None
    finish_tables: Optional[Callable] = None
    segment_tags: FrozenSet[int] = field(default=frozenset())
    decode_codes: Mapping[str, int] = field(default_factory=dict)

    def __repr__(self):
        return f"<Format {self.name}>"


_FORMATS: Dict[str, Format] = {}


def register(fmt: Format) -> Format:
    _FORMATS[fmt.name] = fmt
    return fmt


def names() -> Tuple[str, ...]:
    return tuple(_FORMATS)


def get(name: Optional[str] = None) -> Format:
    """The format called ``name``; the first one registered (INTL13) when None."""
    if name is None:
        return next(iter(_FORMATS.values()))
    if isinstance(name, Format):
        return name
    try:
        return _FORMATS[name]
    except KeyError:
        raise UnknownNameError(f"no format {name!r}; formats: {', '.join(_FORMATS)}") from None


def detect(buf, name: Optional[str] = None) -> Format:
    """The format named, or the first registered one whose ``sniff`` accepts the input's first bytes
    (the default format when none does: its scanner then says what is wrong)."""
    if name is not None:
        return get(name)
    head = bytes(buf[:64])
    for fmt in _FORMATS.values():
        if fmt.sniff(head):
            return fmt
    return get()
