"""Settings and bookkeeping of the token index's memory (the compiled side, _index.pyx, maps and
unmaps; this side decides).

- ``HUGE_PAGES`` (``MXBUREAU_HUGEPAGES``, default on): token buffers of 8 MB or more are advised huge
  pages. 57 MB corpus, this machine class: 1.1-1.3 GB/s per scan after the first scan of a process,
  which pays ~0.25 s once (the kernel assembling 2 MB pages); without: a steady 750-800 MB/s.
- ``HUGE_PAGES_UPTO`` (``MXBUREAU_HUGEPAGES_UPTO_MB``, default 64): ... and only their first 64 MB;
  past that, 4 KB pages. Where the kernel compacts memory to make huge pages for advised regions
  (``/sys/kernel/mm/transparent_hugepage/defrag`` = madvise, the default), a large index waits on
  it: scan() of a 1 GB file (a 1.46 GB index), each in a fresh process, huge pages throughout
  1.8-7.3 ns a byte (system time 0.9-6.3), the first 256 MB of each buffer 1.22-1.33, the first
  64 MB 1.31-1.33; 300 MB: 6.6-7.2 all huge, 2.2-3.5 with 64 MB; 50 MB unchanged (its buffers are
  smaller). A 4 KB page is a fault of its own (~3.5 us of system time each on this VM), so
  small buffers keep huge pages.
- ``POOL`` (``MXBUREAU_POOL_MB``, default 512; 0 disables): released token mappings kept for reuse, so
  a bulk job scanning chunk after chunk, or the same file again, reuses pages already faulted in
  instead of faulting and zeroing fresh ones each time.
"""
from __future__ import annotations

import os
import threading
from typing import List, Optional, Tuple

__all__ = ["HUGE_PAGES", "HUGE_PAGES_UPTO", "POOL", "MappingPool"]

HUGE_PAGES = os.environ.get("MXBUREAU_HUGEPAGES", "1") != "0"
HUGE_PAGES_UPTO = int(os.environ.get("MXBUREAU_HUGEPAGES_UPTO_MB", "64")) << 20


class MappingPool:
    """Released mappings (address, size), at most ``cap`` bytes in all."""

    def __init__(self, cap: int):
        self.cap = cap
        self._items: List[Tuple[int, int]] = []
        self._bytes = 0
        # Reentrant: a token array freed by the garbage collector while the lock is held (any
        # allocation may run a collection) gives its mapping back from inside take().
        self._lock = threading.RLock()

    def give(self, addr: int, size: int) -> bool:
        """Keep a mapping; False when the pool is full (the caller unmaps it)."""
        with self._lock:
            if self._bytes + size > self.cap:
                return False
            self._items.append((addr, size))
            self._bytes += size
            return True

    def take(self, need: int) -> Optional[Tuple[int, int]]:
        """The smallest kept mapping of at least ``need`` bytes (now the caller's), or None."""
        with self._lock:
            best = None
            for i, (_, size) in enumerate(self._items):
                if size >= need and (best is None or size < self._items[best][1]):
                    best = i
            if best is None:
                return None
            addr, size = self._items.pop(best)
            self._bytes -= size
            return addr, size


POOL = MappingPool(int(os.environ.get("MXBUREAU_POOL_MB", "512")) << 20)
