"""Type stubs for the compiled rows kernel (_rows.pyx): a Decoding's lookup tables and a token index ->
per record, per table slot, one dict of Python values per segment occurrence. intl13/report.py
calls it (Report's rows path)."""
from typing import Dict, List, Optional, Tuple

import numpy as np

def copy_span(buf: np.ndarray, lo: int, hi: int) -> bytes:
    """bytes(buf[lo:hi]), copied under the guard against a memory-mapped input shrinking."""

class Rows:
    """names[s]: the decoder's column names of slot s; templates[s]: a dict of every column of the
    slot's table, all None (None: the slot's rows are not wanted); extras[s]: (column, "map" |
    "negative", key, dict | digits) -- see the class docstring; take: kind code -> 1 if decoded."""
    def __init__(self, seg_lut: np.ndarray, field_lut: np.ndarray, field_kind: np.ndarray,
                 field_max: np.ndarray, field_longer: np.ndarray, field_again: np.ndarray, take: np.ndarray,
                 names: List[Tuple[str, ...]], templates: List[Optional[Dict[str, None]]],
                 extras: List[list]) -> None: ...
    def rows(self, data: bytes, lo: int, off: np.ndarray, ln: np.ndarray, tag: np.ndarray, tok_base: int,
             tok_start: np.ndarray, tok_end: np.ndarray, kind_code: np.ndarray, ok: np.ndarray,
             r0: int, r1: int, build: bool = True) -> Tuple[Optional[List[Optional[list]]], int]:
        """(rows of records r0..r1, the count of values a strict read raises on)."""
