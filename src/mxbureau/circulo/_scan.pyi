"""Type stubs for the compiled Círculo scanner (_scan.pyx): the range scanner of ``circulo.FORMAT``,
the validator's segment walk and the kernels over segment offsets."""
from typing import Dict, Optional, Tuple

import numpy as np

from mxbureau._index import Lane

Failure = Tuple[int, int, int, int, int, int, int]   # code, offset, seg, tag, a, b, record (in range)

CONSTANTS: Dict[str, object]
INFO: Tuple[str, ...]


class Scanner:
    name: str
    lengths: Tuple[int, ...]

    def __init__(self, name: str, segments: list, legacy: Optional[dict] = None) -> None: ...
    def for_tables(self, roles) -> "Scanner":
        """A copy that cuts field tokens only for the segments of ``roles``."""
    def scan_range(self, buf: np.ndarray, start: int, stop: int, strict: bool, expect_tokens: int = 0,
                   lane: Optional[Lane] = None, max_tokens: int = 0
                   ) -> Tuple[int, Dict[str, np.ndarray], Dict[str, np.ndarray], Dict[str, np.ndarray], Optional[Failure]]:
        """Records starting in [start, stop) (or the lane's range) -> (end, tokens, records, errors, failure)."""
    def find_record_start(self, buf: np.ndarray, pos: int) -> int:
        """The first whole EM or TS segment at or after pos (0 for 0); len(buf) if none."""
    def walk(self, buf: np.ndarray, start: int, stop: int, state: Optional[tuple] = None) -> dict:
        """Every segment in [start, stop) as the validator reads it: tokens, records, segments, findings, state."""
    def segment_rows(self, offset: np.ndarray, length: np.ndarray, tag: np.ndarray, tok_start: np.ndarray,
                     tok_end: np.ndarray, kind: np.ndarray, credits: np.ndarray, record_base: int,
                     credit_base: int) -> Dict[str, np.ndarray]: ...
    def lengths_of(self, roles) -> np.ndarray: ...
    def field_status(self, buf: np.ndarray, offsets: np.ndarray, tag: str, legacy: bool = False) -> np.ndarray: ...
    def hashes(self, buf: np.ndarray, offsets: np.ndarray, rel: int, width: int) -> np.ndarray: ...


def plain_walk(buf: np.ndarray, out: np.ndarray, sc: Scanner) -> int:
    """The plain C walk writing every field value's offset (the benchmarks' limit)."""
def place_rows(out: np.ndarray, starts: np.ndarray, rows: np.ndarray, which: np.ndarray) -> None: ...
