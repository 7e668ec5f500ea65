"""Write the seed corpus for the fuzzer: small generated files of every record kind and separator,
CR declarativas in both readings, old- and new-style ES. Existing files are kept (libFuzzer adds its own)."""
import sys
from pathlib import Path

from mxbureau.intl13 import synth

KINDS = {"hit": 0.7, "nohit": 0.1, "error": 0.1, "consulta": 0.1}


# A consulta in the manual's orders (spec.MANUAL_NOTES, consulta CL): Sintetiza's CL segment or the
# authenticator's AU segment before the 88-byte INTL header; the ES length counts from the first byte.
QHEADER = (b"INTL13" + b"REFERENCIA DEL OPERADOR 1" + b"001MX0000" + b"BC12345678" + b"XXXXXXXX" + b"ICCMX"
           + b"000000000" + b"SP01" + b" " * 5 + b"0000000")
QBODY = b"PN06PRUEBA0007EJEMPLO0207NOMBRESPA09CALLE UNO0109DEL VALLE"
CL = b"CL02150025REFERENCIA DEL OPERADOR 1"
AU = b"AU03RCN00012" + b"0125" + b" " * 25 + b"0201V040478900701F1101V"


def consulta(prefix: bytes) -> bytes:
    n = len(prefix) + len(QHEADER) + len(QBODY) + 15
    return prefix + QHEADER + QBODY + b"ES05%05d0002**" % n


def seeds():
    for name, prefix in (("cl", CL), ("au", AU), ("au-cl", AU + CL), ("none", b"")):
        yield f"consulta-{name}", consulta(prefix) + b"\n" + consulta(prefix)
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
