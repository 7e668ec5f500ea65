"""Type stubs for the compiled tokenizer (_scan.pyx). scanner.py is its only caller."""
from typing import Dict, Optional, Tuple

import numpy as np

Failure = Tuple[int, int, int, int, int, int, int]   # code, offset, seg, tag, a, b, record (in range)

class Lane:
    """A range [start, stop) of a parallel scan, which another thread may split while it is scanned."""
    start: int
    def __init__(self, start: int, stop: int) -> None: ...
    @property
    def claimed(self) -> int:
        """Records starting below this are the scan's (INT64_MAX once the scan has returned)."""
    @property
    def stop(self) -> int: ...
    def split(self, m: int) -> bool:
        """Make the scan end at its first record start at or past m; False if it has claimed past m."""

def scan_range(buf: np.ndarray, start: int, stop: int, strict: bool, expect_tokens: int = 0,
               lane: Optional[Lane] = None
               ) -> Tuple[int, Dict[str, np.ndarray], Dict[str, np.ndarray], Dict[str, np.ndarray], Optional[Failure]]:
    """Scan the records of buf that start in [start, stop), or in lane's range (start and stop then
    ignored) -> (end, tokens, records, errors, failure)."""

def find_record_start(buf: np.ndarray, pos: int) -> int:
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none)."""

def release_pool() -> None:
    """Unmap every pooled token buffer."""
