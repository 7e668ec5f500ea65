"""Type stubs for the compiled column decoders (_decode.pyx). tables.py, intl13/records.py,
intl13/validate.py and analytics/history.py call them; arrays are numpy, strings are Arrow
large_string buffers (int64 offsets, UTF-8 data)."""
from typing import Dict, List, Optional, Tuple

import numpy as np

KIND_TEXT: int
KIND_INT: int
KIND_AMOUNT: int
KIND_DATE: int
KIND_CODE2: int
KIND_CODE: int
KIND_DIGITS: int
KIND_NEG: int
MAX_FIELDS: int
UNKNOWN_COLUMN: int
WHY_VALUE: int
WHY_TOO_LONG: int
WHY_REPEATED: int
WHY_UNKNOWN_TAG: int
WHY_UNKNOWN_SEGMENT: int

class Program:
    """A format's field tables as the decoder reads them, checked once (tables.Decoding holds one)."""
    def __init__(self, seg_unknown: np.ndarray, field_lut: np.ndarray, field_kind: np.ndarray, field_max: np.ndarray,
                 field_longer: np.ndarray, field_again: np.ndarray, field_neg: np.ndarray, field_spell: np.ndarray,
                 field_by: np.ndarray, field_order: np.ndarray, by_widths: Dict[int, Dict[bytes, int]],
                 nseg: int) -> None: ...

class Segments:
    """Pass 1 (every table's rows) on construction; ``fill`` runs pass 2 into a caller's block."""
    def __init__(self, program: Program, buf: np.ndarray, off: np.ndarray, ln: np.ndarray, tag: np.ndarray,
                 tok_start: np.ndarray, tok_end: np.ndarray, rec_take: np.ndarray, rec_index: np.ndarray,
                 seg_lut: np.ndarray) -> None: ...
    @property
    def counts(self) -> np.ndarray:
        """Rows per table slot."""
    def fill(self, block: np.ndarray, plan: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pass 2 into block (plan: byte offsets a slot and column): (token, slot * MAX_FIELDS +
        column or -1, WHY_*) of the values left out or nulled (read-only empty arrays: none)."""
    def batch(self, s: int, schema: "pyarrow.Schema", has_pos: bool, record_start: Optional[np.ndarray] = None,
              starts: Optional[np.ndarray] = None, first: int = 0) -> "pyarrow.RecordBatch":
        """Table slot s after fill as a RecordBatch of schema over fill's block (record_start, or
        starts[record - first] gathered)."""
    def tables(self, schemas: List["pyarrow.Schema"], has_pos: List[bool], starts: np.ndarray,
               first: int = 0) -> List[Optional["pyarrow.Table"]]:
        """batch() of every slot with rows as a one-chunk Table, None for a slot without rows."""

def token_codes(buf: np.ndarray, off: np.ndarray, ln: np.ndarray, tokens: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The distinct values (bytes) of tokens -> (index int32 a token, first int64 a distinct value:
    the token where it first occurs); a token out of range raises ValueError."""

def text_column(buf: np.ndarray, off: np.ndarray, ln: np.ndarray, tokens: np.ndarray, rows: np.ndarray,
                nrows: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values of tokens (indices into off and ln) as rows (increasing) of an nrows string column ->
    (offsets, data, valid); a token or row out of range raises ValueError."""

def fixed_text(buf: np.ndarray, starts: np.ndarray, valid: np.ndarray, width: int) -> Tuple[np.ndarray, np.ndarray]:
    """Fixed-width fields, blanks stripped -> (offsets, data); rows not valid stay empty."""

def code_matrix(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, shift: np.ndarray,
                width: int, lut: np.ndarray) -> np.ndarray:
    """Strings -> int8[n, width] through lut, each row's characters from column shift[row]."""
