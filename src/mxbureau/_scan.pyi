"""Type stubs for the compiled tokenizer (_scan.pyx). scanner.py is its only caller."""
from typing import Dict, Optional, Tuple

import numpy as np

Failure = Tuple[int, int, int, int, int, int, int]   # code, offset, seg, tag, a, b, record (in range)

def scan_range(buf: np.ndarray, start: int, stop: int, strict: bool, expect_tokens: int = 0
               ) -> Tuple[int, Dict[str, np.ndarray], Dict[str, np.ndarray], Dict[str, np.ndarray], Optional[Failure]]:
    """Scan the records of buf that start in [start, stop) -> (end, tokens, records, errors, failure)."""

def find_record_start(buf: np.ndarray, pos: int) -> int:
    """The first position >= pos where a whole record parses with an exact ES (len(buf) if none)."""

def release_pool() -> None:
    """Unmap every pooled token buffer."""
