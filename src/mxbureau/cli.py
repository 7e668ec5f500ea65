"""The ``mxbureau`` command: argument parsing and printing around the library's functions."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from importlib import resources

import pandas as pd
import pyarrow.parquet as pq

from .analytics.features import features
from .analytics.scorecard import Scorecard
from .bench import parse_size, run
from .convert import convert
from .errors import ConsultaError, FormatError, NotFoundError, UsageError
from .intl13.lookup import find_report
from .intl13.consulta import consultas, read_csv
from .intl13.synth import DEFAULT_MIX, write_file
from .intl13.validate import validate
from .intl13.writer import SEPARATORS
from .redact import check_key
from .scanner import scan, scan_chunks
from .tables import build_tables, read
from .views import portfolio_html, report_html

__all__ = ["main", "sample_path"]


def sample_path() -> str:
    """The bundled sample file (synthetic: 60 reports of every kind, seed 2026, LF separators)."""
    return str(resources.files("mxbureau") / "data" / "sample.intl")


def _mix(text: str):
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
    t0 = time.perf_counter()
    prog = _Progress(0, "generate")
    n = write_file(a.output, a.n, seed=a.seed, mix=_mix(a.mix), separator=a.separator, jobs=a.jobs,
                   progress=prog)
    prog.close()
    dt = time.perf_counter() - t0
    print(f"wrote {a.n:,} records, {n:,} bytes to {a.output} in {dt:.2f} s ({n / dt / 1e6:.1f} MB/s)")
    return 0


def cmd_scan(a) -> int:
    path = a.input or sample_path()
    size = os.path.getsize(path)
    t0 = time.perf_counter()
    try:
        tok = scan(path, strict=not a.lenient, workers=a.workers, show_values=a.show_values)
    except FormatError as e:
        print(f"mxbureau: {path}: {e}", file=sys.stderr)
        return 1
    dt = time.perf_counter() - t0
    kinds = Counter(tok.records["kind"].tolist())
    print(f"{path}: {size:,} bytes, {tok.n_records:,} records "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), {len(tok):,} tokens, "
          f"{len(tok.errors)} problems, {dt:.3f} s ({size / max(dt, 1e-9) / 1e6:,.0f} MB/s)")
    print(f"  tags not in the manual: {int(tok.unknown.sum()):,} (kept as tokens; read() lists them in problems)")
    for p in tok.errors[:20]:
        print(f"  problem: bytes {p.start}-{p.end} (record {p.record}): {p.message} at byte {p.offset}")
    return 1 if tok.errors else 0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _redaction_key(path):
    with open(path, "rb") as f:
        key = f.read().rstrip(b"\r\n")        # a key file written by echo ends in a newline
    try:
        return check_key(key)                  # before any output is written
    except UsageError as e:
        raise SystemExit(f"mxbureau: {path}: {e}")


def cmd_convert(a) -> int:
    if a.redact_key_file and a.show_values:
        print("mxbureau: --show-values would put raw bytes next to redacted tables; use one or the other",
              file=sys.stderr)
        return 2
    key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
    inputs = a.inputs or [sample_path()]
    segments = [s.strip() for s in a.segments.split(",")] if a.segments else None
    t0 = time.perf_counter()
    prog = _Progress(sum(os.path.getsize(p) for p in inputs), "convert")
    try:
        s = convert(inputs, a.output, fmt=a.format, segments=segments, strict=not a.lenient,
                    chunk_bytes=a.chunk_mb << 20, workers=a.workers, redact_key=key, show_values=a.show_values,
                    progress=prog)
    except FormatError as e:                                   # no values in it
        prog.close()
        print(f"mxbureau: {e.source}: {e}", file=sys.stderr)
        return 1
    prog.close()
    dt = time.perf_counter() - t0
    print(f"converted {s.files} file(s), {s.bytes:,} bytes in {dt:.2f} s ({s.bytes / max(dt, 1e-9) / 1e6:,.1f} MB/s) "
          f"-> {a.output} ({a.format})")
    print("records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.kinds.items())))
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in s.rows.items() if k != "problems"))
    print(f"problems: {s.problems:,}; peak RSS {_peak_rss_mb():,.0f} MB")
    return 0


def cmd_validate(a) -> int:
    path = a.input or sample_path()
    probs = validate(path, show_values=a.show_values)
    for p in probs.slice(0, a.max).to_pylist():
        value = f" {p['value']}" if a.show_values else ""
        print(f"record {p['record']} {p['segment'] or '-'} {p['tag'] or '-'} at byte {p['offset']}: {p['problem']}{value}")
    print(f"{path}: {probs.num_rows:,} problem(s)")
    if a.output:
        pq.write_table(probs, a.output)
    return 1 if probs.num_rows else 0


def cmd_bench(a) -> int:
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
    w = max(len(k) for k in [r["name"] for r in rep["results"]] + list(rep["ratios"]))
    print(f"{'case':{w}s} {'MB/s':>10s} {'tokens/s':>14s} {'seconds':>10s}")
    for r in rep["results"]:
        tps = f"{r['tokens_per_s']:,.0f}" if "tokens_per_s" in r else ""
        if "accounts_per_s" in r:
            print(f"{r['name']:{w}s} {'':>10s} {r['accounts_per_s']:>11,.0f} a/s {r['seconds']:10.4f}"
                  f"   ({r['accounts']:,} accounts)")
            continue
        print(f"{r['name']:{w}s} {r['mb_per_s']:10,.1f} {tps:>14s} {r['seconds']:10.4f}")
    for k, v in rep["ratios"].items():
        print(f"{k:{w}s} {v:10.2f}x" if v is not None else f"{k:{w}s} n/a")
    print(f"{'peak RSS':{w}s} {rep['peak_rss_mb']:10,.0f} MB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rep, f, indent=2)
    return 0


def _features_of(path, as_of, lenient):
    parts = [features(build_tables(tok), as_of) for tok in scan_chunks(path, strict=not lenient)]
    return pd.concat(parts) if parts else pd.DataFrame()


def cmd_features(a) -> int:
    f = _features_of(a.input or sample_path(), a.as_of, a.lenient)
    f.to_parquet(a.output)
    print(f"{len(f):,} customers x {f.shape[1]} features -> {a.output} (as of {a.as_of})")
    return 0


def cmd_score(a) -> int:
    card = Scorecard.from_json(a.scorecard or str(resources.files("mxbureau") / "data" / "scorecard_example.json"))
    f = _features_of(a.input or sample_path(), a.as_of, a.lenient)
    s = card.score(f)
    s.to_parquet(a.output)
    print(f"{len(s):,} customers scored with {card.name} -> {a.output}; "
          f"score median {s['score'].median():.0f}, min {s['score'].min():.0f}, max {s['score'].max():.0f}")
    return 0


def cmd_consulta(a) -> int:
    password = a.password if a.password is not None else os.environ.get("MXBUREAU_PASSWORD")
    if password is None:
        print("mxbureau: give --password or set MXBUREAU_PASSWORD", file=sys.stderr)
        return 2
    sep = SEPARATORS[a.separator]
    written = rows = 0
    reasons: Counter = Counter()
    rejected = set()
    rej_file = open(a.rejects, "w", newline="", encoding="utf-8") if a.rejects else None
    rej = csv.writer(rej_file) if rej_file else None
    if rej:
        rej.writerow(["row", "field", "reason"])
    tmp = a.output + ".part"                  # a failed run never leaves a half batch under the real name
    try:
        with open(tmp, "wb") as out:
            for number, rec, bad in consultas(
                    read_csv(a.portfolio, encoding=a.encoding), member_code=a.member_code, password=password,
                    product=a.product, contract_type=a.contract_type, currency=a.currency,
                    responsibility=a.responsibility, language=a.language, output=a.output_type,
                    authentication=a.authentication, sintetiza_template=a.sintetiza):
                rows = number
                if rec is None:
                    rejected.add(number)
                    for r in bad:
                        reasons[(r.field, r.reason)] += 1
                        if rej:
                            rej.writerow([r.row, r.field, r.reason])
                    continue
                out.write(rec + sep)
                written += 1
        os.replace(tmp, a.output)
    except ConsultaError as e:
        print(f"mxbureau: {e}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"mxbureau: {a.portfolio} is not {a.encoding} (after row {rows}); try --encoding latin-1",
              file=sys.stderr)
        return 2
    finally:
        if rej_file:
            rej_file.close()
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"wrote {written:,} consultas to {a.output}; {len(rejected):,} of {rows:,} rows rejected"
          + (f" (details: {a.rejects})" if a.rejects and rejected else ""))
    for (field, reason), n in reasons.most_common(10 if a.rejects else None):
        print(f"  {n:,} x {field}: {reason}")
    return 0 if written or not rows else 1


def cmd_report(a) -> int:
    """One record as a self-contained HTML page: only the chunk holding it is decoded (mxbureau.views)."""
    fail = lambda msg: print(f"mxbureau: {msg}", file=sys.stderr) or 2
    if not os.path.isfile(a.input):
        return fail(f"{a.input}: no such file")
    try:
        key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
        replied = dt.date.fromisoformat(a.replied_on) if a.replied_on else None
    except SystemExit as e:                      # the key is too short (the message names the rule)
        return fail(str(e).removeprefix("mxbureau: "))
    except OSError:
        return fail(f"{a.redact_key_file}: cannot read the key file")
    except ValueError:
        return fail("--replied-on: expected a date YYYY-MM-DD")
    try:
        rep = find_report(a.input, reference=a.reference, record=a.record)
    except NotFoundError as e:                     # never repeats the reference
        return fail(f"{a.input}: {e}")
    try:
        with open(a.output, "w", encoding="utf-8") as out:
            out.write(report_html(rep, redact_key=key, lang=a.lang, replied_on=replied))
    except OSError:
        return fail(f"{a.output}: cannot write the page")
    print(f"record {rep.record} ({rep.kind}, {len(rep.accounts)} accounts) -> {a.output}")
    return 0


def cmd_portfolio(a) -> int:
    """A self-contained page of portfolio plots with their numbers (mxbureau.views; needs matplotlib)."""
    fail = lambda msg: print(f"mxbureau: {msg}", file=sys.stderr) or 2
    if not os.path.isfile(a.input):
        return fail(f"{a.input}: no such file")
    try:
        as_of = dt.date.fromisoformat(a.as_of)
    except ValueError:
        return fail("--as-of: expected a date YYYY-MM-DD")
    try:
        key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
    except SystemExit as e:
        return fail(str(e).removeprefix("mxbureau: "))
    except OSError:
        return fail(f"{a.redact_key_file}: cannot read the key file")
    card = None
    if a.scorecard:
        try:
            card = Scorecard.from_json(a.scorecard)
        except (OSError, ValueError, KeyError, TypeError):
            return fail(f"{a.scorecard}: not a readable scorecard (see mxbureau/scorecard.py)")
    tables = read(a.input, strict=False)
    if key is not None:
        tables = tables.redact(key)
    try:
        html = portfolio_html(tables, as_of, scores=card, lang=a.lang)
    except ImportError as e:                     # matplotlib: the views extra
        return fail(str(e))
    except KeyError as e:                        # a scorecard feature the features do not have
        return fail(f"{a.scorecard}: {e.args[0]}")
    try:
        with open(a.output, "w", encoding="utf-8") as out:
            out.write(html)
    except OSError:
        return fail(f"{a.output}: cannot write the page")
    print(f"{tables.records.num_rows:,} records, {tables['TL'].num_rows if 'TL' in tables.names else 0:,} accounts "
          f"as of {as_of} -> {a.output} ({len(html) / 1e3:,.0f} kB); problems: {tables.problems.num_rows:,}")
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
    s.add_argument("--show-values", action="store_true",
                   help="put the offending bytes in messages (debugging on your own machine: personal data)")
    s.set_defaults(func=cmd_scan)

    c = sub.add_parser("convert", help="INTL13 -> one Parquet (or CSV) file per table, streamed by chunks")
    c.add_argument("inputs", nargs="*", help="INTL13 files (default: the bundled sample)")
    c.add_argument("-o", "--output", required=True, help="output directory")
    c.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    c.add_argument("--segments", default="", help="only these tables, e.g. TL,IQ (records always)")
    c.add_argument("--lenient", action="store_true", help="skip and report damaged spans instead of stopping")
    c.add_argument("--chunk-mb", type=int, default=64, help="scan chunk size (bounds memory)")
    c.add_argument("--workers", type=int, default=1, help="threads scanning each chunk and writing its tables")
    c.add_argument("--redact-key-file", help="replace personal data by HMAC-SHA256 under the key in this file "
                                             "(>= 16 bytes; birth dates -> birth_year); see README")
    c.add_argument("--show-values", action="store_true",
                   help="put the offending bytes in messages (debugging on your own machine: personal data)")
    c.set_defaults(func=cmd_convert)

    v = sub.add_parser("validate", help="check every field against the manual; exit 1 if any problem")
    v.add_argument("input", nargs="?")
    v.add_argument("--max", type=int, default=50, help="problems to print (all are counted)")
    v.add_argument("-o", "--output", help="write all problems to this Parquet file")
    v.add_argument("--show-values", action="store_true",
                   help="put the offending bytes in messages (debugging on your own machine: personal data)")
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

    q = sub.add_parser("consulta", help="portfolio CSV -> a validated batch of INTL13 consultas")
    q.add_argument("portfolio", help="CSV with a header line; columns as in mxbureau.consulta.COLUMNS")
    q.add_argument("-o", "--output", required=True, help="the batch file to write")
    q.add_argument("--member-code", required=True, help="your 10-character member code (KOB + 8 digits)")
    q.add_argument("--password", help="8 characters (or the MXBUREAU_PASSWORD environment variable, "
                                      "which keeps it out of the process list)")
    q.add_argument("--product", default="507", help="501, 504, 507 (default), 107, or 001/004/007 (Anexo 14)")
    q.add_argument("--contract-type", default="UK", help="Anexo 2 code of the product consulted (default UK)")
    q.add_argument("--currency", default="MX")
    q.add_argument("--responsibility", default="I", choices=("A", "I", "J"))
    q.add_argument("--language", default="SP", choices=("SP", "EN"))
    q.add_argument("--output-type", default="01", choices=("01", "02", "03"))
    q.add_argument("--authentication", choices=("1", "2", "3", "4"), help="add AU (AUTENTICADOR) with this output type")
    q.add_argument("--sintetiza", help="add CL (Sintetiza) with this template code")
    q.add_argument("--rejects", help="write every rejected row's field and reason to this CSV")
    q.add_argument("--separator", choices=("none", "lf", "crlf"), default="none",
                   help="between consultas (default none: concatenated)")
    q.add_argument("--encoding", default="utf-8-sig", help="of the CSV (default utf-8, BOM allowed)")
    q.set_defaults(func=cmd_consulta)

    b = sub.add_parser("bench", help="measure throughput and the ratios to the baselines on this machine")
    b.add_argument("--size", default="200MB", help="generated corpus size (default 200MB)")
    b.add_argument("--input", help="an INTL13 file to measure instead of a generated corpus")
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--rounds", type=int, default=5, help="interleaved rounds (medians)")
    b.add_argument("--json", help="write the results to this JSON file")
    b.add_argument("--accounts", type=int, default=1_000_000, help="portfolio size for the analytics cases")
    b.add_argument("-v", "--verbose", action="store_true", help="progress on stderr even when not a terminal")
    b.set_defaults(func=cmd_bench)
    rp = sub.add_parser("report", help="one record as a self-contained HTML page (mxbureau[views])")
    rp.add_argument("input", help="INTL13 file")
    which = rp.add_mutually_exclusive_group(required=True)
    which.add_argument("--reference", help="the operator reference of the record (the first one that has it)")
    which.add_argument("--record", type=int, help="the 0-based index of the record in the file")
    rp.add_argument("-o", "--output", required=True, help="the HTML page to write")
    rp.add_argument("--redact-key-file", help="personal data -> HMAC-SHA256 under the key in this file (>= 16 bytes)")
    rp.add_argument("--lang", choices=("es", "en"), default="es", help="headings' language (code labels stay Spanish)")
    rp.add_argument("--replied-on", help="YYYY-MM-DD: the date of the reply (INTL13 records do not carry it)")
    rp.set_defaults(func=cmd_report)

    pp = sub.add_parser("portfolio", help="a page of portfolio plots with their numbers (mxbureau[views])")
    pp.add_argument("input", help="INTL13 file")
    pp.add_argument("--as-of", required=True, help="YYYY-MM-DD: the month the windows end in")
    pp.add_argument("-o", "--output", required=True, help="the HTML page to write")
    pp.add_argument("--scorecard", help="points table JSON: its scores are plotted too")
    pp.add_argument("--redact-key-file", help="redact personal data before anything is computed (>= 16 bytes)")
    pp.add_argument("--lang", choices=("es", "en"), default="es")
    pp.set_defaults(func=cmd_portfolio)
    return p


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
