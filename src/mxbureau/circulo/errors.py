"""The Círculo FormatError: the core's, plus the index of the company block the damage is in."""
from __future__ import annotations

from typing import Optional

from ..errors import FormatError
from . import spec

__all__ = ["CirculoFormatError", "with_company"]

# Problems found inside a company block (their record is the block: company = record - 1).
_IN_BLOCK = {spec.CODE[c] for c in ("TRUNCATED", "BAD_FIELD_TAG", "BAD_IDENTIFIER", "OUT_OF_ORDER", "BAD_LENGTH")}
_BLOCK_SEGMENTS = {"EM", "AC", "CR", "DE", "AV"}


class CirculoFormatError(FormatError):
    """FormatError with ``company``: the 0-based index of the EM block the damage is in (None when it is
    not in one: the header, the trailer, bytes between blocks)."""

    def __init__(self, msg: str, *, offset: int, record: int, segment: Optional[str] = None,
                 tag: Optional[str] = None, code: int = 0, company: Optional[int] = None):
        super().__init__(msg, offset=offset, record=record, segment=segment, tag=tag, code=code)
        self.company = company
        if company is not None:
            self.args = (self.args[0][:-1] + f", company {company})",)


def with_company(e: FormatError) -> CirculoFormatError:
    """The core's FormatError from a Círculo scan, with its company index."""
    if isinstance(e, CirculoFormatError):
        return e
    in_block = (e.code in _IN_BLOCK and e.segment in _BLOCK_SEGMENTS) or e.code == spec.CODE["UNKNOWN_IN_BLOCK"]
    company = e.record - 1 if in_block and e.record >= 1 else None
    msg = str(e).rsplit(" (byte ", 1)[0]
    out = CirculoFormatError(msg, offset=e.offset, record=e.record, segment=e.segment, tag=e.tag, code=e.code,
                             company=company)
    out.source = e.source
    return out
