"""``mxbureau circulo validate | convert | write | diff | generate | bench``: argument parsing and
printing around mxbureau.circulo. ``register(subparsers)`` adds the group to the mxbureau command.
Exit statuses as the mxbureau command's: 0 done, nothing wrong found; 1 data problems (findings of
error severity, rejected rows, a strict read stopped at damage: one line on stderr); 2 a user error
(a missing file, a bad argument: one line on stderr)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import time

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ..convert import convert
from ..errors import FormatError, MxbureauError
from ..redact import check_key
from . import synth
from .diff import diff
from .errors import with_company
from .validate import summary, validate
from .writer import TABLES, Lender, SEPARATORS, write

__all__ = ["register"]


class _UserError(Exception):
    pass


def _fail(msg: str) -> int:
    print(f"mxbureau circulo: {msg}", file=sys.stderr)
    return 2


def _guard(func):
    """Run a command; user errors become one line and exit 2."""

    def run(a) -> int:
        try:
            return func(a)
        except _UserError as e:
            return _fail(str(e))
        except FormatError as e:                  # damage in strict mode: a data problem
            where = f"{e.source}: " if getattr(e, "source", None) else ""
            print(f"mxbureau circulo: {where}{with_company(e)}; --lenient skips damaged company blocks and reports them",
                  file=sys.stderr)
            return 1
        except MxbureauError as e:
            return _fail(str(e))
        except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
            return _fail(f"{e.filename}: {e.strerror.lower() if e.strerror else 'cannot open'}")
    return run


def _exists(path: str) -> str:
    if not os.path.exists(path):
        raise _UserError(f"{path}: no such file")
    return path


def _catalog_args(items):
    out = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise _UserError(f"--catalog takes NAME=PATH (got {item!r})")
        out[name] = _exists(path)
    return out


def cmd_validate(a) -> int:
    findings = validate(_exists(a.input), catalogs=_catalog_args(a.catalog), format=a.layout)
    s = summary(findings)
    errors = sum(v for k, v in s["scopes"].items() if k.startswith("error:"))
    print(f"{a.input}: {findings.num_rows:,} findings ({errors:,} errors, {findings.num_rows - errors:,} warnings)")
    if findings.num_rows:
        print("by rule:  " + ", ".join(f"{r} {n:,}" for r, n in s["rules"].items()))
        print("by scope: " + ", ".join(f"{k} {n:,}" for k, n in s["scopes"].items()))
        for row in findings.slice(0, a.max).to_pylist():
            where = f"byte {row['offset']}" + (f", company {row['company']}" if row["company"] is not None else "") \
                + (f", credit {row['credit']}" if row["credit"] is not None else "")
            fld = f" {row['segment']}-{row['field']} {row['field_name']}" if row["field"] else (f" {row['segment']}" if row["segment"] else "")
            print(f"  {row['rule']} {row['severity']} ({row['scope']}){fld}: {row['message']} [{where}]")
        if findings.num_rows > a.max:
            print(f"  ... {findings.num_rows - a.max:,} more (-o writes them all)")
    if a.output:
        if a.output.endswith(".csv"):
            pcsv.write_csv(findings, a.output)
        else:
            pq.write_table(findings, a.output)
    return 1 if errors else 0


def cmd_convert(a) -> int:
    inputs = [_exists(p) for p in a.inputs]
    key = None
    if a.redact_key_file:
        with open(_exists(a.redact_key_file), "rb") as f:
            key = check_key(f.read().rstrip(b"\r\n"))
    segments = [s for s in a.segments.split(",") if s] or None
    t0 = time.perf_counter()
    s = convert(inputs, a.output, fmt=a.format, segments=segments, strict=not a.lenient, chunk_bytes=a.chunk_mb << 20,
                workers=a.workers, redact_key=key, overwrite=a.overwrite)
    secs = time.perf_counter() - t0
    print(f"{s.files} file(s), {s.bytes:,} bytes -> {a.output} in {secs:.2f} s ({s.bytes / max(secs, 1e-9) / 1e6:,.0f} MB/s); "
          f"rows: {', '.join(f'{k} {v:,}' for k, v in sorted(s.rows.items()))}; problems: {s.problems}")
    return 0


def _load_table(folder: str, name: str, encoding: str):
    import pandas as pd
    for ext in (".parquet", ".csv"):
        p = os.path.join(folder, name + ext)
        if os.path.exists(p):
            if ext == ".parquet":
                return pq.read_table(p)
            # every column as text: codes and keys keep their leading zeros; "" is not reported
            try:
                return pd.read_csv(p, dtype=str, keep_default_na=False, encoding=encoding).replace({"": None})
            except (UnicodeDecodeError, pd.errors.ParserError) as e:
                raise _UserError(f"{p}: not a CSV file in {encoding} ({type(e).__name__})") from None
    return None


def cmd_write(a) -> int:
    if not os.path.isdir(a.folder):
        raise _UserError(f"{a.folder}: not a folder (it holds companies.csv, credits.csv, details.csv, ...)")
    portfolio = {name: t for name in TABLES if (t := _load_table(a.folder, name, a.encoding)) is not None}
    if "companies" not in portfolio:
        raise _UserError(f"{a.folder}: no companies.csv or companies.parquet")
    try:
        report = dt.date.fromisoformat(a.report_date) if a.report_date else None
    except ValueError:
        raise _UserError("--report-date is YYYY-MM-DD") from None
    lender = Lender(a.user_code, a.institution_type, a.lender_name, a.previous_user_code, report)
    t0 = time.perf_counter()
    res = write(portfolio, a.output, period=a.period, format=a.format, lender=lender, separator=a.separator,
                normalize=not a.no_normalize, enye=a.enye)
    secs = time.perf_counter() - t0
    print(f"wrote {res.companies:,} companies, {res.credits:,} credits, {res.details:,} details, "
          f"{res.shareholders:,} shareholders, {res.guarantors:,} guarantors ({res.bytes:,} bytes) to {a.output} "
          f"in {secs:.2f} s; rejected rows: {len(res.rejects):,}")
    if a.rejects:
        with open(a.rejects, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["table", "row", "field", "rule", "reason"])
            for r in res.rejects:
                w.writerow([r.table, r.row, r.field, r.rule, r.reason])
    elif res.rejects:
        for r in res.rejects[:20]:
            print(f"  rejected {r.table} row {r.row} {r.field or '(row)'}: {r.rule} {r.reason}")
    return 1 if res.rejects else 0


def cmd_diff(a) -> int:
    t = diff(_exists(a.previous), _exists(a.current))
    rec = t.records.to_pylist()
    print(f"previous: {rec[0]['credits']:,} credits ({rec[0]['period']}); current: {rec[1]['credits']:,} credits ({rec[1]['period']})")
    for name in t.names:
        print(f"  {name}: {t[name].num_rows:,}")
    if a.output:
        os.makedirs(a.output, exist_ok=True)
        for name in t.names:
            pq.write_table(t[name], os.path.join(a.output, f"{name}.parquet"))
    return 0


def cmd_generate(a) -> int:
    companies = a.companies
    if a.size:
        from . import bench as _bench     # (with the analytics and pandas: not at every command's start)
        target = _bench.parse_size(a.size)
        companies = max(1, int(target / _bench.BYTES_PER_COMPANY[a.format]))
    t0 = time.perf_counter()
    res = synth.generate(a.output, companies, seed=a.seed, format=a.format, separator=a.separator)
    secs = time.perf_counter() - t0
    print(f"wrote {res.companies:,} companies, {res.credits:,} credits ({res.bytes:,} bytes, format {a.format}) "
          f"to {a.output} in {secs:.2f} s ({res.bytes / secs / 1e6:.1f} MB/s)")
    return 0


def cmd_bench(a) -> int:
    from . import bench as _bench
    say = (lambda m: print(m, file=sys.stderr)) if a.verbose or sys.stderr.isatty() else None
    rep = _bench.run(size=_bench.parse_size(a.size), path=a.input, rounds=a.rounds, progress=say,
                     keep=a.keep)
    print(_bench.format_report(rep))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rep, f, indent=2)
    return 0


def register(subparsers) -> None:
    """Add ``circulo`` and its commands to the mxbureau command's subparsers."""
    top = subparsers.add_parser("circulo", help="Círculo de Crédito's load format for companies (validate, write, ...)")
    sub = top.add_subparsers(dest="circulo_command", required=True)

    v = sub.add_parser("validate", help="every rule; a summary and the first findings; exit 1 if any error")
    v.add_argument("input")
    v.add_argument("--max", type=int, default=30, help="findings to print (all are counted)")
    v.add_argument("-o", "--output", help="all findings to this Parquet (or .csv) file")
    v.add_argument("--catalog", action="append", metavar="NAME=PATH",
                   help="an annex catalogue (CSV code,description or JSON): credit_types, currencies, countries, ...")
    v.add_argument("--layout", help="a layout registered with define_format (default circulo)")
    v.set_defaults(func=_guard(cmd_validate))

    c = sub.add_parser("convert", help="one Parquet (or CSV) dataset per table, streamed by chunks")
    c.add_argument("inputs", nargs="+")
    c.add_argument("-o", "--output", required=True, help="output directory")
    c.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    c.add_argument("--segments", default="", help="only these tables, e.g. CR,DE (records and segments always)")
    c.add_argument("--lenient", action="store_true", help="skip and report damaged company blocks")
    c.add_argument("--chunk-mb", type=int, default=64)
    c.add_argument("--workers", type=int, default=1)
    c.add_argument("--redact-key-file", help="personal data -> HMAC-SHA256 under this key (>= 16 bytes)")
    c.add_argument("--overwrite", action="store_true", help="replace an earlier conversion in a non-empty folder")
    c.set_defaults(func=_guard(cmd_convert))

    w = sub.add_parser("write", help="a load file from a folder of companies, shareholders, credits, details, "
                                     "guarantors (.csv or .parquet)")
    w.add_argument("folder")
    w.add_argument("-o", "--output", required=True)
    w.add_argument("--period", required=True, help="YYYY-MM (or MMAAAA)")
    w.add_argument("--format", type=int, choices=(1, 2), default=1, help="1 detallado (default), 2 sumarizado")
    w.add_argument("--user-code", required=True, help="HD-00: your 4-digit Círculo user code")
    w.add_argument("--institution-type", required=True, help="HD-02 (3 characters)")
    w.add_argument("--lender-name", required=True, help="HD-07")
    w.add_argument("--previous-user-code", help="HD-01 (mergers, portfolio purchases)")
    w.add_argument("--report-date", help="HD-04, YYYY-MM-DD (default: the period's last day)")
    w.add_argument("--separator", choices=tuple(SEPARATORS), default="none")
    w.add_argument("--enye", choices=("keep", "n"), default="keep", help="Ñ as byte 0xD1 (keep) or N")
    w.add_argument("--no-normalize", action="store_true", help="write values as given (no uppercase, accents kept)")
    w.add_argument("--rejects", help="every rejected row's table, row (0-based), field and rule to this CSV")
    w.add_argument("--encoding", default="utf-8-sig", help="of the CSV files")
    w.set_defaults(func=_guard(cmd_write))

    d = sub.add_parser("diff", help="last month's file against this month's")
    d.add_argument("previous")
    d.add_argument("current")
    d.add_argument("-o", "--output", help="a folder for one Parquet file per table")
    d.set_defaults(func=_guard(cmd_diff))

    g = sub.add_parser("generate", help="a valid synthetic load file (deterministic per seed)")
    g.add_argument("-o", "--output", required=True)
    g.add_argument("--companies", type=int, default=1000)
    g.add_argument("--size", help="about this many bytes instead, e.g. 500MB")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--format", type=int, choices=(1, 2), default=1)
    g.add_argument("--separator", choices=tuple(SEPARATORS), default="none")
    g.set_defaults(func=_guard(cmd_generate))

    b = sub.add_parser("bench", help="read and validate throughput, and the ratios to the baselines")
    b.add_argument("--size", default="500MB", help="generated file size (default 500MB)")
    b.add_argument("--input", help="measure this file instead of a generated one")
    b.add_argument("--rounds", type=int, default=3)
    b.add_argument("--json", help="write the results to this JSON file")
    b.add_argument("--keep", help="keep the generated file at this path (reused when it exists)")
    b.add_argument("-v", "--verbose", action="store_true")
    b.set_defaults(func=_guard(cmd_bench))
