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


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Sink:
    """One writer per table, created on first rows: Parquet row groups or CSV, streamed."""

    def __init__(self, outdir: str, fmt: str):
        self.outdir, self.fmt, self.writers, self.rows = outdir, fmt, {}, Counter()
        os.makedirs(outdir, exist_ok=True)

    def write(self, name: str, table):
        import pyarrow as pa
        if table.num_rows == 0 and name in self.writers:
            return
        w = self.writers.get(name)
        if self.fmt == "csv":
            import pyarrow.csv as pcsv
            table = pa.Table.from_arrays(
                [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns],
                names=table.column_names)
            if w is None:
                w = self.writers[name] = pcsv.CSVWriter(os.path.join(self.outdir, f"{name}.csv"), table.schema)
        else:
            import pyarrow.parquet as pq
            if w is None:
                w = self.writers[name] = pq.ParquetWriter(os.path.join(self.outdir, f"{name}.parquet"), table.schema)
        w.write_table(table)
        self.rows[name] += table.num_rows

    def close(self):
        for w in self.writers.values():
            w.close()


def cmd_convert(a) -> int:
    from .scanner import scan_chunks
    from .tables import build_tables, schema_of
    inputs = a.inputs or [sample_path()]
    segments = [s.strip() for s in a.segments.split(",")] if a.segments else None
    kinds, problems, status = Counter(), 0, 0
    t0 = time.perf_counter()
    total = sum(os.path.getsize(p) for p in inputs)
    done = 0
    prog = _Progress(total, "convert")
    for path in inputs:
        outdir = a.output if len(inputs) == 1 else os.path.join(a.output, os.path.splitext(os.path.basename(path))[0])
        sink = _Sink(outdir, a.format)
        try:
            for tok in scan_chunks(path, chunk_bytes=a.chunk_mb << 20, strict=not a.lenient):
                t = build_tables(tok, segments)
                sink.write("records", t.records)
                for name in (segments or t.names):
                    sink.write(name, t[name] if name in t.names else schema_of(name).empty_table())
                if t.problems.num_rows:
                    sink.write("problems", t.problems)
                problems += t.problems.num_rows
                kinds.update(t.records.column("kind").to_pylist())
                if tok.n_records:
                    done += int(tok.records["end"][-1]) - int(tok.records["start"][0])
                prog(done)
        except Exception as e:                                   # FormatError: no values in it
            prog.close()
            print(f"mxbureau: {path}: {e}", file=sys.stderr)
            status = 1
        finally:
            sink.close()
        if status:
            break
    prog.close()
    dt = time.perf_counter() - t0
    print(f"converted {len(inputs)} file(s), {total:,} bytes in {dt:.2f} s ({total / max(dt, 1e-9) / 1e6:,.1f} MB/s) "
          f"-> {a.output} ({a.format})")
    print("records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sink.rows.items() if k != "problems"))
    print(f"problems: {problems:,}; peak RSS {_peak_rss_mb():,.0f} MB")
    return status


def cmd_validate(a) -> int:
    from .validate import validate
    path = a.input or sample_path()
    probs = validate(path)
    for p in probs.slice(0, a.max).to_pylist():
        print(f"record {p['record']} {p['segment'] or '-'} {p['tag'] or '-'} at byte {p['offset']}: {p['problem']}")
    print(f"{path}: {probs.num_rows:,} problem(s)")
    if a.output:
        import pyarrow.parquet as pq
        pq.write_table(probs, a.output)
    return 1 if probs.num_rows else 0


def cmd_bench(a) -> int:
    import json
    import tempfile
    from .bench import parse_size, run
    from .synth import write_file
    say = (lambda m: print(f"bench: {m}", file=sys.stderr)) if sys.stderr.isatty() or a.verbose else (lambda m: None)
    path, tmp = a.input, None
    if path is None:
        size = parse_size(a.size)
        n = max(50, size // 2350)                       # ~2,350 bytes a generated record
        tmp = tempfile.NamedTemporaryFile(prefix="mxbureau-bench-", suffix=".intl", delete=False).name
        say(f"generating {n:,} records (~{size / 1e6:,.0f} MB)")
        write_file(tmp, n, seed=7, separator="lf", jobs=os.cpu_count() or 1)
        path = tmp
    try:
        rep = run(path, workers=a.workers, rounds=a.rounds, progress=say, accounts=a.accounts)
    finally:
        if tmp:
            os.unlink(tmp)
    print(f"input {rep['input_bytes']:,} bytes, {rep['tokens']:,} tokens; {rep['rounds']} interleaved rounds")
    print(f"{'case':32s} {'MB/s':>10s} {'tokens/s':>14s} {'seconds':>10s}")
    for r in rep["results"]:
        tps = f"{r['tokens_per_s']:,.0f}" if "tokens_per_s" in r else ""
        if "accounts_per_s" in r:
            print(f"{r['name']:32s} {'':>10s} {r['accounts_per_s']:>11,.0f} a/s {r['seconds']:10.4f}"
                  f"   ({r['accounts']:,} accounts)")
            continue
        print(f"{r['name']:32s} {r['mb_per_s']:10,.1f} {tps:>14s} {r['seconds']:10.4f}")
    for k, v in rep["ratios"].items():
        print(f"{k:32s} {v:10.2f}x" if v is not None else f"{k:32s} n/a")
    print(f"{'peak RSS':32s} {rep['peak_rss_mb']:10,.0f} MB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rep, f, indent=2)
    return 0


def _features_of(path, as_of, lenient):
    import pandas as pd
    from .portfolio import features
    from .scanner import scan_chunks
    from .tables import build_tables
    parts = [features(build_tables(tok), as_of) for tok in scan_chunks(path, strict=not lenient)]
    return pd.concat(parts) if parts else pd.DataFrame()


def cmd_features(a) -> int:
    f = _features_of(a.input or sample_path(), a.as_of, a.lenient)
    f.to_parquet(a.output)
    print(f"{len(f):,} customers x {f.shape[1]} features -> {a.output} (as of {a.as_of})")
    return 0


def cmd_score(a) -> int:
    from .scorecard import Scorecard
    card = Scorecard.from_json(a.scorecard or str(resources.files("mxbureau") / "data" / "scorecard_example.json"))
    f = _features_of(a.input or sample_path(), a.as_of, a.lenient)
    s = card.score(f)
    s.to_parquet(a.output)
    print(f"{len(s):,} customers scored with {card.name} -> {a.output}; "
          f"score median {s['score'].median():.0f}, min {s['score'].min():.0f}, max {s['score'].max():.0f}")
    return 0


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

    c = sub.add_parser("convert", help="INTL13 -> one Parquet (or CSV) file per table, streamed by chunks")
    c.add_argument("inputs", nargs="*", help="INTL13 files (default: the bundled sample)")
    c.add_argument("-o", "--output", required=True, help="output directory")
    c.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    c.add_argument("--segments", default="", help="only these tables, e.g. TL,IQ (records always)")
    c.add_argument("--lenient", action="store_true", help="skip and report damaged spans instead of stopping")
    c.add_argument("--chunk-mb", type=int, default=64, help="scan chunk size (bounds memory)")
    c.set_defaults(func=cmd_convert)

    v = sub.add_parser("validate", help="check every field against the manual; exit 1 if any problem")
    v.add_argument("input", nargs="?")
    v.add_argument("--max", type=int, default=50, help="problems to print (all are counted)")
    v.add_argument("-o", "--output", help="write all problems to this Parquet file")
    v.set_defaults(func=cmd_validate)

    for name, func, extra in (("features", cmd_features, False), ("score", cmd_score, True)):
        x = sub.add_parser(name, help="per-customer features" if name == "features" else "re-score with a points table")
        x.add_argument("input", nargs="?", help="INTL13 file (default: the bundled sample)")
        x.add_argument("-o", "--output", required=True, help="Parquet file")
        x.add_argument("--as-of", required=True, help="YYYY-MM-DD: the month the windows end in")
        x.add_argument("--lenient", action="store_true")
        if extra:
            x.add_argument("--scorecard", help="points table JSON (default: the bundled example)")
        x.set_defaults(func=func)

    b = sub.add_parser("bench", help="measure throughput and the ratios to the baselines on this machine")
    b.add_argument("--size", default="200MB", help="generated corpus size (default 200MB)")
    b.add_argument("--input", help="an INTL13 file to measure instead of a generated corpus")
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--rounds", type=int, default=5, help="interleaved rounds (medians)")
    b.add_argument("--json", help="write the results to this JSON file")
    b.add_argument("--accounts", type=int, default=1_000_000, help="portfolio size for the analytics cases")
    b.add_argument("-v", "--verbose", action="store_true", help="progress on stderr even when not a terminal")
    b.set_defaults(func=cmd_bench)
    return p


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
