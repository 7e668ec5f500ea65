"""Personal data out of the typed tables: keyed HMAC-SHA256 digests and birth years.

Which columns: the format's ``personal`` (INTL13: ``intl13.spec.PERSONAL_DATA``). A digest is ``HMAC-SHA256(key, value bytes as in the file)``
in hex: the same value under the same key always gives the same digest (joins across files and months
still work), and without the key it cannot be reversed or confirmed by guessing. Dates marked "year"
become ``<name minus _date>_year`` (int16)."""
from __future__ import annotations

import hashlib
import hmac

import pyarrow as pa
import pyarrow.compute as pc

from .errors import UsageError
from .formats import get as get_format

__all__ = ["redact_table", "digest", "check_key", "MIN_KEY_BYTES"]

MIN_KEY_BYTES = 16


def check_key(key) -> bytes:
    """The key as bytes; ValueError when it is too short to be safe."""
    k = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(k) < MIN_KEY_BYTES:
        raise UsageError(f"redaction key: at least {MIN_KEY_BYTES} bytes (a short key can be guessed)")
    return k


def _mac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("latin-1"), hashlib.sha256).hexdigest()


def digest(key, value: str) -> str:
    """The digest of one value (as the tables hold it: latin-1 text of the file's bytes)."""
    return _mac(check_key(key), value)


def _hmac_column(col: pa.ChunkedArray, key: bytes) -> pa.Array:
    """Digest each distinct value once (names and colonias repeat: one HMAC per distinct value, not per
    row), then gather; nulls stay null."""
    arr = col.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    enc = arr.dictionary_encode()
    digests = pa.array([_mac(key, v) for v in enc.dictionary.to_pylist()], pa.large_string())
    return digests.take(enc.indices)


def redact_table(tag: str, table: pa.Table, key, format=None) -> pa.Table:
    """The table with its personal columns (the format's ``personal[tag]``) redacted."""
    rules = get_format(format).personal.get(tag)
    if not rules:
        return table
    k = check_key(key)
    for name, how in rules.items():
        i = table.schema.get_field_index(name)
        if i < 0:
            continue
        f = table.schema.field(i)
        meta = dict(f.metadata or {}, redacted=b"hmac-sha256" if how == "hmac" else b"year")
        if how == "hmac":
            table = table.set_column(i, pa.field(name, pa.large_string(), metadata=meta),
                                     _hmac_column(table.column(i), k))
        else:
            year = pc.year(table.column(i)).cast(pa.int16())
            table = table.set_column(i, pa.field(name.removesuffix("_date") + "_year", pa.int16(), metadata=meta), year)
    return table
