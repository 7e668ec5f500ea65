"""Write the seed corpus for the fuzzer: small generated files of every record kind and separator,
CR declarativas in both readings, old- and new-style ES. Existing files are kept (libFuzzer adds its own)."""
import sys
from pathlib import Path

from mxbureau.intl13 import synth

KINDS = {"hit": 0.7, "nohit": 0.1, "error": 0.1, "consulta": 0.1}


def seeds():
    for i in range(48):
        sep = ("none", "lf", "crlf", "0x13")[i % 4]
        yield f"gen-{i:02d}-{sep}", synth.generate_bytes(1 + i % 3, seed=1000 + i, mix=KINDS, separator=sep)
    for kind in KINDS:
        yield f"only-{kind}", synth.generate_bytes(2, seed=7, mix={kind: 1.0}, separator="lf")


def main(directory: str) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for name, data in seeds():
        p = out / f"seed-{name}"
        if not p.exists():
            p.write_bytes(data)
            n += 1
    print(f"{n} new seed file(s) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
