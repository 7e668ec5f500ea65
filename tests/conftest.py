"""Fixtures every room of the suite shares."""
import pytest

from corpora import ALL_KINDS
from mxbureau.intl13 import synth


@pytest.fixture(scope="session")
def corpus():
    """~1,500 generated records (about 3.3 MB), LF-separated, every segment kind present."""
    return synth.generate_bytes(1500, seed=11, mix=ALL_KINDS, separator="lf")
