"""Type stubs for the shared token index (_index.pyx); scanner.py uses the Lane."""

EXACT_ALLOC: bool  # a debug build: token buffers malloc'd (no skew, no pool)


class Lane:
    """A range [start, stop) of a parallel scan, which another thread may split while it is scanned."""
    start: int
    def __init__(self, start: int, stop: int) -> None: ...
    @property
    def claimed(self) -> int:
        """Records starting below this are the scan's (INT64_MAX once the scan has returned)."""
    @property
    def stop(self) -> int: ...
    def split(self, m: int) -> bool:
        """Make the scan end at its first record start at or past m; False if it has claimed past m."""
