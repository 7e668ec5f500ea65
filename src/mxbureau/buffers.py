"""Settings and bookkeeping of the token index's memory (the compiled side, _index.pyx, maps and
unmaps; this side decides).

- ``HUGE_PAGES`` (``MXBUREAU_HUGEPAGES=1``; default off): token buffers of 8 MB or more are advised
  huge pages, their first ``HUGE_PAGES_UPTO`` bytes (``MXBUREAU_HUGEPAGES_UPTO_MB``, default 64; past
  that, 4 KB pages). Measured on this project's VM (free page reporting: the host takes back free
  2 MB blocks, so a huge page is backed again at its first touch, 4 KB at a time), 50 MB corpus:
  repeated scans in one process (the pool reuses buffers) 34-35 ms with, 32-37 ms without; the first
  scan of a process 49-283 ms with (system time up to 244 ms), 62-75 ms without; in fresh processes
  4.1-6.2 ns a byte with, 1.3-1.4 without (another time 0.83-0.96 with). 1 GB (a 1.46 GB index):
  huge pages throughout 1.8-7.3 ns a byte (the kernel also compacts memory for advised regions,
  ``transparent_hugepage/defrag`` = madvise), the first 64 MB 1.31-1.33, none 1.33. Off by default:
  never better in steady state, and the first touch of a huge page costs what the host makes it.
- ``POOL`` (``MXBUREAU_POOL_MB``, default 512; 0 disables): released token mappings kept for reuse, so
  a bulk job scanning chunk after chunk, or the same file again, reuses pages already faulted in
  instead of faulting and zeroing fresh ones each time.
"""
from __future__ import annotations

import os
import threading
from typing import List, Optional, Tuple

__all__ = ["HUGE_PAGES", "HUGE_PAGES_UPTO", "POOL", "MappingPool"]

HUGE_PAGES = os.environ.get("MXBUREAU_HUGEPAGES", "0") == "1"
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
