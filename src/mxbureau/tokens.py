"""Tokens: the scanner's result. Flat numpy arrays, one entry per field, plus a per-record table and
the problems found. No Python object per token."""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from . import spec
from .errors import Problem, message, snippet

__all__ = ["Tokens", "Columns", "KIND_NAMES"]

# kind_code -1 -> "unknown" by negative index. Object, not "<U8": 8 bytes a record instead of 32, and
# Tokens() for the 57 MB corpus's 24k records took 0.22 ms instead of 0.55 (fresh memory is faulted in).
KIND_NAMES = np.array(spec.KINDS + ("unknown",), dtype=object)


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


def _known_keys() -> Dict[int, np.ndarray]:
    """Per record kind code, the sorted (segment << 16 | tag) keys the manual defines."""
    out = {}
    for code, kind in enumerate(spec.KINDS):
        layout = spec.LAYOUTS["response" if kind in ("hit", "nohit") else kind]
        keys = [(spec.tag_code(s.tag) << 16) | spec.tag_code(f.tag) for s in layout.segments for f in s.fields]
        out[code] = np.array(sorted(keys), dtype=np.uint32)
    return out


_KNOWN = None
_SEGMENT_TAGS = {spec.tag_code(s.tag) for L in spec.LAYOUTS.values() for s in L.segments}


def safe_tag(code: int) -> Optional[str]:
    """A tag fit for an error message: a known segment tag or two digits, else None (bytes at a tag
    position in damaged input may be a customer's data)."""
    if code == 0:
        return None
    t = spec.tag_str(int(code))
    if t.isdigit() or code in _SEGMENT_TAGS:
        return t
    return None


def problems_from(errors: Dict[str, np.ndarray], base: int = 0, values_of=None) -> List[Problem]:
    """``values_of``: the scanned buffer, to append the damaged bytes to each message (show_values)."""
    out = []
    for i in range(len(errors["code"])):
        code = int(errors["code"][i])
        msg = message(code, int(errors["a"][i]), int(errors["b"][i]))
        if values_of is not None:
            msg += "; bytes: " + snippet(values_of, errors["start"][i], errors["end"][i])
        out.append(Problem(start=int(errors["start"][i]) + base, end=int(errors["end"][i]) + base,
                           offset=int(errors["offset"][i]) + base, record=int(errors["record"][i]),
                           segment=safe_tag(int(errors["segment_tag"][i])), tag=safe_tag(int(errors["tag"][i])),
                           code=code, message=msg))
    return out


class Tokens:
    """The token index of one scanned buffer (a whole source, or one chunk of it).

    Arrays (one entry per field, file order): ``offset`` (int64, where the value starts in
    ``buffer``), ``length`` (uint16), ``tag`` and ``segment_tag`` (uint16 codes, ``spec.tag_code``),
    and ``record`` (int64, computed on first use from the records table).
    ``records``: one row per record (``record``, ``start``, ``end``, ``kind``, ``kind_code``,
    ``version``, ``declared_length``, ``ok``, ``cr_reading``, ``es_style``, ``tok_start``, ``tok_end``).
    ``errors``: the problems (lenient mode), each a ``Problem`` with the skipped byte span.
    Offsets in ``records`` and ``errors`` are positions in the source.
    """

    def __init__(self, buffer, parts: List[Dict[str, np.ndarray]], records: Dict[str, np.ndarray],
                 errors: List[Problem], record_base: int = 0):
        self.buffer = buffer
        # A parallel scan keeps one set of arrays per range ("parts", like Arrow chunks): merging them
        # would copy ~1.4x the input into fresh memory, as long as the scan itself on 2 cores. The
        # flat arrays below are concatenated on first access (the table decoder asks for them, so
        # read(workers=2) pays that copy once; scan(workers=2) alone does not).
        self.parts = parts
        self._flat = {}
        self.record_base = record_base
        recs = Columns()
        recs["record"] = np.arange(record_base, record_base + len(records["start"]), dtype=np.int64)
        for k, v in records.items():
            recs[k] = v
        recs["kind"] = KIND_NAMES[records["kind_code"]]
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
    tag = property(lambda self: self._column("tag"), doc="uint16 field tag code (spec.tag_code)")
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
        """The kind code (spec.KINDS) of each token's record."""
        return self.per_token("kind_code")

    @property
    def nbytes(self) -> int:
        """Bytes held by the token index (14 a token)."""
        return sum(a.nbytes for p in self.parts for a in p.values())

    def value(self, i: int) -> bytes:
        """The raw bytes of token i (for inspection; the bulk path never builds these)."""
        o = int(self.offset[i])
        return bytes(memoryview(self.buffer)[o:o + int(self.length[i])])

    @property
    def unknown(self) -> np.ndarray:
        """True where a token's (segment, tag) is not in the manual's tables for its record kind:
        the bureau adds fields over time; they are kept as tokens and flagged here."""
        global _KNOWN
        if _KNOWN is None:
            _KNOWN = _known_keys()
        keys = (self.segment_tag.astype(np.uint32) << 16) | self.tag.astype(np.uint32)
        kinds = self.kind_code
        out = np.ones(len(keys), dtype=bool)
        for code, known in _KNOWN.items():
            m = kinds == code
            if m.any():
                k = keys[m]
                idx = np.clip(np.searchsorted(known, k), 0, len(known) - 1)
                out[m] = known[idx] != k
        return out

    def __repr__(self):
        return (f"<Tokens {len(self)} tokens, {self.n_records} records, {len(self.errors)} problems>")
