"""The README's Python examples run as written (in order, one namespace, in a scratch folder), and its
shell examples name only commands and options that exist."""
import pathlib
import re
import shlex


from mxbureau.cli import build_parser

README = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_the_python_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert len(blocks) >= 3
    ns = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), ns)
    assert (tmp_path / "BATCH.txt").stat().st_size > 0 and (tmp_path / "out" / "TL.parquet").exists()
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert ns["scores"]["score"].notna().all() and len(ns["feats"]) == len(ns["scores"])


def test_the_shell_examples_use_real_commands_and_options():
    parser = build_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    seen = 0
    for block in _blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if "mxbureau " not in line:
                continue
            words = shlex.split(line[line.index("mxbureau "):])
            if words[1] in ("install",):
                continue
            cmd = subs.get(words[1])
            assert cmd is not None, line
            rest = words[2:]
            group = next((a for a in cmd._actions if a.__class__.__name__ == "_SubParsersAction"), None)
            if group is not None:                   # a command group (mxbureau circulo validate ...)
                cmd = group.choices.get(rest[0]) if rest else None
                assert cmd is not None, line
                rest = rest[1:]
            known = {o for a in cmd._actions for o in a.option_strings}
            for w in rest:
                if w.startswith("--"):
                    assert w.split("=")[0] in known, (line, w)
            seen += 1
    assert seen >= 15
