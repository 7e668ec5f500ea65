"""What a page shows of a personal field (``spec.PERSONAL_DATA``): the value, or under a redaction key
its keyed digest (the same HMAC-SHA256 as ``Tables.redact`` and ``convert --redact-key-file``, so a
page can be matched to redacted tables) and, for birth and death dates, the year alone."""
from __future__ import annotations

import datetime as _dt
from typing import Optional

from .. import redact
from ..intl13 import spec

__all__ = ["Personal"]

SHOWN_HEX = 16          # hex digits of the digest on the page (the full digest is in the title)


class Personal:
    def __init__(self, key=None):
        self.key = redact.check_key(key) if key is not None else None

    @property
    def redacting(self) -> bool:
        return self.key is not None

    def rule(self, segment: str, name: str) -> Optional[str]:
        """"hmac", "year" or None (not personal)."""
        return spec.PERSONAL_DATA.get(segment, {}).get(name)

    def show(self, segment: str, name: str, value, plain) -> str:
        """HTML for ``value``: ``plain(value)`` when it is not personal or there is no key."""
        how = self.rule(segment, name)
        if how is None or self.key is None or value is None:
            return plain(value)
        if how == "year":
            year = value.year if isinstance(value, _dt.date) else None
            return f'<span class="red">{year if year is not None else "—"}</span>'
        d = redact.digest(self.key, value if isinstance(value, str) else str(value))
        return f'<span class="red" title="hmac-sha256 {d}">{d[:SHOWN_HEX]}…</span>'

    def text(self, segment: str, name: str, value) -> Optional[str]:
        """Plain text (terminal rendering): the value, the digest's first hex digits or the year."""
        how = self.rule(segment, name)
        if how is None or self.key is None or value is None:
            return None if value is None else str(value)
        if how == "year":
            return str(value.year) if isinstance(value, _dt.date) else "—"
        return redact.digest(self.key, value if isinstance(value, str) else str(value))[:SHOWN_HEX] + "…"
