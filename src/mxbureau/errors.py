"""The exceptions mxbureau raises on purpose, and the problems it reports without raising.

Messages carry positions, tags, lengths and rule names, never a field value: bureau files hold names,
RFCs, CURPs and addresses, and error messages end up in logs. Each format defines its own problem
codes and their message templates (``mxbureau.intl13.spec.PROBLEMS``); this module holds only the
classes every format shares.

    MxbureauError                 the root: ``except mxbureau.MxbureauError`` catches every one
    ├── FormatError (ValueError)  bad bytes in an input: offset, record, segment, tag, code
    ├── SourceError (OSError)     an input that cannot be opened or read
    │   └── MissingSourceError (FileNotFoundError)   a path or glob that names no file
    ├── NotFoundError (LookupError)   a record asked for that the source does not have
    ├── UsageError (ValueError)   an argument the API cannot use
    │   ├── UnknownNameError (KeyError)   a segment, table or feature name that does not exist
    │   └── SourceTypeError (TypeError)   a source of a kind that cannot be read (an int, a text file)
    └── WriteError (ValueError)   a value the writer cannot put in the format (segment and field named)
        └── ConsultaError         a consulta batch that cannot be built
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

__all__ = ["MxbureauError", "FormatError", "SourceError", "MissingSourceError", "UsageError", "UnknownNameError", "SourceTypeError", "WriteError",
           "ConsultaError", "NotFoundError", "Problem", "message", "snippet"]


class MxbureauError(Exception):
    """The root of every exception mxbureau raises on purpose."""


class FormatError(MxbureauError, ValueError):
    """Bad input. ``offset`` is the byte (in the source) where the problem was detected, ``record``
    the 0-based index of the record, ``segment``/``tag`` the segment and field tags when known,
    ``code`` the format's problem code. The message never contains a field value."""

    def __init__(self, msg: str, *, offset: int, record: int, segment: Optional[str] = None,
                 tag: Optional[str] = None, code: int = 0):
        self.offset = offset
        self.record = record
        self.segment = segment
        self.tag = tag
        self.code = code
        self.source = None       # the input's name, when the caller knows it (convert of several files)
        where = f"byte {offset}, record {record}"
        if segment:
            where += f", segment {segment}"
        if tag:
            where += f", tag {tag}"
        super().__init__(f"{msg} ({where})")

    def __reduce__(self):
        # picklable with its attributes: a distributed task raises it in another process
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


def _rebuilt(cls, args, state):
    e = cls.__new__(cls)
    Exception.__init__(e, *args)
    e.__dict__.update(state)
    return e


class SourceError(MxbureauError, OSError):
    """An input that cannot be opened or read (the message names it, never its bytes)."""


class NotFoundError(MxbureauError, LookupError):
    """A record asked for (by reference or index) that the source does not have; the message never
    repeats the reference."""


class MissingSourceError(SourceError, FileNotFoundError):
    """A path or a glob that names no file (the message shows at most 40 characters of it)."""


class UsageError(MxbureauError, ValueError):
    """An argument the API cannot use."""


class UnknownNameError(UsageError, KeyError):
    """A segment, table, column or feature name that does not exist."""

    def __str__(self):                   # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SourceTypeError(UsageError, TypeError):
    """A source of a kind mxbureau cannot read (not a path, buffer or binary file)."""


class WriteError(MxbureauError, ValueError):
    """A value the writer cannot put in the format; the message names the segment and field."""


class ConsultaError(WriteError):
    """Arguments that make the whole consulta batch impossible (a bad member code, password or
    product); a bad row is a reject, not an exception."""


def message(messages: Mapping[int, str], code: int, a: int = 0, b: int = 0) -> str:
    """The text of a problem: the format's template for ``code`` with the numeric details a and b."""
    return messages.get(code, "unknown problem {a} {b}").format(a=a, b=b)


def snippet(buf, start: int, end: int, limit: int = 48) -> str:
    """The bytes [start, end) (at most ``limit``) for a message, only when a caller asked for values
    (``show_values=True`` / ``--show-values``: debugging on one's own machine)."""
    start, end = max(0, int(start)), min(len(buf), int(end))
    b = bytes(buf[start:min(end, start + limit)])
    return repr(b.decode("latin-1")) + ("..." if end - start > limit else "")


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
