"""Type stubs for the compiled INTL13 tokenizer (_scan.pyx), the range scanner of ``intl13.FORMAT``."""
from typing import Dict, Optional, Tuple

import numpy as np

Failure = Tuple[int, int, int, int, int, int, int]   # code, offset, seg, tag, a, b, record (in range)

from mxbureau._index import Lane

CONSTANTS: Dict[str, object]
INFO: Tuple[str, ...]

def scan_range(buf: np.ndarray, start: int, stop: int, strict: bool, expect_tokens: int = 0,
               lane: Optional[Lane] = None, max_tokens: int = 0
               ) -> Tuple[int, Dict[str, np.ndarray], Dict[str, np.ndarray], Dict[str, np.ndarray], Optional[Failure]]:
    """Scan the records of buf that start in [start, stop), or in lane's range (start and stop then
    ignored) -> (end, tokens, records, errors, failure)."""

def find_record_start(buf: np.ndarray, pos: int) -> int:
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none).
    Linear in the bytes searched."""

def work() -> int:
    """Bytes examined by the scanner's walks and parses so far in this process (for tests)."""

def set_walk_budget(nbytes: int) -> int:
    """Bytes a search for record starts walks before it remembers its walks (default 64 KB); -> the
    old value. Tests set 0: every search is then linear from its first byte."""
