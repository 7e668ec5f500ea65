"""Errors and problems. Messages carry positions, tags and lengths, never a field value: INTL13 files
hold names, RFCs, CURPs and addresses, and error messages end up in logs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

__all__ = ["FormatError", "Problem", "MESSAGES", "message", "snippet"]

# Problem codes shared by the compiled scanner (_scan.pyx) and the pure-Python twin (mxbureau/reference.py).
# Each message is formatted with the problem's numeric details a and b.
MESSAGES = {
    1: "expected a record start (INTL or ERRR)",
    2: "input ends inside a record: a field needs {a} bytes, {b} remain",
    3: "field tag is neither two digits nor two capital letters",
    4: "field length is not two ASCII digits",
    5: "INTL header: version is not two digits",
    6: "INTL header: country code MX not found at position 32 (response) or 35 (consulta)",
    7: "INTL header: found flag is neither 0 nor 1",
    8: "field outside a segment: a numeric tag before any segment tag",
    9: "ES length is not 1 to 6 digits",
    10: "ES declares {a} bytes but the record has {b}",
    11: "a segment starts after ES before its ** end mark",
    12: "record passes {a} bytes without an ES end mark",
    13: "CR count is not digits",
    14: "CR: expected tag 00 with length 00 before the declarativa text",
    15: "CR count fits neither reading (text length or whole-segment length)",
}


def message(code: int, a: int = 0, b: int = 0) -> str:
    return MESSAGES.get(code, "unknown problem {a} {b}").format(a=a, b=b)


def snippet(buf, start: int, end: int, limit: int = 48) -> str:
    """The bytes [start, end) (at most ``limit``) for a message, only when a caller asked for values
    (``show_values=True`` / ``--show-values``: debugging on one's own machine)."""
    start, end = max(0, int(start)), min(len(buf), int(end))
    b = bytes(buf[start:min(end, start + limit)])
    return repr(b.decode("latin-1")) + ("..." if end - start > limit else "")


class FormatError(ValueError):
    """Bad INTL13 input. ``offset`` is the byte (in the source) where the problem was detected,
    ``record`` the 0-based index of the record, ``segment``/``tag`` the segment and field tags when
    known. The message never contains a field value."""

    def __init__(self, msg: str, *, offset: int, record: int, segment: Optional[str] = None,
                 tag: Optional[str] = None, code: int = 0):
        self.offset = offset
        self.record = record
        self.segment = segment
        self.tag = tag
        self.code = code
        where = f"byte {offset}, record {record}"
        if segment:
            where += f", segment {segment}"
        if tag:
            where += f", tag {tag}"
        super().__init__(f"{msg} ({where})")


@dataclass(frozen=True)
class Problem:
    """One damaged span found in lenient mode: bytes ``start``..``end`` were skipped."""
    start: int
    end: int
    offset: int
    record: int
    segment: Optional[str]
    tag: Optional[str]
    code: int
    message: str

