"""S3 options, URIs and write arguments: pure functions, no server."""

from __future__ import annotations

import datetime as dt

import pytest

from storyarchive.store.base import StoreConfigError
from storyarchive.store.s3 import (
    S3Options,
    choose_part_size,
    composite_checksum,
    parse_s3_uri,
    same_checksum,
    write_args,
)

MiB = 1024 * 1024


def test_options_precedence_override_then_environment_then_settings():
    settings = {"STORYARCHIVE_S3_PART_SIZE": 8 * MiB, "STORYARCHIVE_S3_MAX_ATTEMPTS": 9}
    env = {"STORYARCHIVE_S3_PART_SIZE": "6MiB", "STORYARCHIVE_S3_RETRY_MODE": "adaptive"}
    opts = S3Options.resolve({"max_concurrency": 2}, settings, env)
    assert (opts.part_size, opts.max_attempts, opts.retry_mode, opts.max_concurrency) == (
        6 * MiB, 9, "adaptive", 2)
    assert S3Options.resolve(environ={}) == S3Options()


@pytest.mark.parametrize(("env", "message"), [
    ({"STORYARCHIVE_S3_PART_SIZE": "1MiB"}, "STORYARCHIVE_S3_PART_SIZE: must be at least"),
    ({"STORYARCHIVE_S3_PART_SIZE": "lots"}, "STORYARCHIVE_S3_PART_SIZE: expected int, got 'lots'"),
    ({"STORYARCHIVE_S3_RETRY_MODE": "eager"}, "must be standard, adaptive or legacy"),
    ({"STORYARCHIVE_S3_SSE": "rot13"}, "STORYARCHIVE_S3_SSE: must be empty, AES256 or aws:kms"),
    ({"STORYARCHIVE_S3_OBJECT_LOCK_MODE": "COMPLIANCE"}, "OBJECT_LOCK_DAYS: must be 1 or more"),
    ({"STORYARCHIVE_S3_TAG_STORY": "maybe"}, "STORYARCHIVE_S3_TAG_STORY: expected bool"),
])
def test_invalid_options_name_the_variable(env, message):
    with pytest.raises(StoreConfigError, match=message):
        S3Options.resolve(environ=env)


def test_parse_s3_uri():
    assert parse_s3_uri("s3://bucket") == ("bucket", "")
    assert parse_s3_uri("s3://bucket/a/b/") == ("bucket", "a/b/")
    for bad in ("s3://", "s3://b/../x", "http://bucket/x", "s3://bad bucket/x"):
        with pytest.raises((StoreConfigError, ValueError)):
            parse_s3_uri(bad)


def test_write_args_default_has_only_checksum_metadata_and_type():
    args = write_args(S3Options(), "stories/x/crawls/c.json", "ab" * 32, "application/json")
    assert args == {"Metadata": {"sha256": "ab" * 32}, "ContentType": "application/json"}


def test_write_args_with_every_option():
    opts = S3Options(sse="aws:kms", sse_kms_key_id="key-1", storage_class="GLACIER_IR",
                     tag_story=True, object_lock_mode="COMPLIANCE", object_lock_days=10,
                     legal_hold=True)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    args = write_args(opts, "stories/dock-strike/warc/a.warc.gz", "cd" * 32, None, now=now)
    assert args == {
        "Metadata": {"sha256": "cd" * 32},
        "ContentType": "application/octet-stream",
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "key-1",
        "StorageClass": "GLACIER_IR",
        "Tagging": "story=dock-strike",
        "ObjectLockMode": "COMPLIANCE",
        "ObjectLockRetainUntilDate": dt.datetime(2026, 1, 11, tzinfo=dt.UTC),
        "ObjectLockLegalHoldStatus": "ON",
    }


def test_part_size_grows_to_fit_ten_thousand_parts():
    assert choose_part_size(100 * MiB, 16 * MiB) == 16 * MiB
    grown = choose_part_size(200_000 * MiB, 16 * MiB)
    assert grown == 20 * MiB and 200_000 * MiB / grown <= 10_000


def test_composite_checksum_and_its_comparison():
    value = composite_checksum([b"\x00" * 32, b"\x01" * 32])
    assert value.endswith("-2")
    assert same_checksum(value, value)
    assert same_checksum(value.removesuffix("-2"), value)
    assert not same_checksum(value.replace("-2", "-3"), value)


def test_invalid_endpoint_url_and_unknown_profile_are_reported_when_opening():
    from storyarchive.store.base import StoreAccessError, StoreEndpointError
    from storyarchive.store.s3 import S3Store

    with pytest.raises(StoreEndpointError, match="Invalid endpoint: notaurl; check AWS_ENDPOINT"):
        S3Store.from_uri("s3://bucket", endpoint_url="notaurl")
    with pytest.raises(StoreAccessError, match="no-such-profile-storyarchive"):
        S3Store.from_uri("s3://bucket", profile_name="no-such-profile-storyarchive")
