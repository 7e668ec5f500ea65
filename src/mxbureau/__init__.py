"""mxbureau: fast, exact reader of Mexican credit-bureau files (Buró de Crédito INTL13). Re-exports only;
see the README for the public API. Old module paths (``mxbureau.spec``, ``mxbureau.catalogs``,
``mxbureau.history``, ...) stay importable as aliases of their new homes."""
import sys as _sys

from . import errors, formats, layout
from .errors import (ConsultaError, FormatError, MxbureauError, NotFoundError, Problem, SourceError,
                     SourceTypeError, UnknownNameError, UsageError, WriteError)
from .layout import tag_code, tag_str
from . import intl13                                  # registers the INTL13 format
from . import circulo                                 # registers the Círculo load format
from .intl13 import catalogs, consulta, report, spec, synth, twin, writer
from .scanner import align, scan, scan_chunks
from .tables import Tables, build_tables, read, read_chunks, schema_of
from .schema import catalog, schema
from .samples import sample_path, scorecard_example_path
from .tokens import Tokens
from .intl13.report import Report, reports
from .intl13.lookup import find_report
from .intl13.validate import validate
from .analytics import history, portfolio, scorecard
from .analytics.features import features, features_schema
from .analytics.history import account_metrics, account_metrics_schema
from .analytics.portfolio import roll_rates, rs_crosscheck
from .analytics.scorecard import Scorecard

__version__ = "0.1.0"

# Old module paths (before the intl13/ and analytics/ packages) -> their modules.
for _old, _mod in {"spec": spec, "catalogs": catalogs, "consulta": consulta, "report": report, "synth": synth,
                   "writer": writer, "reference": twin, "history": history, "portfolio": portfolio,
                   "scorecard": scorecard}.items():
    _sys.modules[f"{__name__}.{_old}"] = _mod
del _old, _mod

__all__ = ["consulta", "history", "account_metrics", "account_metrics_schema", "features", "features_schema", "roll_rates", "rs_crosscheck", "Scorecard", "scan", "align",
           "scan_chunks", "read", "read_chunks", "schema", "catalog", "sample_path", "Tables", "build_tables", "schema_of", "reports", "Report", "find_report", "NotFoundError", "validate", "Tokens",
           "MxbureauError", "FormatError", "SourceError", "SourceTypeError", "UsageError", "UnknownNameError",
           "WriteError", "ConsultaError", "Problem", "tag_code", "tag_str", "__version__"]
