"""Círculo de Crédito's load format for companies (Personas Morales y PFAE, v5.0): the format as data
(spec, catalogs), its compiled scanner, and what reads, validates, writes, compares and generates it.
``FORMAT`` is what the core knows of it; importing this package registers it (``mxbureau.read``
detects a file that starts with ``HDBNCPM``)."""
from __future__ import annotations

from . import catalogs, spec
from .catalogs import Catalogs
from .diff import diff
from .errors import CirculoFormatError
from .format import FORMAT, define_format, layout_of
from .reader import read, read_chunks, scan, scan_chunks
from .synth import generate, generate_bytes, portfolio
from .validate import validate
from .writer import Lender, Reject, WriteResult, Writer, write

__all__ = ["FORMAT", "CirculoFormatError", "define_format", "layout_of", "read", "read_chunks", "scan",
           "scan_chunks", "validate", "write", "Writer", "Lender", "Reject", "WriteResult", "diff", "generate",
           "generate_bytes", "portfolio", "catalogs", "Catalogs", "spec"]
