"""Type stubs for the compiled column decoders (_decode.pyx). tables.py, validate.py and history.py
call them; arrays are numpy, strings are Arrow large_string buffers (int64 offsets, UTF-8 data)."""
from typing import List, Tuple

import numpy as np

KIND_TEXT: int
KIND_INT: int
KIND_AMOUNT: int
KIND_DATE: int
KIND_CODE2: int
KIND_CODE: int

def decode_segments(buf: np.ndarray, off: np.ndarray, ln: np.ndarray, tag: np.ndarray, tok_start: np.ndarray,
                    tok_end: np.ndarray, rec_take: np.ndarray, rec_index: np.ndarray, seg_lut: np.ndarray,
                    field_lut: np.ndarray, field_kind: np.ndarray, nseg: int
                    ) -> Tuple[List[list], Tuple[np.ndarray, np.ndarray]]:
    """Per table slot [nrows, record, position, columns]; and (token, slot * 64 + field) of bad values."""

def text_column(buf: np.ndarray, off: np.ndarray, ln: np.ndarray, tokens: np.ndarray, rows: np.ndarray,
                nrows: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values of tokens as rows (increasing) of an nrows string column -> (offsets, data, valid)."""

def fixed_text(buf: np.ndarray, starts: np.ndarray, valid: np.ndarray, width: int) -> Tuple[np.ndarray, np.ndarray]:
    """Fixed-width fields, blanks stripped -> (offsets, data); rows not valid stay empty."""

def history_matrix(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, shift: np.ndarray,
                   months: int) -> np.ndarray:
    """Payment histories -> int8[n, months], column 0 the as-of month."""
