import pytest

from mxbureau import synth

# Every record kind, consultas included, in one small corpus.
ALL_KINDS = {"hit": 0.78, "nohit": 0.08, "error": 0.08, "consulta": 0.06}


@pytest.fixture(scope="session")
def corpus():
    """~1,500 generated records (about 3.3 MB), LF-separated, every segment kind present."""
    return synth.generate_bytes(1500, seed=11, mix=ALL_KINDS, separator="lf")
