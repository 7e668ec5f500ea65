"""Tokens: the scanner's result. Flat numpy arrays, one entry per field, plus a per-record table and
the problems found. No Python object per token; no format knowledge (the Format it came from names
the record kinds, problem messages and known tags)."""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from .errors import Problem, message, snippet
from .formats import Format
from .layout import tag_str

__all__ = ["Tokens", "Columns", "kind_names", "problems_from", "safe_tag"]


def kind_names(fmt: Format) -> np.ndarray:
    """The format's kind names by kind code, "unknown" last (kind code -1 by negative index). Object,
    not "<U8": 8 bytes a record instead of 32, and Tokens() for the 57 MB corpus's 24k records took
    0.22 ms instead of 0.55 (fresh memory is faulted in)."""
    names = _KIND_NAMES.get(fmt.name)
    if names is None:
        names = _KIND_NAMES[fmt.name] = np.array(fmt.kinds + ("unknown",), dtype=object)
    return names


_KIND_NAMES: Dict[str, np.ndarray] = {}


class Columns(dict):
    """A dict of equal-length numpy arrays with attribute access and ``to_pandas()``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self):
        for v in self.values():
            return len(v)
        return 0

    @property
    def num_rows(self) -> int:
        return len(self)

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(dict(self))


def safe_tag(code: int, fmt: Format) -> Optional[str]:
    """A tag fit for an error message: a segment tag of the format or two digits, else None (bytes
    at a tag position in damaged input may be a customer's data)."""
    if code == 0:
        return None
    t = tag_str(int(code))
    if t.isdigit() or code in fmt.segment_tags:
        return t
    return None


def problems_from(errors: Dict[str, np.ndarray], fmt: Format, values_of=None, base: int = 0) -> List[Problem]:
    """The scanner's problem arrays (positions in the scanned buffer) as Problems (positions in the
    source: ``base`` is the source offset of the buffer). ``values_of``: the scanned buffer, to append
    the damaged bytes to each message (show_values)."""
    out = []
    for i in range(len(errors["code"])):
        code = int(errors["code"][i])
        msg = message(fmt.messages, code, int(errors["a"][i]), int(errors["b"][i]))
        if values_of is not None:
            msg += "; bytes: " + snippet(values_of, errors["start"][i], errors["end"][i])
        out.append(Problem(start=base + int(errors["start"][i]), end=base + int(errors["end"][i]),
                           offset=base + int(errors["offset"][i]), record=int(errors["record"][i]),
                           segment=safe_tag(int(errors["segment_tag"][i]), fmt),
                           tag=safe_tag(int(errors["tag"][i]), fmt), code=code, message=msg))
    return out


class Tokens:
    """The token index of one scanned buffer (a whole source, or one chunk of it).

    ``buffer``: the scanned bytes (a uint8 array over the source, or over a window of a stream, which
    it keeps alive); ``base``: the source offset of ``buffer[0]`` (0 but for a stream's windows);
    ``source``: the source's name; ``span``: the (first, end) byte positions of the source it covers;
    ``format``: the Format they were scanned as. Arrays (one entry per field, file order): ``offset`` (int64,
    where the value starts in ``buffer``), ``length`` (uint16), ``tag`` and ``segment_tag`` (uint16
    codes, ``layout.tag_code``), and ``record`` (int64, computed on first use from the records table).
    ``records``: one row per record (``record``, ``start``, ``end``, ``kind``, ``kind_code``, ``ok``,
    ``tok_start``, ``tok_end`` and the format's own numbers: INTL13's ``declared_length``,
    ``version``, ``cr_reading``, ``es_style``). ``errors``: the problems (lenient mode), each a
    ``Problem`` with the skipped byte span. Offsets in ``records`` and ``errors`` are positions in
    the source; token offsets are positions in ``buffer``.
    """

    def __init__(self, buffer: np.ndarray, fmt: Format, parts: List[Dict[str, np.ndarray]],
                 records: Dict[str, np.ndarray], errors: List[Problem], record_base: int = 0, base: int = 0,
                 source: Optional[str] = None, span: Optional[tuple] = None):
        self.buffer = buffer
        # (first, end): the bytes of the source this scan covered (records, separators, damaged spans)
        self.span = span if span is not None else (base, base + len(buffer))
        self.format = fmt
        self.base = base
        self.source = source
        # A parallel scan keeps one set of arrays per range ("parts", like Arrow chunks): merging them
        # would copy ~1.4x the input into fresh memory, as long as the scan itself on 2 cores. The
        # flat arrays below are concatenated on first access (the table decoder asks for them, so
        # read(workers=2) pays that copy once; scan(workers=2) alone does not).
        self.parts = parts
        self._flat = {}
        recs = Columns()
        recs["record"] = np.arange(record_base, record_base + len(records["start"]), dtype=np.int64)
        for k, v in records.items():
            recs[k] = v
        if base:
            recs["start"] = recs["start"] + base
            recs["end"] = recs["end"] + base
        recs["kind"] = kind_names(fmt)[records["kind_code"]]
        self.records = recs
        self.errors = errors
        self._per_token = {}

    def _column(self, name) -> np.ndarray:
        if len(self.parts) == 1:
            return self.parts[0][name]
        a = self._flat.get(name)
        if a is None:
            a = self._flat[name] = np.concatenate([p[name] for p in self.parts])
        return a

    offset = property(lambda self: self._column("offset"), doc="int64 byte offset of each value in buffer")
    length = property(lambda self: self._column("length"), doc="uint16 length of each value")
    tag = property(lambda self: self._column("tag"), doc="uint16 field tag code (layout.tag_code)")
    segment_tag = property(lambda self: self._column("segment_tag"), doc="uint16 segment tag code")

    def __len__(self):
        return sum(len(p["offset"]) for p in self.parts)

    def pieces(self):
        """Per part: (its token arrays, first record, end record, index of its first token). A
        record's tokens all lie in one part; a record without tokens at a boundary goes with the
        next part (it has nothing to decode)."""
        ts = self.records["tok_start"]
        out, base, r0 = [], 0, 0
        for i, p in enumerate(self.parts):
            n = len(p["offset"])
            r1 = len(ts) if i == len(self.parts) - 1 else int(np.searchsorted(ts, base + n, side="left"))
            out.append((p, r0, r1, base))
            base, r0 = base + n, r1
        return out

    def take(self, name: str, idx) -> np.ndarray:
        """``getattr(self, name)[idx]`` without joining the parts into one array first."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(self.parts) == 1 or name in self._flat:
            return self._column(name)[idx]
        out = np.empty(len(idx), dtype=self.parts[0][name].dtype)
        base = 0
        for p in self.parts:
            n = len(p["offset"])
            m = (idx >= base) & (idx < base + n)
            out[m] = p[name][idx[m] - base]
            base += n
        return out

    @property
    def n_records(self) -> int:
        return len(self.records["start"])

    def per_token(self, column: str) -> np.ndarray:
        """A column of the records table repeated for each of the record's tokens (cached)."""
        a = self._per_token.get(column)
        if a is None:
            r = self.records
            a = self._per_token[column] = np.repeat(r[column], (r["tok_end"] - r["tok_start"]).astype(np.int64))
        return a

    @property
    def record(self) -> np.ndarray:
        """The record index of each token."""
        return self.per_token("record")

    def record_of(self, idx: np.ndarray) -> np.ndarray:
        """The record index of tokens ``idx`` only (a binary search in the records' token ranges):
        problem rows for a few tokens need not expand ``record`` for all of them (46 MB and ~25 ms
        on the 57 MB corpus, spent by every read() for an empty problem list)."""
        r = self.records
        return r["record"][np.searchsorted(r["tok_end"], np.asarray(idx, dtype=np.int64), side="right")]

    @property
    def kind_code(self) -> np.ndarray:
        """The kind code (the format's ``kinds``) of each token's record."""
        return self.per_token("kind_code")

    @property
    def nbytes(self) -> int:
        """Bytes held by the token index (14 a token)."""
        return sum(a.nbytes for p in self.parts for a in p.values())

    def value(self, i: int) -> bytes:
        """The raw bytes of token i (for inspection; the bulk path never builds these)."""
        o = int(self.offset[i])
        return bytes(self.buffer[o:o + int(self.length[i])])

    @property
    def unknown(self) -> np.ndarray:
        """True where a token's (segment, tag) is not in the format's tables for its record kind:
        the bureau adds fields over time; they are kept as tokens and flagged here."""
        keys = (self.segment_tag.astype(np.uint32) << 16) | self.tag.astype(np.uint32)
        kinds = self.kind_code
        out = np.ones(len(keys), dtype=bool)
        for code, known in self.format.known.items():
            m = kinds == code
            if m.any():
                k = keys[m]
                idx = np.clip(np.searchsorted(known, k), 0, len(known) - 1)
                out[m] = known[idx] != k
        return out

    def __repr__(self):
        return (f"<Tokens {len(self)} tokens, {self.n_records} records, {len(self.errors)} problems>")
