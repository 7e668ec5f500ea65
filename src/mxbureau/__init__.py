"""mxbureau: fast, exact reader of Mexican credit-bureau files (Buró de Crédito INTL13). Re-exports only;
see the README for the public API. Old module paths (``mxbureau.spec``, ``mxbureau.catalogs``,
``mxbureau.history``, ...) stay importable as aliases of their new homes."""
import importlib as _importlib
import importlib.abc as _abc
import importlib.util as _util
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

__version__ = "0.1.0"

# The analytics (and pandas, which they are written in) load at their first use: `import mxbureau`
# took 0.8 s with them, 0.4 s of it importing pandas, which scan, read, validate, convert and a report
# page never touch. name -> (module, attribute; None: the module itself).
_LAZY = {"features": ("analytics.features", "features"), "features_schema": ("analytics.features", "features_schema"),
         "account_metrics": ("analytics.history", "account_metrics"),
         "account_metrics_schema": ("analytics.history", "account_metrics_schema"),
         "roll_rates": ("analytics.portfolio", "roll_rates"), "rs_crosscheck": ("analytics.portfolio", "rs_crosscheck"),
         "Scorecard": ("analytics.scorecard", "Scorecard"), "history": ("analytics.history", None),
         "portfolio": ("analytics.portfolio", None), "scorecard": ("analytics.scorecard", None)}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = _importlib.import_module(f"{__name__}.{module}")
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


# Old module paths (``mxbureau.spec``, ``mxbureau.history``, ...) import their new homes, the same
# module objects, when first imported.
_OLD_PATHS = {"spec": "intl13.spec", "catalogs": "intl13.catalogs", "consulta": "intl13.consulta",
              "report": "intl13.report", "synth": "intl13.synth", "writer": "intl13.writer",
              "reference": "intl13.twin", "history": "analytics.history", "portfolio": "analytics.portfolio",
              "scorecard": "analytics.scorecard"}


class _OldPath(_abc.MetaPathFinder, _abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        head, _, old = fullname.rpartition(".")
        if head != __name__ or old not in _OLD_PATHS:
            return None
        return _util.spec_from_loader(fullname, self)

    def create_module(self, found):
        module = _importlib.import_module(f"{__name__}.{_OLD_PATHS[found.name.rpartition('.')[2]]}")
        found.loader_state = module.__spec__    # the import system sets __spec__ to this one's next
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state    # the new home's own; its code ran already


_sys.meta_path.append(_OldPath())

__all__ = ["consulta", "history", "account_metrics", "account_metrics_schema", "features", "features_schema", "roll_rates", "rs_crosscheck", "Scorecard", "scan", "align",
           "scan_chunks", "read", "read_chunks", "schema", "catalog", "sample_path", "Tables", "build_tables", "schema_of", "reports", "Report", "find_report", "NotFoundError", "validate", "Tokens",
           "MxbureauError", "FormatError", "SourceError", "SourceTypeError", "UsageError", "UnknownNameError",
           "WriteError", "ConsultaError", "Problem", "tag_code", "tag_str", "__version__"]
