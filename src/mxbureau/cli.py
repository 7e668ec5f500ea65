"""The ``mxbureau`` command: argument parsing, progress and printing around the library's functions.

One exit-code rule for every command: 0 done and nothing wrong found; 1 data problems found (a strict
read stopped at damage, or problems were reported: validate's findings, lenient damaged spans,
rejected consulta rows); 2 a usage error or an input that cannot be read; 3 an internal error (a bug:
``--debug`` shows its traceback). A user error is one line on stderr, never a traceback, and a failed
command prints no success summary."""
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
from typing import TYPE_CHECKING, List

import pyarrow.parquet as pq
from tqdm import tqdm

from . import __version__
from .circulo.cli import register as register_circulo      # the `mxbureau circulo ...` group
from .convert import COMPRESSIONS, STATISTICS, convert, staged_output
from .errors import FormatError, MxbureauError
from .formats import get as get_format, names as format_names
from .intl13.consulta import consultas, read_csv
from .intl13.lookup import find_report
from .intl13.synth import DEFAULT_MIX, write_file
from .intl13.validate import validate
from .intl13.writer import SEPARATORS
from .redact import check_key
from .samples import sample_path
from .scanner import scan_chunks
from .schema import catalog, schema
from .source import compression_of, expand, label, open_all
from .tables import Tables, build_tables, read

# The analytics, pandas, the bench and the pages are imported by the commands that use them: with
# them every command started in 0.95-1.04 s, most of it importing pandas; without, 0.59 (medians of 7).
if TYPE_CHECKING:
    import pandas as pd

    from .analytics.scorecard import Scorecard

__all__ = ["main", "sample_path", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "EXIT_INTERNAL"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_RULE = ("exit status: 0 done, nothing wrong found; 1 data problems found (damage, validation findings, "
             "rejected rows); 2 usage error or unreadable input; 3 internal error (--debug shows it)")


class UserError(Exception):
    """A mistake in the command line or its files: one line, exit 2."""


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UserError(f"{flag}: expected a date as YYYY-MM-DD, e.g. 2026-10-31") from None


def _mix(text: str):
    if not text:
        return dict(DEFAULT_MIX)
    mix = {k: 0.0 for k in DEFAULT_MIX}
    for part in text.split(","):
        k, _, v = part.partition("=")
        if k not in mix:
            raise UserError(f"--mix: unknown record kind {k!r} (use {', '.join(mix)})")
        try:
            mix[k] = float(v)
        except ValueError:
            raise UserError(f"--mix: {k}= needs a number") from None
    if sum(mix.values()) <= 0:
        raise UserError("--mix: the weights must add up to more than 0")
    return mix


def _progress(a, total, desc: str):
    """A progress bar on stderr (bytes, rate, ETA) when it is a terminal and --quiet is not given."""
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False,
                disable=a.quiet or not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True)


def _inputs(a) -> list:
    return a.inputs or [sample_path()]


def _size(inputs) -> int:
    """Bytes of the inputs when all are plain, uncompressed files (else None: no total to show). Only
    regular files are opened: a FIFO or stdin opened here would be consumed."""
    total = 0
    for item in expand(inputs):
        if not isinstance(item, (str, os.PathLike)) or item == "-" or not os.path.isfile(item):
            return None
        with open(item, "rb") as f:
            if compression_of(f.read(1 << 16)):
                return None
        total += os.path.getsize(item)
    return total


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _redaction_key(path):
    try:
        with open(path, "rb") as f:
            key = f.read().rstrip(b"\r\n")        # a key file written by echo ends in a newline
    except OSError as e:
        raise UserError(f"{label(path)}: cannot read the key file ({e.strerror or 'error'})") from None
    return check_key(key)                           # before any output is written (UsageError: exit 2)


def cmd_generate(a) -> int:
    t0 = time.perf_counter()
    with _progress(a, None, "generate") as bar:
        done = [0]

        def prog(n):
            bar.update(n - done[0])
            done[0] = n
        n = write_file(a.output, a.n, seed=a.seed, mix=_mix(a.mix), separator=a.separator, jobs=a.jobs,
                       progress=prog)
    took = time.perf_counter() - t0
    print(f"wrote {a.n:,} records, {n:,} bytes to {a.output} in {took:.2f} s ({n / took / 1e6:.1f} MB/s)")
    return EXIT_OK


def cmd_scan(a) -> int:
    inputs = _inputs(a)
    t0 = time.perf_counter()
    kinds, problems, unknown = Counter(), [], 0
    nbytes = ntok = nrec = 0
    srcs = open_all(inputs)
    with _progress(a, _size(inputs), "scan") as bar:
        for src in srcs:
            try:
                for tok in scan_chunks(src, strict=not a.lenient, workers=a.workers, show_values=a.show_values):
                    kinds.update(tok.records["kind"].tolist())
                    problems += tok.errors
                    unknown += int(tok.unknown.sum())
                    nrec, ntok = nrec + tok.n_records, ntok + len(tok)
                    n = tok.span[1] - tok.span[0]
                    nbytes += n
                    bar.update(n)
            except FormatError as e:
                e.source = src.name                   # which input, as convert's and validate's say
                raise
    took = time.perf_counter() - t0
    print(f"{len(inputs)} input(s): {nbytes:,} bytes, {nrec:,} records "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), {ntok:,} tokens, "
          f"{unknown:,} with tags the manual does not define, {len(problems)} problems, {took:.3f} s "
          f"({nbytes / max(took, 1e-9) / 1e6:,.0f} MB/s)")
    for p in problems[:20]:
        print(f"  problem: bytes {p.start}-{p.end} (record {p.record}): {p.message} at byte {p.offset}")
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_convert(a) -> int:
    if a.redact_key_file and a.show_values:
        raise UserError("--show-values would put raw bytes next to redacted tables; use one or the other")
    key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
    inputs = _inputs(a)
    columns = [c.strip() for c in a.columns.split(",") if c.strip()] if a.columns else None
    t0 = time.perf_counter()
    if a.dask is not None:                    # the dask extra: one task a byte range, on a cluster
        if key is not None or a.format != "parquet" or a.show_values or a.row_group_size:
            raise UserError("--dask writes Parquet, without --redact-key-file, --show-values or --row-group-size")
        from . import dask as mxdask
        from distributed import Client, LocalCluster
        with staged_output(a.output, a.overwrite) as stage, \
                (Client(a.dask) if a.dask != "local" else Client(LocalCluster(processes=True))) as client:
            s = mxdask.to_parquet(inputs, stage, blocksize=a.chunk_mb << 20, segments=a.segments or None,
                                  columns=columns, strict=not a.lenient, compression=a.compression,
                                  statistics=a.statistics)
            client.close()
    else:
        with _progress(a, _size(inputs), "convert") as bar:
            s = convert(inputs, a.output, fmt=a.format, segments=a.segments or None, columns=columns,
                        strict=not a.lenient, chunk_bytes=a.chunk_mb << 20, workers=a.workers, redact_key=key,
                        show_values=a.show_values, overwrite=a.overwrite, compression=a.compression,
                        row_group_size=a.row_group_size, statistics=a.statistics, progress=bar.update)
    took = time.perf_counter() - t0
    print(f"converted {s.files} source(s), {s.bytes:,} bytes in {took:.2f} s "
          f"({s.bytes / max(took, 1e-9) / 1e6:,.1f} MB/s) -> {a.output} ({a.format}: a folder per table)")
    print("records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.kinds.items())))
    order = {k: i for i, k in enumerate(["records", *(t for f in format_names() for t in get_format(f).tables)])}
    print("rows: " + ", ".join(f"{k} {s.rows[k]:,}" for k in sorted(s.rows, key=lambda k: order.get(k, len(order)))
                               if k != "problems"))         # in table order, whichever thread wrote first
    print(f"problems: {s.problems:,}; peak RSS {_peak_rss_mb():,.0f} MB")
    return EXIT_PROBLEMS if s.problems else EXIT_OK


def cmd_validate(a) -> int:
    inputs = _inputs(a)
    with _progress(a, _size(inputs), "validate") as bar:
        probs = validate(inputs, show_values=a.show_values, progress=bar.update)
    for p in probs.slice(0, a.max).to_pylist():
        value = f" {p['value']}" if a.show_values else ""
        where = f"{p['source']}: " if "source" in p else ""
        print(f"{where}record {p['record']} {p['segment'] or '-'} {p['tag'] or '-'} at byte {p['offset']}: "
              f"{p['problem']}{value}")
    print(f"{len(inputs)} input(s): {probs.num_rows:,} problem(s)")
    if a.output:
        pq.write_table(probs, a.output)
    return EXIT_PROBLEMS if probs.num_rows else EXIT_OK


def cmd_bench(a) -> int:
    from .bench import parse_size, run, run_parquet, run_scaling
    say = (lambda m: print(f"bench: {m}", file=sys.stderr)) if (sys.stderr.isatty() or a.verbose) and not a.quiet \
        else (lambda m: None)
    path, tmp = a.input, None
    if path is None:
        size = parse_size(a.size)
        n = max(50, size // 2350)                       # ~2,350 bytes a generated record
        tmp = tempfile.NamedTemporaryFile(prefix="mxbureau-bench-", suffix=".intl", delete=False).name
        say(f"generating {n:,} records (~{size / 1e6:,.0f} MB)")
        write_file(tmp, n, seed=7, separator="lf", jobs=os.cpu_count() or 1)
        path = tmp
    try:
        if a.parquet:
            if a.large:
                raise UserError("--parquet measures the writer settings alone; run --large separately")
            say("Parquet writer settings on the tables of the corpus")
            return _print_parquet(run_parquet(path, rounds=a.rounds), a.json)
        rep = run(path, workers=a.workers, rounds=a.rounds, progress=say, accounts=a.accounts)
        if a.large:
            rep["scaling"] = run_scaling(path, parse_size(a.large), rounds=max(1, a.rounds // 2), progress=say)
            rep["ratios"].update(rep["scaling"]["ratios"])
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
    for k, v in rep.get("scaling", {}).items():
        if k != "ratios":
            print(f"{k:{w}s} {v['ns_per_byte']:10.2f} ns/B at {v['bytes'] / 1e6:,.0f} MB (CPU: user "
                  f"{v['user_ns_per_byte']:.2f}, system {v['system_ns_per_byte']:.2f}; peak RSS "
                  f"{v['peak_rss_per_byte']:.2f} B/B)")
    for k, v in rep["ratios"].items():
        print(f"{k:{w}s} {v:10.2f}x" if v is not None else f"{k:{w}s} n/a")
    print(f"{'peak RSS':{w}s} {rep['peak_rss_mb']:10,.0f} MB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rep, f, indent=2)
    return EXIT_OK


def _print_parquet(rep: dict, json_path) -> int:
    print(f"input {rep['input_bytes']:,} bytes; {rep['rounds']} interleaved rounds; each setting writes every "
          f"table with pq.write_table (one thread), then reads them back")
    w = max(len(s["name"]) for s in rep["settings"])
    print("each ratio: this setting's time (or size) over the default's, the first row (above 1: slower, larger)")
    print(f"{'setting':{w}s} {'write s':>8s} {'MB/s':>7s} {'ratio':>10s} {'MB':>7s} {'ratio':>6s} "
          f"{'read s':>7s} {'ratio':>10s}")
    for s in rep["settings"]:
        print(f"{s['name']:{w}s} {s['write_seconds']:8.3f} {s['write_mb_per_s']:7.1f} {s['write_vs_default']:9.2f}x "
              f"{s['bytes'] / 1e6:7.1f} {s['size_vs_default']:5.2f}x {s['read_seconds']:7.3f} {s['read_vs_default']:9.2f}x")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(rep, f, indent=2)
    return EXIT_OK


def _features_of(a, as_of) -> pd.DataFrame:
    """Features of every input, chunk by chunk (bounded memory), with their keys."""
    import pandas as pd

    from .analytics.features import features
    inputs = _inputs(a)
    srcs = open_all(inputs)
    parts = []
    with _progress(a, _size(inputs), a.command) as bar:
        for tok in scan_chunks(srcs, strict=not a.lenient):
            t = build_tables(tok)
            parts.append(features(t.with_source(tok.source) if len(srcs) > 1 else t, as_of))
            bar.update(tok.span[1] - tok.span[0])
    return pd.concat(parts) if parts else features(read(b""), as_of)


def cmd_features(a) -> int:
    as_of = _date(a.as_of, "--as-of")
    f = _features_of(a, as_of)
    f.to_parquet(a.output)
    print(f"{len(f):,} customers x {f.shape[1]} columns -> {a.output} (as of {as_of}; keys: "
          f"{', '.join(list(f.index.names) + ['reference', 'control_number'])})")
    return EXIT_OK


def _scorecard(a) -> Scorecard:
    from .analytics.scorecard import Scorecard
    if not a.scorecard:
        return Scorecard.example()
    if not os.path.isfile(a.scorecard):
        raise UserError(f"{label(a.scorecard)}: no such scorecard file")
    try:
        return Scorecard.from_json(a.scorecard)
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{label(a.scorecard)}: not a valid scorecard ({type(e).__name__}); see the README") from None


def cmd_score(a) -> int:
    as_of = _date(a.as_of, "--as-of")
    card = _scorecard(a)
    f = _features_of(a, as_of)
    s = card.score(f, points=True)
    s.insert(0, "control_number", f["control_number"])
    s.insert(0, "reference", f["reference"])
    s.to_parquet(a.output)
    print(f"{len(s):,} customers scored with {card.name} -> {a.output}; "
          f"score median {s['score'].median():.0f}, min {s['score'].min():.0f}, max {s['score'].max():.0f}")
    return EXIT_OK


def cmd_consulta(a) -> int:
    password = a.password if a.password is not None else os.environ.get("MXBUREAU_PASSWORD")
    if password is None:
        raise UserError("give --password or set MXBUREAU_PASSWORD")
    if not os.path.isfile(a.portfolio):
        raise UserError(f"{label(a.portfolio)}: no such file")
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
    except UnicodeDecodeError:
        raise UserError(f"{label(a.portfolio)} is not {a.encoding} (after row {rows}); try --encoding latin-1") from None
    finally:
        if rej_file:
            rej_file.close()
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"wrote {written:,} consultas to {a.output}; {len(rejected):,} of {rows:,} rows rejected"
          + (f" (details: {a.rejects})" if a.rejects and rejected else ""))
    for (field, reason), n in reasons.most_common(10 if a.rejects else None):
        print(f"  {n:,} x {field}: {reason}")
    return EXIT_PROBLEMS if rejected else EXIT_OK


def cmd_schema(a) -> int:
    if a.catalog:
        for code, text in catalog(a.catalog).items():
            print(f"{code!s:>6}  {text}")
        return EXIT_OK
    s = schema(a.table).to_pylist()
    for table in dict.fromkeys(r["table"] for r in s):
        print(f"{table}")
        for r in (r for r in s if r["table"] == table):
            cat = f" [catalogue {r['catalog']}]" if r["catalog"] else ""
            tag = f"tag {r['tag']}, " if r["tag"] else ""
            print(f"  {r['column']}: {r['type'].replace('dictionary<values=large_string, indices=int32, ordered=0>', 'code')}"
                  f" ({tag}{r['spanish'] or '-'}){cat}")
            if r["description"] and not a.brief:
                print(f"      {r['description']}")
    return EXIT_OK


def cmd_report(a) -> int:
    """One record as a self-contained HTML page: only the chunk holding it is decoded (mxbureau.views)."""
    key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
    replied = _date(a.replied_on, "--replied-on") if a.replied_on else None
    from .views import report_html
    rep = find_report(a.input, reference=a.reference, record=a.record)
    with open(a.output, "w", encoding="utf-8") as out:
        out.write(report_html(rep, redact_key=key, lang=a.lang, replied_on=replied))
    print(f"record {rep.record} ({rep.kind}, {len(rep.accounts)} accounts) -> {a.output}")
    return EXIT_OK


def cmd_portfolio(a) -> int:
    """A self-contained page of portfolio plots with their numbers (mxbureau.views; needs matplotlib)."""
    as_of = _date(a.as_of, "--as-of")
    key = _redaction_key(a.redact_key_file) if a.redact_key_file else None
    card = _scorecard(a) if a.scorecard else None
    with _progress(a, _size([a.input]), "read") as bar:
        parts = []
        for tok in scan_chunks(a.input, strict=False):
            parts.append(build_tables(tok))
            bar.update(tok.span[1] - tok.span[0])
    tables = Tables.concat(parts) if parts else read(b"")
    if key is not None:
        tables = tables.redact(key)
    try:
        from .views import portfolio_html
        html = portfolio_html(tables, as_of, scores=card, lang=a.lang)
    except ImportError as e:                     # matplotlib: the views extra
        raise UserError(str(e)) from None
    with open(a.output, "w", encoding="utf-8") as out:
        out.write(html)
    print(f"{tables.records.num_rows:,} records, {tables['TL'].num_rows if 'TL' in tables.names else 0:,} accounts "
          f"as of {as_of} -> {a.output} ({len(html) / 1e3:,.0f} kB); problems: {tables.problems.num_rows:,}")
    return EXIT_PROBLEMS if tables.problems.num_rows else EXIT_OK


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")


def _inputs_arg(p: argparse.ArgumentParser, what: str = "INTL13 files") -> None:
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help=f"{what}: paths, globs, '-' for stdin; gzip/bzip2/xz/zstd/zip are read as they are "
                        "(default: the bundled sample)")


def _show_values(p: argparse.ArgumentParser) -> None:
    p.add_argument("--show-values", action="store_true",
                   help="put the offending bytes in messages (debugging on your own machine: personal data)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mxbureau", description="Read, check and convert Mexican credit-bureau "
                                "files (Buró de Crédito INTL13).", epilog=EXIT_RULE)
    p.add_argument("--version", action="version", version=f"mxbureau {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, func, help_):
        x = sub.add_parser(name, help=help_, description=help_, epilog=EXIT_RULE)
        _common(x)
        x.set_defaults(func=func)
        return x

    g = command("generate", cmd_generate, "write a synthetic INTL13 file (deterministic per seed)")
    g.add_argument("-n", type=int, default=1000, help="number of records (default 1000)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--mix", default="", help="record mix, e.g. hit=0.8,nohit=0.1,error=0.1,consulta=0")
    g.add_argument("--separator", choices=("none", "lf", "crlf", "0x13"), default="none")
    g.add_argument("--jobs", type=int, default=1, help="processes (the bytes do not depend on it)")

    s = command("scan", cmd_scan, "tokenize inputs and summarise them")
    _inputs_arg(s)
    s.add_argument("--lenient", action="store_true", help="report damaged spans instead of stopping")
    s.add_argument("--workers", type=int, default=1)
    _show_values(s)

    c = command("convert", cmd_convert, "inputs -> a dataset (folder) per table, Parquet or CSV, streamed by chunks")
    _inputs_arg(c)
    c.add_argument("-o", "--output", required=True, help="output folder: OUT/records/, OUT/TL/, ... (a part per input)")
    c.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    c.add_argument("--segments", default="", help="only these tables, e.g. TL,IQ (any case; records always)")
    c.add_argument("--columns", default="", help="only these columns, e.g. balance,mop (record always)")
    c.add_argument("--lenient", action="store_true", help="skip and report damaged spans instead of stopping")
    c.add_argument("--overwrite", action="store_true", help="replace an earlier conversion in a non-empty folder")
    c.add_argument("--chunk-mb", type=int, default=64, help="scan chunk size (bounds memory); with --dask the range size")
    c.add_argument("--dask", nargs="?", const="local", metavar="SCHEDULER_ADDRESS",
                   help="convert on a Dask cluster, a task per byte range (mxbureau[dask]); without an address "
                        "a local cluster; tables then carry source and record_start, not record")
    c.add_argument("--compression", choices=COMPRESSIONS,
                   help="Parquet compression (default snappy: see the README's \"Parquet settings\")")
    c.add_argument("--row-group-size", type=int, help="Parquet rows per row group (default: a chunk's rows)")
    c.add_argument("--statistics", choices=STATISTICS,
                   help="Parquet min/max/null statistics: on numbers, dates and flags (the default: see the README's "
                        "\"Parquet settings\"), on every column, or none")
    c.add_argument("--workers", type=int, default=1, help="threads scanning each chunk and writing its tables")
    c.add_argument("--redact-key-file", help="replace personal data by HMAC-SHA256 under the key in this file "
                                             "(>= 16 bytes; birth dates -> birth_year); see README")
    _show_values(c)

    v = command("validate", cmd_validate, "check every field against the manual; exit 1 if any problem")
    _inputs_arg(v)
    v.add_argument("--max", type=int, default=50, help="problems to print (all are counted)")
    v.add_argument("-o", "--output", help="write all problems to this Parquet file")
    _show_values(v)

    for name, func, extra in (("features", cmd_features, False), ("score", cmd_score, True)):
        x = command(name, func, "per-customer features" if name == "features" else "re-score with a points table")
        _inputs_arg(x)
        x.add_argument("-o", "--output", required=True, help="Parquet file (keys: record, reference, control_number)")
        x.add_argument("--as-of", required=True, help="YYYY-MM-DD: the month the windows end in")
        x.add_argument("--lenient", action="store_true", help="skip and report damaged spans instead of stopping")
        if extra:
            x.add_argument("--scorecard", help="points table JSON (default: the bundled example)")

    q = command("consulta", cmd_consulta, "portfolio CSV -> a validated batch of INTL13 consultas")
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

    sc = command("schema", cmd_schema, "the tables' columns: type, tag, the manual's name, a description, catalogue")
    sc.add_argument("table", nargs="?", help="one table (TL, PN, records, ...; any case); default all")
    sc.add_argument("--catalog", help="list a catalogue's codes instead: MOP, ACCOUNT_TYPES, or a column (TL.mop)")
    sc.add_argument("--brief", action="store_true", help="without the descriptions")

    b = command("bench", cmd_bench, "measure throughput and the ratios to the baselines on this machine")
    b.add_argument("--size", default="200MB", help="generated corpus size (default 200MB)")
    b.add_argument("--input", help="an INTL13 file to measure instead of a generated corpus")
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--rounds", type=int, default=5, help="interleaved rounds (medians)")
    b.add_argument("--json", help="write the results to this JSON file")
    b.add_argument("--accounts", type=int, default=1_000_000, help="portfolio size for the analytics cases")
    b.add_argument("--large", help="also per-byte time of scan/read and read's peak RSS on the corpus replicated "
                                   "to this size (e.g. 1GB), each in a fresh process")
    b.add_argument("--parquet", action="store_true",
                   help="measure Parquet writer settings (codecs, statistics, dictionaries, row groups) on the "
                        "corpus's tables instead")
    b.add_argument("-v", "--verbose", action="store_true", help="progress on stderr even when not a terminal")

    rp = command("report", cmd_report, "one record as a self-contained HTML page (mxbureau[views])")
    rp.add_argument("input", help="INTL13 file")
    which = rp.add_mutually_exclusive_group(required=True)
    which.add_argument("--reference", help="the operator reference of the record (the first one that has it)")
    which.add_argument("--record", type=int, help="the 0-based index of the record in the file")
    rp.add_argument("-o", "--output", required=True, help="the HTML page to write")
    rp.add_argument("--redact-key-file", help="personal data -> HMAC-SHA256 under the key in this file (>= 16 bytes)")
    rp.add_argument("--lang", choices=("es", "en"), default="es", help="headings' language (code labels stay Spanish)")
    rp.add_argument("--replied-on", help="YYYY-MM-DD: the date of the reply (INTL13 records do not carry it)")

    pp = command("portfolio", cmd_portfolio, "a page of portfolio plots with their numbers (mxbureau[views])")
    pp.add_argument("input", help="INTL13 file")
    pp.add_argument("--as-of", required=True, help="YYYY-MM-DD: the month the windows end in")
    pp.add_argument("-o", "--output", required=True, help="the HTML page to write")
    pp.add_argument("--scorecard", help="points table JSON: its scores are plotted too")
    pp.add_argument("--redact-key-file", help="redact personal data before anything is computed (>= 16 bytes)")
    pp.add_argument("--lang", choices=("es", "en"), default="es")
    register_circulo(sub)
    return p


def _say(msg: str) -> None:
    print(f"mxbureau: {msg}", file=sys.stderr)


def main(argv: List[str] = None) -> int:
    a = build_parser().parse_args(argv)
    try:
        return a.func(a)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except FormatError as e:                      # damage in strict mode: a data problem
        if a.debug:
            raise
        where = f"{label(e.source)}: " if getattr(e, "source", None) else ""
        hint = "; --lenient skips damaged records and reports them" if hasattr(a, "lenient") else ""
        _say(f"{where}{e}{hint}")
        return EXIT_PROBLEMS
    except (UserError, MxbureauError) as e:       # usage, unreadable input, a value that cannot be written
        if a.debug:
            raise
        _say(str(e))
        return EXIT_USAGE
    except BrokenPipeError:                       # the reader of stdout stopped (mxbureau schema TL | head)
        if a.debug:
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # the exit's flush writes nowhere
        return 128 + 13                           # as a process SIGPIPE ends, quietly
    except OSError as e:                          # an output that cannot be written
        if a.debug:
            raise
        _say(f"{label(e.filename) + ': ' if e.filename else ''}{e.strerror or type(e).__name__}")
        return EXIT_USAGE
    except Exception as e:                        # a bug: never a value in the message
        if a.debug:
            raise
        _say(f"internal error ({type(e).__name__}); run again with --debug for the traceback, and please report it")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
