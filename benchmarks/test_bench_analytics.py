"""Analytics on a portfolio of >= 1M accounts (the corpus' tables repeated) beside a straightforward
pure-Python loop over the same tables (timed on its first 50k accounts: it runs ~40k accounts/s)."""

import pytest

import mxbureau
from mxbureau.baselines import python_account_metrics, python_features
from mxbureau.bench import replicate
from measure import record_throughput

AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def portfolio(corpus):
    name, path, buf = corpus
    tables = mxbureau.read(buf)
    target = 20_000 if name == "smoke" else 1_000_000
    return replicate(tables, max(1, -(-target // tables["TL"].num_rows))), len(buf)


def _analytics(big):
    metrics = mxbureau.account_metrics(big, AS_OF)
    return metrics, mxbureau.features(big, AS_OF, metrics=metrics)


def test_account_metrics_and_features(benchmark, portfolio):
    big, nbytes = portfolio
    benchmark.pedantic(_analytics, args=(big,), rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["accounts"] = big["TL"].num_rows
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["accounts_per_s"] = big["TL"].num_rows / stats.stats.median


def test_python_loop_analytics(benchmark, portfolio):
    big, nbytes = portfolio
    rows = big["TL"].slice(0, 50_000).to_pylist()
    benchmark.pedantic(lambda: python_features(python_account_metrics(rows, AS_OF), [], AS_OF), rounds=1, iterations=1)
    benchmark.extra_info["accounts"] = len(rows)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["accounts_per_s"] = len(rows) / stats.stats.median


def test_intl13_to_features(benchmark, corpus):
    name, path, buf = corpus
    benchmark.pedantic(lambda: mxbureau.features(mxbureau.read(buf), AS_OF), rounds=3, iterations=1, warmup_rounds=1)
    record_throughput(benchmark, len(buf))
