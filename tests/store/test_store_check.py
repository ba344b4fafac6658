"""`storyarchive store check` and preflight: a working store passes; each misconfiguration
(wrong endpoint, not an S3 server, missing bucket, bad credentials, clock skew) gives one
clear message and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyarchive.store.base import (
    PROBE_PREFIX,
    StoreAccessError,
    StoreClockSkewError,
    StoreEndpointError,
    StoreNotFoundError,
    StoreUnavailableError,
)
from storyarchive.store.check import check_store, preflight
from storyarchive.store.local import LocalStore
from tests.fixtures.s3server import free_port, s3_client, subprocess_env
from tests.store.conftest import run_cli

SKEW = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time
and the current time is too large.</Message></Error>"""


def test_check_passes_on_a_working_bucket_and_leaves_no_probe(s3_env, s3_server, s3_bucket,
                                                              tmp_path: Path):
    result = run_cli(["store", "check", "--store", f"s3://{s3_bucket}/arch"], s3_env, tmp_path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"checking store s3://{s3_bucket}/arch"
    assert [line.split()[1] for line in lines[1:5]] == ["location", "write", "read", "delete"]
    assert all(line.split()[0] == "ok" for line in lines[1:5])
    assert lines[-1] == "store is usable"
    listed = s3_client(s3_server.endpoint).list_objects_v2(Bucket=s3_bucket)
    assert listed.get("Contents", []) == []


def test_check_on_a_local_directory(tmp_path: Path):
    store = LocalStore(tmp_path / "archive")
    steps = check_store(store)
    assert [(s.name, s.ok) for s in steps] == [
        ("location", True), ("write", True), ("read", True), ("delete", True)
    ]
    assert not (tmp_path / "archive" / PROBE_PREFIX).exists()
    assert list(store.list_keys()) == []


def _assert_one_clear_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if line.startswith("storyarchive: error:")]
    assert len(errors) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def test_wrong_endpoint_nothing_listening(s3_bucket, tmp_path: Path):
    endpoint = f"http://127.0.0.1:{free_port()}"
    env = subprocess_env(endpoint, STORYARCHIVE_S3_MAX_ATTEMPTS="1")
    result = run_cli(["store", "check", "--store", f"s3://{s3_bucket}"], env, tmp_path)
    _assert_one_clear_error(result, "cannot reach", endpoint, "AWS_ENDPOINT_URL_S3")
    assert "FAIL  location" in result.out


def test_wrong_endpoint_that_is_not_s3(canned_http, s3_bucket, tmp_path: Path):
    endpoint = canned_http(404, b"<html><body>Not Found</body></html>", "text/html")
    result = run_cli(["store", "check", "--store", f"s3://{s3_bucket}"],
                     subprocess_env(endpoint), tmp_path)
    _assert_one_clear_error(result, "does not look like an S3 service", endpoint)


def test_missing_bucket(s3_env, tmp_path: Path):
    result = run_cli(["store", "check", "--store", "s3://no-such-bucket-here/x"], s3_env, tmp_path)
    _assert_one_clear_error(result, "bucket 'no-such-bucket-here' does not exist", "aws s3 mb")


def test_unknown_access_key(s3_auth_server, tmp_path: Path):
    env = subprocess_env(s3_auth_server.endpoint, access_key="AKIAUNKNOWNKEY000000",
                         secret_key="whatever")
    result = run_cli(["store", "check", "--store", f"s3://{s3_auth_server.bucket}"], env, tmp_path)
    _assert_one_clear_error(result, "access key id is not known", "AWS_ACCESS_KEY_ID")
    assert "whatever" not in result.out + result.err  # the secret is never printed


def test_wrong_secret_key(s3_auth_server, tmp_path: Path):
    env = subprocess_env(s3_auth_server.endpoint, access_key=s3_auth_server.access_key,
                         secret_key="not-the-secret")
    result = run_cli(["store", "check", "--store", f"s3://{s3_auth_server.bucket}"], env, tmp_path)
    _assert_one_clear_error(result, "secret access key does not match")
    assert "not-the-secret" not in result.out + result.err


def test_valid_iam_credentials_pass(s3_auth_server, make_store):
    store = make_store(endpoint=s3_auth_server.endpoint, bucket=s3_auth_server.bucket,
                       aws_access_key_id=s3_auth_server.access_key,
                       aws_secret_access_key=s3_auth_server.secret_key)
    assert [s.ok for s in check_store(store)] == [True, True, True, True]


def test_preflight_raises_the_specific_error(make_store, canned_http, s3_auth_server):
    with pytest.raises(StoreNotFoundError):
        preflight(make_store(bucket="no-such-bucket-here"))
    with pytest.raises(StoreUnavailableError):
        preflight(make_store(endpoint=f"http://127.0.0.1:{free_port()}", max_attempts=1))
    with pytest.raises(StoreAccessError):
        preflight(make_store(endpoint=s3_auth_server.endpoint, bucket=s3_auth_server.bucket,
                             aws_access_key_id="AKIAUNKNOWNKEY000000"))
    with pytest.raises(StoreClockSkewError, match="clock"):
        preflight(make_store(endpoint=canned_http(403, SKEW)))
    with pytest.raises(StoreEndpointError):
        preflight(make_store(endpoint=canned_http(200, b"<html>hello</html>", "text/html")))
    preflight(make_store())  # the working store: no exception, and nothing left behind
    assert list(make_store().list_keys()) == []


def test_check_reports_clock_skew(canned_http, s3_bucket, tmp_path: Path):
    endpoint = canned_http(403, SKEW)
    result = run_cli(["store", "check", "--store", f"s3://{s3_bucket}"],
                     subprocess_env(endpoint), tmp_path)
    _assert_one_clear_error(result, "clock is off", "NTP")


def test_invalid_store_uri_is_a_user_error(s3_env, tmp_path: Path):
    result = run_cli(["store", "check", "--store", "s3://"], s3_env, tmp_path)
    _assert_one_clear_error(result, "s3://BUCKET/PREFIX")


def test_no_credentials_at_all(s3_server, s3_bucket, tmp_path: Path):
    env = subprocess_env(s3_server.endpoint)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    result = run_cli(["store", "check", "--store", f"s3://{s3_bucket}"], env, tmp_path)
    _assert_one_clear_error(result, "no usable AWS credentials", "AWS_PROFILE")
