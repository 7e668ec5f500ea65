"""The layout's promises: one definition of each constant (compiled copies equal the spec), no import
cycles and no imports hidden in functions (but those named below), one root for every exception, old
module paths alive."""
import ast
import datetime as dt
import importlib
import pathlib

import pyarrow as pa
import pytest

import mxbureau
from mxbureau import errors, formats
from mxbureau.analytics import history
from mxbureau.intl13 import FORMAT, _scan, catalogs, spec, synth, twin, writer

# The layout is the checkout's (an installed wheel holds no .pyx); the tests run from it.
PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "src" / "mxbureau"


def test_compiled_constants_equal_the_spec():
    c = _scan.CONSTANTS
    assert c["PROBLEMS"] == spec.CODE
    assert c["KINDS"] == {k: i for i, k in enumerate(spec.KINDS)}
    assert (spec.HIT, spec.NOHIT, spec.ERROR_RECORD, spec.CONSULTA_RECORD) == (0, 1, 2, 3) == tuple(c["KINDS"].values())
    assert c["RESPONSE_HEADER_LENGTH"] == spec.RESPONSE_HEADER_LENGTH == sum(h.length for h in spec.RESPONSE_HEADER)
    assert c["CONSULTA_HEADER_LENGTH"] == spec.CONSULTA_HEADER_LENGTH == sum(h.length for h in spec.CONSULTA_HEADER)
    assert c["ERROR_HEADER_LENGTH"] == spec.ERROR_HEADER_LENGTH == 4
    assert c["RESPONSE_COUNTRY_AT"] == spec.RESPONSE_COUNTRY_AT == 31          # the manual: positions 32-33
    assert c["RESPONSE_FOUND_AT"] == spec.RESPONSE_FOUND_AT == 47              # position 48
    assert c["CONSULTA_COUNTRY_AT"] == spec.CONSULTA_COUNTRY_AT == 34          # position 35
    assert _scan.INFO == ("declared_length", "version", "cr_reading", "es_style")
    # the segments that may open a consulta before its INTL header: consulta segments of the spec,
    # the twin's list, and a note in MANUAL_NOTES saying so
    assert c["CONSULTA_PREFIX"] == tuple(t.decode() for t in twin.PREFIX) == ("CL", "AU")
    assert all(t in spec.CONSULTA.by_tag for t in c["CONSULTA_PREFIX"])
    assert "before the INTL header" in spec.MANUAL_NOTES[("consulta", "CL")]
    assert set(spec.MESSAGES) == set(spec.CODE.values()) and len(spec.CODE) == len(spec.MESSAGES)


def test_history_levels_are_one_table_the_kernel_reads():
    hist = "".join(catalogs.HISTORY_LEVELS) + "X"          # every Anexo 4 character and one it does not define
    t = mxbureau.read(synth.generate_bytes(1, seed=1, mix={"hit": 1.0}))["TL"].slice(0, 1)
    t = t.set_column(t.schema.get_field_index("payment_history"), t.schema.field("payment_history"),
                     pa.array([hist[:24]], pa.large_string()))
    t = t.set_column(t.schema.get_field_index("history_latest_on"), t.schema.field("history_latest_on"),
                     pa.array([dt.date(2026, 10, 1)], pa.date32()))
    m = history.matrix(t, "2026-10-31", months=len(hist))[0]
    want = [catalogs.HISTORY_LEVELS.get(ch, catalogs.HISTORY_INVALID) for ch in hist[:24]]
    assert m[:len(want)].tolist() == want
    assert catalogs.mops_at_least(5) == ("05", "06", "07", "96", "97", "99")
    assert catalogs.mops_at_least(2)[0] == "02" and "00" not in catalogs.mops_at_least(1)


def test_consulta_segments_derive_from_the_response_tables():
    for tag, drop in (("PN", {"19", "20"}), ("PA", {"12"}), ("PE", {"17", "18", "19"})):
        q, r = spec.segment("consulta", tag), spec.segment("response", tag)
        assert [f.tag for f in q.fields] == [f.tag for f in r.fields if f.tag not in drop]
        for f in q.fields:
            g = r.by_tag[f.tag]
            assert (f.name, f.spanish, f.type, f.max_length, f.fixed, f.kind, f.catalog) == \
                   (g.name, g.spanish, g.type, g.max_length, g.fixed, g.kind, g.catalog)
            assert f.required is not None and g.required is None
    assert [f.required for f in spec.segment("consulta", "PN").fields][:4] == [True, True, False, True]


def _modules():
    for p in sorted(PACKAGE.rglob("*.py")):
        rel = p.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        yield (name[:-len(".__init__")] if name.endswith(".__init__") else name), p


def _imports(name, path):
    """Module-level imports of package modules (resolved names), and the line numbers of imports
    inside functions or methods."""
    tree = ast.parse(path.read_text())
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top, nested = set(), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for n in ast.walk(node):
                if isinstance(n, ast.Import):
                    nested += [(n.lineno, a.name) for a in n.names]
                elif isinstance(n, ast.ImportFrom):
                    nested.append((n.lineno, "." * n.level + (n.module or "")))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            if base.startswith("mxbureau"):
                top.add(base)
                top.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            top.update(a.name for a in node.names if a.name.startswith("mxbureau"))
    return top, nested


# The only imports of the package's modules inside functions, each for a reason other than a cycle: a
# Report's renderings live in the pages' room above intl13 (which must not load it to read reports), and
# the portfolio page's plots need matplotlib (the views extra), which ``import mxbureau`` must not load;
# likewise ``mxbureau convert --dask`` and mxbureau.dask (the dask extra). The CLI imports the analytics,
# the bench and the pages in the commands that use them, and mxbureau.views its portfolio page at first
# use: they bring pandas, which scan, read, validate, convert and a report page never need
# (tests/core/test_lazy_imports.py).
NESTED_IMPORTS_ALLOWED = {"mxbureau.intl13.report": 2, "mxbureau.views.portfolio": 1, "mxbureau.views": 1,
                          "mxbureau.circulo.cli": 2,      # its bench (and --size) with the analytics
                          "mxbureau.cli": 6}      # + convert --dask: mxbureau.dask needs the dask extra
# Optional third-party packages, imported where they are needed (an extra, or a library only one
# method uses): never a package module. pandas is a dependency, imported only where a DataFrame is made:
# its import is 0.4 s, half of every command's start (`import mxbureau` 0.74 -> 0.6 s, `mxbureau scan`
# 0.95 -> 0.59 s, medians of 7).
OPTIONAL = {"polars", "matplotlib", "dask", "distributed", "fsspec", "s3fs", "optbinning", "tqdm", "pandas"}


def test_no_import_cycles_and_no_imports_hidden_in_functions():
    mods = dict(_modules())
    graph = {}
    for name, path in mods.items():
        top, nested = _imports(name, path)
        own = [(line, m) for line, m in nested if m.split(".")[0] not in OPTIONAL]
        assert len(own) == NESTED_IMPORTS_ALLOWED.get(name, 0), f"{name}: imports inside functions: {own}"
        # an import of a package runs its __init__: mxbureau's own __init__ re-exports, it is the root
        graph[name] = {m for m in top if m in mods and m != name and m != "mxbureau"}
    state = {}

    def visit(m, stack):
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(m):] + [m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for d in sorted(graph[m]):
            if not (m.startswith(d + ".") and d in mods and mods[d].name == "__init__.py"):   # a package's own init
                visit(d, stack + [m])
        state[m] = 2
    for m in graph:
        visit(m, [])


def test_the_core_knows_no_format():
    core = [n for n, p in _modules() if not n.startswith(("mxbureau.intl13", "mxbureau.analytics", "mxbureau.views"))
            and n not in ("mxbureau", "mxbureau.cli", "mxbureau.bench", "mxbureau.baselines")]
    assert {"mxbureau.scanner", "mxbureau.tables", "mxbureau.tokens", "mxbureau.source", "mxbureau.convert"} <= set(core)
    for name in core:
        top, _ = _imports(name, dict(_modules())[name])
        assert not {m for m in top if m.startswith("mxbureau.intl13")}, name
    for pyx in ("_decode.pyx", "_index.pyx", "_index.pxd"):
        text = (PACKAGE / pyx).read_text()
        assert "intl13" not in text and "INTL" not in text, pyx


def test_every_exception_has_the_root():
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.MxbureauError), name
    assert issubclass(errors.FormatError, ValueError) and issubclass(errors.SourceError, OSError)
    with pytest.raises(errors.WriteError):
        writer.record_bytes({"kind": "hit", "segments": [("ZZ", {})]})
    with pytest.raises(errors.SourceTypeError):
        mxbureau.scan(12)
    with pytest.raises(errors.UsageError):
        mxbureau.scan(b"", workers=0)
    with pytest.raises(errors.UnknownNameError):
        mxbureau.read(b"", segments=["XX"])


def test_old_module_paths_still_import():
    for old, new in (("mxbureau.spec", "mxbureau.intl13.spec"), ("mxbureau.catalogs", "mxbureau.intl13.catalogs"),
                     ("mxbureau.history", "mxbureau.analytics.history"), ("mxbureau.consulta", "mxbureau.intl13.consulta"),
                     ("mxbureau.synth", "mxbureau.intl13.synth"), ("mxbureau.writer", "mxbureau.intl13.writer"),
                     ("mxbureau.reference", "mxbureau.intl13.twin"), ("mxbureau.scorecard", "mxbureau.analytics.scorecard")):
        assert importlib.import_module(old) is importlib.import_module(new), old
    from mxbureau.tables import schema_of
    from mxbureau.spec import tag_code
    assert schema_of("TL").field("balance").metadata[b"tag"] == b"22"
    assert tag_code("TL") == 0x4C54
    assert mxbureau.catalogs.MOP["01"].startswith("Cuenta al corriente")


def test_the_format_is_registered_and_detected():
    assert formats.get() is FORMAT is formats.get("intl13")
    assert formats.detect(b"\n\nINTL13") is FORMAT and formats.detect(b"ERRRUR") is FORMAT
    with pytest.raises(errors.UnknownNameError):
        formats.get("metro2")
    assert FORMAT.tables["TL"] is spec.segment("response", "TL") and "ES" not in FORMAT.tables
