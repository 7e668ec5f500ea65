"""mxbureau.dask on real components: a dask.distributed LocalCluster (2 worker processes, 1 thread
each) started here, and an S3-compatible server on localhost (moto's server, as s3fs's own tests
run it) read through s3fs. A multi-file portfolio: frames, features and account_metrics equal the
single-machine results; to_parquet round trip; ``mxbureau convert --dask``; over S3 every task
fetches only its range, a bounded look-back and what its last record needs past the end (the bytes
each request got, counted by the server)."""
import os
import threading

import dask
import pandas as pd
import pyarrow.dataset as ds
import pytest
from distributed import Client, LocalCluster

import mxbureau
import mxbureau.dask as mdd
from dask_inputs import as_values, damaged, expected, file_bytes, plain, records_with_declarativas
from mxbureau import cli
from mxbureau.intl13 import synth

AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    """Three files: plain generated reports (LF, CRLF) and one with long declarativas."""
    d = tmp_path_factory.mktemp("portfolio")
    blobs = [synth.generate_bytes(150, seed=21, separator="lf"),
             synth.generate_bytes(120, seed=22, separator="crlf"),
             file_bytes(records_with_declarativas(30, seed=23))]
    paths = []
    for i, b in enumerate(blobs):
        p = str(d / f"month-{i}.intl")
        open(p, "wb").write(b)
        paths.append(p)
    return paths


def _starts(whole):
    """(source, record) -> record_start of read() of several sources."""
    r = whole.records
    return {(s, k): v for s, k, v in zip(r.column("source").to_pylist(), r.column("record").to_pylist(),
                                         r.column("start").to_pylist())}


def test_frames_of_a_portfolio_on_the_cluster(client, portfolio):
    frames = mdd.read_intl13(portfolio, blocksize="128 KiB")
    got = dask.compute(frames)[0]
    whole = mxbureau.read(portfolio)
    assert frames["TL"].npartitions >= 7 and not frames["TL"].known_divisions
    assert list(frames["TL"]["source"].cat.categories) == portfolio
    for name in ("records", "TL", "PN", "SC", "CR"):
        want = expected(whole, name)
        have = as_values(got[name])
        pd.testing.assert_frame_equal(have[list(want.columns)], want, check_dtype=False, obj=name)


def test_features_and_metrics_equal_the_single_machine(client, portfolio):
    whole = mxbureau.read(portfolio)
    key = _starts(whole)
    one = mxbureau.features(whole, AS_OF)
    one.index = pd.MultiIndex.from_tuples([(s, key[(s, r)]) for s, r in one.index], names=["source", "record_start"])
    dist = mdd.features(portfolio, AS_OF, blocksize="64 KiB")
    assert list(dist.columns) == ["source"] + list(mxbureau.features_schema().columns)
    got = dist.compute()
    assert (got.dtypes.drop("source") == mxbureau.features_schema().dtypes).all()
    got = got.assign(source=got["source"].astype(str)).set_index("source", append=True).reorder_levels([1, 0])
    pd.testing.assert_frame_equal(got.sort_index(), one.sort_index())

    m1 = mxbureau.account_metrics(whole, AS_OF)
    m1.insert(1, "record_start", [key[(s, r)] for s, r in zip(m1["source"], m1["record"])])
    m1 = m1.drop(columns=["record"]).sort_values(["source", "record_start", "position"]).reset_index(drop=True)
    m2 = mdd.account_metrics(portfolio, AS_OF, blocksize="64 KiB").compute().reset_index()
    m2 = m2.assign(source=m2["source"].astype(str))[list(m1.columns)]
    m2 = m2.sort_values(["source", "record_start", "position"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(m2, m1)


def test_to_parquet_round_trip_and_cli(client, portfolio, tmp_path):
    out = tmp_path / "out"
    s = mdd.to_parquet(portfolio, str(out), blocksize="64 KiB")
    whole = mxbureau.read(portfolio)
    assert s.rows["TL"] == whole["TL"].num_rows and s.files == 3
    for name in ["records", "TL", "PN", "CR", "problems"]:
        back = ds.dataset(str(out / name)).to_table()
        assert back.column_names[:2] == ["source", "record_start"]
        want = whole[name] if name != "problems" else whole.problems
        if name == "problems":
            assert back.num_rows == want.num_rows == 0
            continue
        assert plain(back).equals(plain(want)), name
    cli_out = tmp_path / "cli"
    rc = cli.main(["convert", *portfolio, "-o", str(cli_out), "--dask", client.scheduler.address, "--quiet"])
    assert rc == 0
    assert ds.dataset(str(cli_out / "TL")).count_rows() == whole["TL"].num_rows
    bad = tmp_path / "bad.intl"
    bad.write_bytes(damaged(open(portfolio[0], "rb").read()))
    args = ["convert", str(bad), "-o", str(tmp_path / "bad"), "--dask", client.scheduler.address, "--quiet"]
    assert cli.main(args) == 1                       # strict: the damage is a data problem (exit 1)
    assert cli.main(args + ["--lenient", "--overwrite"]) == 1      # lenient: written, problems reported
    assert ds.dataset(str(tmp_path / "bad" / "problems")).count_rows() == mxbureau.read(str(bad), strict=False).problems.num_rows


# ---------------------------------------------------------------------------------------------
# S3: moto's server app behind a WSGI wrapper that logs what each request asked and got.

@pytest.fixture(scope="module")
def s3(portfolio):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server
    import boto3
    import s3fs
    app = DomainDispatcherApplication(create_backend_app)
    log, lock = [], threading.Lock()

    def logged(environ, start_response):
        body = b"".join(app(environ, start_response))
        with lock:
            log.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), environ.get("HTTP_RANGE"), len(body)))
        return [body]

    server = make_server("127.0.0.1", 0, logged, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    opts = {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": url, "region_name": "us-east-1"}}
    boto3.client("s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing",
                 region_name="us-east-1").create_bucket(Bucket="mxb")
    fs = s3fs.S3FileSystem(**opts)
    for p in portfolio:
        fs.pipe(f"mxb/{os.path.basename(p)}", open(p, "rb").read())
    yield opts, log
    server.shutdown()
    thread.join()


def test_s3_tasks_fetch_only_their_ranges(client, portfolio, s3):
    opts, log = s3
    W, bs = 32 << 10, 128 << 10
    del log[:]
    frames = mdd.read_intl13("s3://mxb/*.intl", blocksize=bs, lookback=W, storage_options=opts)
    got = dask.compute(frames)[0]
    whole = mxbureau.read(portfolio)
    names = {f"s3://mxb/{os.path.basename(p)}": p for p in portfolio}
    for name in ("records", "TL", "CR"):
        have = as_values(got[name])
        have["source"] = have["source"].map(names).astype("string")
        want = expected(whole, name)
        pd.testing.assert_frame_equal(have[list(want.columns)], want, check_dtype=False, obj=name)
    gets = [(path, rng, n) for method, path, rng, n in log if method == "GET" and path.startswith("/mxb/")]
    sizes = {f"/mxb/{os.path.basename(p)}": os.path.getsize(p) for p in portfolio}
    past = W + max(W // 4, 64 << 10)
    for path, size in sizes.items():
        mine = [(rng, n) for p, rng, n in gets if p == path]
        nblocks = -(-size // bs)
        assert all(rng is not None and rng.startswith("bytes=") for rng, _ in mine), "a request for a whole object"
        assert all(n <= bs + W + past for _, n in mine), "a request beyond a range and its margins"
        assert len(mine) == nblocks, "one request a range"
        assert sum(n for _, n in mine) <= size + nblocks * (W + past)
        assert sum(n for _, n in mine) >= size


def test_s3_features_equal_local(client, portfolio, s3):
    opts, _ = s3
    local = mdd.features(portfolio, AS_OF, blocksize="64 KiB").compute()
    remote = mdd.features("s3://mxb/*.intl", AS_OF, blocksize="64 KiB", lookback=32 << 10,
                          storage_options=opts).compute()
    remote["source"] = remote["source"].astype(str).map({f"s3://mxb/{os.path.basename(p)}": p for p in portfolio})
    local["source"] = local["source"].astype(str)
    pd.testing.assert_frame_equal(remote, local)
