"""The ``mxbureau`` command."""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from importlib import resources

__all__ = ["main", "sample_path"]


def sample_path() -> str:
    """The bundled sample file (synthetic: 60 reports of every kind, seed 2026, LF separators)."""
    return str(resources.files("mxbureau") / "data" / "sample.intl")


def _mix(text: str):
    from .synth import DEFAULT_MIX
    if not text:
        return dict(DEFAULT_MIX)
    mix = {k: 0.0 for k in DEFAULT_MIX}
    for part in text.split(","):
        k, _, v = part.partition("=")
        if k not in mix:
            raise SystemExit(f"mxbureau: unknown record kind {k!r} in --mix (use {', '.join(mix)})")
        mix[k] = float(v)
    if sum(mix.values()) <= 0:
        raise SystemExit("mxbureau: --mix weights must add up to more than 0")
    return mix


class _Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.t0 = total, label, time.perf_counter()
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int):
        if self.tty:
            dt = max(time.perf_counter() - self.t0, 1e-9)
            pct = f"{100 * done / self.total:5.1f}% " if self.total else ""
            sys.stderr.write(f"\r{self.label}: {pct}{done / 1e6:,.1f} MB, {done / dt / 1e6:,.1f} MB/s")
            sys.stderr.flush()

    def close(self):
        if self.tty:
            sys.stderr.write("\n")


def cmd_generate(a) -> int:
    from .synth import write_file
    t0 = time.perf_counter()
    prog = _Progress(0, "generate")
    n = write_file(a.output, a.n, seed=a.seed, mix=_mix(a.mix), separator=a.separator, jobs=a.jobs,
                   progress=prog)
    prog.close()
    dt = time.perf_counter() - t0
    print(f"wrote {a.n:,} records, {n:,} bytes to {a.output} in {dt:.2f} s ({n / dt / 1e6:.1f} MB/s)")
    return 0


def cmd_scan(a) -> int:
    from .scanner import scan
    from .errors import FormatError
    path = a.input or sample_path()
    size = os.path.getsize(path)
    t0 = time.perf_counter()
    try:
        tok = scan(path, strict=not a.lenient, workers=a.workers)
    except FormatError as e:
        print(f"mxbureau: {path}: {e}", file=sys.stderr)
        return 1
    dt = time.perf_counter() - t0
    kinds = Counter(tok.records["kind"].tolist())
    print(f"{path}: {size:,} bytes, {tok.n_records:,} records "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), {len(tok):,} tokens, "
          f"{len(tok.errors)} problems, {dt:.3f} s ({size / max(dt, 1e-9) / 1e6:,.0f} MB/s)")
    for p in tok.errors[:20]:
        print(f"  problem: bytes {p.start}-{p.end} (record {p.record}): {p.message} at byte {p.offset}")
    return 1 if tok.errors else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mxbureau", description="Read Buró de Crédito INTL13 files.")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a synthetic INTL13 file (deterministic per seed)")
    g.add_argument("-n", type=int, default=1000, help="number of records (default 1000)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--mix", default="", help="record mix, e.g. hit=0.8,nohit=0.1,error=0.1,consulta=0")
    g.add_argument("--separator", choices=("none", "lf", "crlf", "0x13"), default="none")
    g.add_argument("--jobs", type=int, default=1, help="processes (the bytes do not depend on it)")
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("scan", help="tokenize a file and summarise it (default: the bundled sample)")
    s.add_argument("input", nargs="?")
    s.add_argument("--lenient", action="store_true", help="report damaged spans instead of stopping")
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(func=cmd_scan)
    return p


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
