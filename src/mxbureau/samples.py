"""The files shipped with the package: a sample INTL13 file (synthetic: 60 reports of every kind,
seed 2026, LF separators), an example scorecard and a sample portfolio CSV for consultas (30
synthetic customers), for the README's examples and first tries."""
from __future__ import annotations

from importlib import resources

__all__ = ["sample_path", "scorecard_example_path", "portfolio_sample_path"]


def sample_path() -> str:
    """The bundled sample INTL13 file."""
    return str(resources.files("mxbureau") / "data" / "sample.intl")


def scorecard_example_path() -> str:
    """The bundled example scorecard (a JSON points table; see analytics/scorecard.py)."""
    return str(resources.files("mxbureau") / "data" / "scorecard_example.json")


def portfolio_sample_path() -> str:
    """The bundled sample portfolio CSV (the columns ``consulta.read_csv`` takes)."""
    return str(resources.files("mxbureau") / "data" / "portfolio_sample.csv")
