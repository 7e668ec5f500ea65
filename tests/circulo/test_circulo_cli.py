"""``mxbureau circulo ...``: exit statuses (0 clean, 1 findings or rejects, 2 a user error on one line),
what each command prints and writes."""
import csv

import pandas as pd
import pyarrow.parquet as pq
import pytest

from circulo_cases import file_of, patch, portfolio
from mxbureau import circulo
from mxbureau.cli import main


@pytest.fixture()
def files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(file_of(portfolio(1)))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(patch(file_of(portfolio(1)), "CR", "term_days", b"00A60"))
    return good, bad


def test_validate(files, capsys, tmp_path):
    good, bad = files
    assert main(["circulo", "validate", str(good)]) == 0
    assert "0 findings" in capsys.readouterr().out
    out = tmp_path / "f.parquet"
    assert main(["circulo", "validate", str(bad), "-o", str(out)]) == 1
    text = capsys.readouterr().out
    assert "F02 1" in text and "CR-05 term_days" in text and "00A60" not in text
    assert pq.read_table(out).column("rule").to_pylist() == ["F02"]


def test_user_errors_are_one_line_exit_2(capsys, tmp_path):
    assert main(["circulo", "validate", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
    assert main(["circulo", "write", str(tmp_path), "-o", str(tmp_path / "x"), "--period", "2024-05",
                 "--user-code", "1", "--institution-type", "005", "--lender-name", "X"]) == 2
    assert "companies" in capsys.readouterr().err
    assert main(["circulo", "write", str(tmp_path), "-o", str(tmp_path / "x"), "--period", "2024-15",
                 "--user-code", "1", "--institution-type", "005", "--lender-name", "X"]) == 2


def test_convert(files, tmp_path, capsys):
    good, bad = files
    assert main(["circulo", "convert", str(good), "-o", str(tmp_path / "out")]) == 0
    assert pq.read_table(tmp_path / "out" / "CR").num_rows == 3           # a dataset per table
    assert pq.read_table(tmp_path / "out" / "segments").num_rows == 13
    d = bytearray(good.read_bytes())
    d[950:952] = b"ZZ"                                          # a damaged field tag in company 0's block
    (tmp_path / "dam.txt").write_bytes(bytes(d))
    capsys.readouterr()
    assert main(["circulo", "convert", str(tmp_path / "dam.txt"), "-o", str(tmp_path / "o2")]) == 1   # damage
    err = capsys.readouterr().err
    assert "company 0" in err and err.count("\n") == 1
    assert main(["circulo", "convert", str(tmp_path / "dam.txt"), "-o", str(tmp_path / "o3"), "--lenient"]) == 0
    assert pq.read_table(tmp_path / "o3" / "EM").num_rows == 1


def test_write_from_a_folder_of_csv(tmp_path, capsys):
    folder = tmp_path / "cartera"
    folder.mkdir()
    p = portfolio(1)
    p["credits"][0]["opened_on"] = None                         # V11: rejected
    for name, rows in p.items():
        pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
    out, rej = tmp_path / "carga.txt", tmp_path / "rejects.csv"
    assert main(["circulo", "write", str(folder), "-o", str(out), "--period", "2024-05", "--user-code", "0123",
                 "--institution-type", "005", "--lender-name", "Banco de Prueba", "--separator", "crlf",
                 "--rejects", str(rej)]) == 1
    rows = list(csv.DictReader(open(rej)))
    assert [(r["table"], r["row"], r["field"], r["rule"]) for r in rows] == [
        ("credits", "0", "opened_on", "V11"), ("details", "0", "", "parent")]
    t = circulo.read(str(out))
    assert t["CR"].column("contract_number").to_pylist() == ["C2", "C3"]
    assert t["EM"].column("postal_code").to_pylist() == ["06600", "44100"]       # leading zeros kept from the CSV
    assert circulo.validate(str(out)).num_rows == 0
    assert b"\r\n" in out.read_bytes()[:102]


def test_diff_and_generate(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert main(["circulo", "generate", "-o", str(a), "--companies", "50", "--seed", "3"]) == 0
    assert main(["circulo", "generate", "-o", str(b), "--companies", "60", "--seed", "3"]) == 0
    capsys.readouterr()
    assert main(["circulo", "diff", str(a), str(b), "-o", str(tmp_path / "d")]) == 0
    text = capsys.readouterr().out
    assert "new:" in text and pq.read_table(tmp_path / "d" / "new.parquet").num_rows > 0
    assert circulo.read(str(b))["EM"].num_rows == 60
    assert main(["circulo", "generate", "-o", str(tmp_path / "c.txt"), "--format", "2", "--size", "200KB"]) == 0
    assert 150_000 < (tmp_path / "c.txt").stat().st_size < 250_000
