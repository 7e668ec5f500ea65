"""Mixes and corpora the tests share (importable from any room: tests/ is on the path)."""

# Every record kind, consultas included, in one small corpus.
ALL_KINDS = {"hit": 0.78, "nohit": 0.08, "error": 0.08, "consulta": 0.06}
