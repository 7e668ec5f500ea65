"""atheris harness: any bytes through the public scan (strict and lenient), with the invariants of
tests/invariants.py. Strict: a parse or a FormatError. Lenient: never raises, accounts for every
byte. Anything else (a crash, an ASan report, another exception, a hang past -timeout) is a finding.

For 1/4 of the inputs the lenient scan again with its walks remembered from the first byte: its work
at most WORK_PER_BYTE bytes a byte, its result equal to the default's (plain walks first, the memo
after 64 KB of walking; on every input the memo's allocation under ASan held the rate at 440/s).

For a fixed 1/16 of the inputs (by CRC) also scans in 3 threads that split each other's ranges
down to single records, which must equal the one-thread scans. For 1/64 also the compiled decoder and the Arrow tables, the MOP
history matrix and the pure-Python twin: under ASan they cost ~15 ms and ~2 ms an input against
~0.35 ms for the scans (on every input they held the rate at 47 inputs/s).

Run on the debug/ASan build: fuzz/build.sh, then fuzz/run.sh (fuzz/README.md)."""
import sys
import zlib
from pathlib import Path

import atheris
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

# Coverage comes from the compiled core (built with -fsanitize=fuzzer-no-link); instrumenting the
# Python modules as well halved the rate for little new coverage.
from mxbureau.analytics import history               # noqa: E402

import invariants   # noqa: E402  (tests/invariants.py: what must hold for any bytes)


def TestOneInput(data: bytes) -> None:
    buf = np.frombuffer(data, np.uint8).copy()    # an exact-size heap block: ASan sees any overread
    tok = invariants.check_scans(data, buf)
    crc = zlib.crc32(data)
    if crc % 4 == 0:
        invariants.check_budgets(data, buf)
    if crc % 16 == 0:
        invariants.check_threads(data, buf)
    if crc % 64 == 0:
        t = invariants.check_decoded(tok, data, buf)
        if "TL" in t:
            history.matrix(t["TL"], "2024-06-30")


def main():
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
