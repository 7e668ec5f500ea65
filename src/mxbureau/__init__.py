"""mxbureau: fast, exact reader for Buró de Crédito INTL13 files."""
from .errors import FormatError, Problem
from .scanner import scan, scan_chunks
from .spec import tag_code, tag_str
from . import consulta, history
from .portfolio import features, roll_rates, rs_crosscheck
from .history import account_metrics
from .scorecard import Scorecard
from .report import Report, reports
from .tables import Tables, build_tables, read
from .tokens import Tokens
from .validate import validate

__version__ = "0.1.0"
__all__ = ["consulta", "history", "account_metrics", "features", "roll_rates", "rs_crosscheck", "Scorecard", "scan", "scan_chunks", "read", "Tables", "build_tables", "reports", "Report", "validate", "Tokens", "FormatError", "Problem", "tag_code", "tag_str", "__version__"]
