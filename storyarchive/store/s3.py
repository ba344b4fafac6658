"""The S3 backend: the archive in any S3-compatible object store, through boto3.

Endpoint, region and credentials come from the standard AWS chain (AWS_ENDPOINT_URL_S3 /
AWS_ENDPOINT_URL, AWS_PROFILE and the config files, environment, instance roles) unless
given as options. Nothing secret is logged or put into messages.

Every write is create-only (`If-None-Match: *`), carries a SHA-256 checksum
(`ChecksumAlgorithm=SHA256`, composite per part for multipart uploads) and the full-object
SHA-256 as user metadata `x-amz-meta-sha256`, and put_file verifies the result with
head_object before returning. An existing object with the same SHA-256 counts as already
uploaded (created=False); a different one raises StoreConflictError and is left alone.

Multipart uploads are s3transfer's (boto3's TransferManager: part concurrency, retries of
the parts, abort on failure); what is ours rides on botocore's `before-parameter-build`
event of this store's client (_add_write_conditions): If-None-Match on PutObject and
CompleteMultipartUpload, and on each UploadPart the part's SHA-256 from the one hashing
pass that also gives the full-object SHA-256 (so nothing is hashed twice). Objects up to
the multipart threshold go in one put_object, as s3transfer would send them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from storyarchive import defaults
from storyarchive.credentials import redact_urls
from storyarchive.layout import check_key
from storyarchive.store.base import (
    ArchiveStore,
    PutResult,
    StoreAccessError,
    StoreClockSkewError,
    StoreConfigError,
    StoreConflictError,
    StoreEndpointError,
    StoreError,
    StoreIntegrityError,
    StoreNotFoundError,
    StoreUnavailableError,
    check_probe_key,
)

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
_MIN_PART = 5 * MiB  # S3's minimum part size (all parts but the last)
_MAX_PARTS = 10_000
_HASH_CHUNK = MiB
_SHA_META = "sha256"  # stored as x-amz-meta-sha256


@dataclass(frozen=True)
class S3Options:
    """Tunables of the S3 backend. Each field `name` is read from the environment or the
    settings as STORYARCHIVE_S3_<NAME> (defaults: storyarchive/defaults.py, "S3 store")."""

    multipart_threshold: int = defaults.STORYARCHIVE_S3_MULTIPART_THRESHOLD
    part_size: int = defaults.STORYARCHIVE_S3_PART_SIZE
    max_concurrency: int = defaults.STORYARCHIVE_S3_MAX_CONCURRENCY
    retry_mode: str = defaults.STORYARCHIVE_S3_RETRY_MODE
    max_attempts: int = defaults.STORYARCHIVE_S3_MAX_ATTEMPTS
    connect_timeout: float = defaults.STORYARCHIVE_S3_CONNECT_TIMEOUT
    read_timeout: float = defaults.STORYARCHIVE_S3_READ_TIMEOUT
    addressing_style: str = defaults.STORYARCHIVE_S3_ADDRESSING_STYLE
    sse: str = defaults.STORYARCHIVE_S3_SSE
    sse_kms_key_id: str = defaults.STORYARCHIVE_S3_SSE_KMS_KEY_ID
    storage_class: str = defaults.STORYARCHIVE_S3_STORAGE_CLASS
    tag_story: bool = defaults.STORYARCHIVE_S3_TAG_STORY
    object_lock_mode: str = defaults.STORYARCHIVE_S3_OBJECT_LOCK_MODE
    object_lock_days: int = defaults.STORYARCHIVE_S3_OBJECT_LOCK_DAYS
    legal_hold: bool = defaults.STORYARCHIVE_S3_LEGAL_HOLD

    @classmethod
    def resolve(
        cls,
        overrides: Mapping[str, object] | None = None,
        settings: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> S3Options:
        """Options from, in order of precedence: `overrides` (field names), a value of
        `settings` set on the command line (Scrapy priority 'cmdline': --set), the
        environment (STORYARCHIVE_S3_*), any other value of `settings` (same names, e.g.
        settings.py), the defaults (defaults.py). Raises StoreConfigError naming the variable when a
        value is not valid."""
        environ = os.environ if environ is None else environ
        overrides = overrides or {}
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"STORYARCHIVE_S3_{f.name.upper()}"
            if f.name in overrides:
                raw, source = overrides[f.name], f.name
            elif settings is not None and _set_on_command_line(settings, name):
                raw, source = settings.get(name), name
            elif name in environ:
                raw, source = environ[name], name
            elif settings is not None and settings.get(name) is not None:
                raw, source = settings.get(name), name
            else:
                continue
            values[f.name] = _coerce(raw, type(getattr(cls, f.name)), source)
        return cls(**values)._validated()  # type: ignore[arg-type]

    def _validated(self) -> S3Options:
        def bad(name: str, why: str) -> StoreConfigError:
            return StoreConfigError(f"STORYARCHIVE_S3_{name.upper()}: {why}")

        if self.part_size < _MIN_PART:
            raise bad("part_size", f"must be at least {_MIN_PART} bytes (5 MiB, S3's minimum)")
        if self.multipart_threshold < self.part_size:
            raise bad("multipart_threshold", "must be at least STORYARCHIVE_S3_PART_SIZE")
        if self.max_concurrency < 1:
            raise bad("max_concurrency", "must be 1 or more")
        if self.retry_mode not in ("legacy", "standard", "adaptive"):
            raise bad("retry_mode", f"must be standard, adaptive or legacy, got {self.retry_mode!r}")
        if self.max_attempts < 1:
            raise bad("max_attempts", "must be 1 or more")
        if self.sse not in ("", "AES256", "aws:kms", "aws:kms:dsse"):
            raise bad("sse", f"must be empty, AES256 or aws:kms, got {self.sse!r}")
        if self.sse_kms_key_id and not self.sse.startswith("aws:kms"):
            raise bad("sse_kms_key_id", "needs STORYARCHIVE_S3_SSE=aws:kms")
        mode = self.object_lock_mode.upper()
        if mode not in ("", "GOVERNANCE", "COMPLIANCE"):
            raise bad("object_lock_mode", f"must be GOVERNANCE or COMPLIANCE, got {mode!r}")
        if mode and self.object_lock_days < 1:
            raise bad("object_lock_days", "must be 1 or more when an object lock mode is set")
        return replace(self, object_lock_mode=mode)


def _set_on_command_line(settings: Mapping[str, Any], name: str) -> bool:
    """Whether Scrapy `settings` hold `name` at 'cmdline' priority (a plain mapping never)."""
    getpriority = getattr(settings, "getpriority", None)
    if getpriority is None or settings.get(name) is None:
        return False
    from scrapy.settings import get_settings_priority

    return bool((getpriority(name) or 0) >= get_settings_priority("cmdline"))


def _coerce(raw: object, kind: type, source: str) -> object:
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw
    text = str(raw).strip()
    try:
        if kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError
        if kind is int:
            return _parse_size(text)
        if kind is float:
            return float(text)
    except ValueError:
        raise StoreConfigError(
            f"{source}: expected {kind.__name__}, got {text!r}"
        ) from None
    return text


def _parse_size(text: str) -> int:
    """'16777216', '16MiB', '16M', '64k' -> bytes."""
    m = re.fullmatch(r"(\d+)\s*([kKmMgG]?)(i?[bB])?", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}[m.group(2).lower()]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """'s3://bucket/some/prefix' -> ('bucket', 'some/prefix/'); ('bucket', '') without one.
    Raises StoreConfigError for anything else."""
    parts = urlsplit(uri)
    bucket = parts.netloc
    if parts.scheme != "s3" or not bucket or parts.query or parts.fragment:
        raise StoreConfigError(f"{uri!r} is not an S3 store URI; write s3://BUCKET/PREFIX")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}", bucket):
        raise StoreConfigError(
            f"{uri!r}: {bucket!r} is not a valid bucket name (letters, digits, '.', '-')"
        )
    prefix = parts.path.strip("/")
    if prefix:
        check_key(prefix)
        prefix += "/"
    return bucket, prefix


def story_slug_of(key: str) -> str | None:
    """The story slug of an archive key 'stories/<slug>/...', else None."""
    m = re.match(r"stories/([a-z0-9][a-z0-9-]*)/", key)
    return m.group(1) if m else None


def write_args(
    options: S3Options, key: str, sha256_hex: str, content_type: str | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The put_object / create_multipart_upload arguments every object gets (metadata,
    content type) plus the optional ones the options switch on (SSE, storage class, story
    tag, object lock)."""
    args: dict[str, Any] = {
        "Metadata": {_SHA_META: sha256_hex},
        "ContentType": content_type or "application/octet-stream",
    }
    if options.sse:
        args["ServerSideEncryption"] = options.sse
        if options.sse_kms_key_id:
            args["SSEKMSKeyId"] = options.sse_kms_key_id
    if options.storage_class:
        args["StorageClass"] = options.storage_class
    if options.tag_story and (slug := story_slug_of(key)):
        args["Tagging"] = f"story={quote(slug)}"
    if options.object_lock_mode:
        now = now or dt.datetime.now(dt.UTC)
        args["ObjectLockMode"] = options.object_lock_mode
        args["ObjectLockRetainUntilDate"] = now + dt.timedelta(days=options.object_lock_days)
    if options.legal_hold:
        args["ObjectLockLegalHoldStatus"] = "ON"
    return args


@dataclass(frozen=True)
class ContentDigest:
    """What a put sends: size, full SHA-256, and for a multipart upload the part size and
    the SHA-256 of each part."""

    size: int
    sha256: bytes
    part_size: int = 0  # 0: a single PUT
    part_sha256: tuple[bytes, ...] = ()

    @property
    def hex(self) -> str:
        return self.sha256.hex()

    @property
    def checksum(self) -> str:
        """The ChecksumSHA256 S3 keeps for the object: the SHA-256 of a single PUT, the
        composite of the parts' SHA-256 for a multipart upload."""
        if not self.part_size:
            return b64(self.sha256)
        return composite_checksum(list(self.part_sha256))


def digest_stream(read: Callable[[int], bytes], size: int, part_size: int = 0) -> ContentDigest:
    """SHA-256 of the `size` bytes `read(n)` yields and, when `part_size` is not 0, of each
    `part_size` slice of them, in one read: the parts are hashed in a second thread (hashlib
    lets go of the GIL), beside the whole. StoreIntegrityError if the source ends early (a
    file truncated while it was read)."""
    whole = hashlib.sha256()
    parts: list[Any] = []  # hashlib objects, one per part
    with ThreadPoolExecutor(1, thread_name_prefix="part-sha256") as pool:
        pending: Future[None] | None = None
        remaining = size
        while remaining > 0:
            left = min(part_size or remaining, remaining)
            remaining -= left
            if part_size:
                parts.append(hashlib.sha256())
            while left > 0:
                chunk = read(min(_HASH_CHUNK, left))
                if not chunk:
                    raise StoreIntegrityError(f"the source ended {left + remaining} bytes "
                                              f"short of its size {size} while it was hashed")
                if parts:
                    if pending is not None:
                        pending.result()  # one chunk in flight: memory stays bounded
                    pending = pool.submit(parts[-1].update, chunk)
                whole.update(chunk)
                left -= len(chunk)
        if pending is not None:
            pending.result()
    return ContentDigest(size, whole.digest(), part_size, tuple(p.digest() for p in parts))


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def composite_checksum(part_digests: list[bytes]) -> str:
    """S3's composite checksum of a multipart object: base64(SHA-256(concatenated part
    digests)) followed by '-<number of parts>'."""
    return f"{b64(hashlib.sha256(b''.join(part_digests)).digest())}-{len(part_digests)}"


def same_checksum(server: str, expected: str) -> bool:
    """Whether a checksum from head_object matches ours. A composite checksum may come back
    with or without its '-<parts>' suffix (servers differ); when present it must agree."""
    server_value, _, server_parts = server.partition("-")
    value, _, parts = expected.partition("-")
    return server_value == value and (not server_parts or server_parts == parts)


def choose_part_size(size: int, part_size: int) -> int:
    """`part_size`, grown in whole MiB if needed so the object fits in 10,000 parts."""
    if size <= part_size * _MAX_PARTS:
        return part_size
    needed = -(-size // _MAX_PARTS)
    return -(-needed // MiB) * MiB


class S3Store(ArchiveStore):
    """Create-only object storage in one bucket under one key prefix."""

    list_page_size = 1000  # keys per ListObjectsV2 request (1000 is S3's maximum)

    def __init__(self, client: Any, bucket: str, prefix: str = "",
                 options: S3Options | None = None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.options = options or S3Options()
        self.uri = f"s3://{bucket}/{prefix}".rstrip("/")
        self.session: Any = None  # the boto3 session of from_uri, for client_environment()
        # full key -> digest of the multipart uploads in flight (for _add_write_conditions)
        self._uploading: dict[str, ContentDigest] = {}
        self._uploading_lock = threading.Lock()
        for operation in ("PutObject", "CompleteMultipartUpload", "UploadPart"):
            client.meta.events.register(f"before-parameter-build.s3.{operation}",
                                        self._add_write_conditions)
        client.meta.events.register("after-call-error.s3.AbortMultipartUpload", self._abort_failed)

    @classmethod
    def from_uri(cls, uri: str, **options: Any) -> S3Store:
        """Open `s3://bucket/prefix`.

        Options: `endpoint_url`, `region_name`, `profile_name`, `aws_access_key_id`,
        `aws_secret_access_key`, `aws_session_token` (all default to the AWS chain);
        `settings` (a mapping such as Scrapy settings holding STORYARCHIVE_S3_*); and any
        S3Options field name. No request is made here: call verify_location() or
        storyarchive.store.check.preflight() to find out whether the store works.
        Raises StoreConfigError for an invalid URI or option, StoreAccessError for an
        unknown AWS profile."""
        import boto3
        import botocore.config
        import botocore.exceptions

        bucket, prefix = parse_s3_uri(uri)
        session_keys = ("region_name", "profile_name", "aws_access_key_id",
                        "aws_secret_access_key", "aws_session_token")
        session_args = {k: options.pop(k) for k in session_keys if options.get(k) is not None}
        endpoint_url = options.pop("endpoint_url", None)
        settings = options.pop("settings", None)
        known = {f.name for f in fields(S3Options)}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"unknown S3Store options: {sorted(unknown)}")
        opts = S3Options.resolve(options, settings)
        config = botocore.config.Config(
            retries={"mode": opts.retry_mode, "max_attempts": opts.max_attempts},
            connect_timeout=opts.connect_timeout,
            read_timeout=opts.read_timeout,
            max_pool_connections=max(10, opts.max_concurrency * 2),
            s3={"addressing_style": opts.addressing_style},
            user_agent_extra="storyarchive",
        )
        try:
            session = boto3.session.Session(**session_args)
            client = session.client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=session.region_name or "us-east-1",
                config=config,
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise StoreAccessError(
                f"{exc}; set AWS_PROFILE to a profile in ~/.aws/config or unset it"
            ) from None
        except ValueError as exc:  # botocore: "Invalid endpoint: ..."
            raise StoreEndpointError(f"{redact_urls(str(exc))}; {_ENDPOINT_HINT}") from None
        store = cls(client, bucket, prefix, opts)
        store.session = session
        return store

    # ------------------------------------------------------------------ naming
    @property
    def endpoint(self) -> str:
        """The endpoint URL without any user:password part (safe to print)."""
        parts = urlsplit(str(self.client.meta.endpoint_url))
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{parts.scheme}://{host}"

    def object_uri(self, key: str) -> str:
        """s3://bucket/prefix/key of an archive key (what pywb's archive paths name)."""
        return f"s3://{self.bucket}/{self._full(key)}"

    def client_environment(self) -> dict[str, str]:
        """The AWS environment under which another process's boto3 (pywb's S3 loader) reaches
        this store as this store does: AWS_ENDPOINT_URL_S3 for an endpoint other than AWS's,
        the region, and the credentials: static ones as AWS_ACCESS_KEY_ID /
        AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); refreshable ones (roles, SSO) are not
        frozen (they would expire) but resolved by that process from the same AWS_PROFILE.
        Secret values: pass them to a child process, never print them."""
        env = {"AWS_REGION": self.client.meta.region_name,
               "AWS_DEFAULT_REGION": self.client.meta.region_name}
        endpoint = str(self.client.meta.endpoint_url)
        if not (urlsplit(endpoint).hostname or "").endswith((".amazonaws.com", ".amazonaws.com.cn")):
            env["AWS_ENDPOINT_URL_S3"] = endpoint
            if self.options.addressing_style == "virtual":  # no environment variable for it
                logger.warning("STORYARCHIVE_S3_ADDRESSING_STYLE=virtual does not reach another "
                               "process's boto3 (path-style on %s): set addressing_style = virtual "
                               "in the s3 section of ~/.aws/config", self.endpoint)
        credentials = self.session.get_credentials() if self.session is not None else None
        if credentials is None:
            return env
        from botocore.credentials import RefreshableCredentials

        if isinstance(credentials, RefreshableCredentials):
            if self.session.profile_name:
                env["AWS_PROFILE"] = self.session.profile_name
            return env
        frozen = credentials.get_frozen_credentials()
        env["AWS_ACCESS_KEY_ID"] = frozen.access_key
        env["AWS_SECRET_ACCESS_KEY"] = frozen.secret_key
        if frozen.token:
            env["AWS_SESSION_TOKEN"] = frozen.token
        return env

    def _full(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _where(self, key: str | None = None) -> str:
        target = f"s3://{self.bucket}/{self.prefix}{key}" if key else self.uri
        return f"{target} (endpoint {self.endpoint})"

    # ------------------------------------------------------------------ errors
    def _error(self, exc: Exception, op: str, key: str | None = None) -> StoreError:
        """Translate a botocore exception into the StoreError a user can act on."""
        return translate_error(exc, op, self._where(key), self.bucket)

    def _call(self, op: str, key: str | None = None, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, op)(**kwargs)
        except Exception as exc:
            raise self._error(exc, op, key) from exc

    # ------------------------------------------------------------------ reads
    def _head(self, key: str) -> dict[str, Any] | None:
        """head_object with checksums, or None if there is no such object."""
        import botocore.exceptions

        try:
            return self.client.head_object(  # type: ignore[no-any-return]
                Bucket=self.bucket, Key=self._full(key), ChecksumMode="ENABLED"
            )
        except botocore.exceptions.ClientError as exc:
            if _status(exc) == 404 and _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._error(exc, "head_object", key) from exc
        except Exception as exc:
            raise self._error(exc, "head_object", key) from exc

    def get_bytes(self, key: str) -> bytes:
        resp = self._get(key)
        with resp["Body"] as body:
            return body.read()  # type: ignore[no-any-return]

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """`length` bytes from `offset` with one ranged GET; b"" past the end."""
        if length <= 0:
            return b""
        resp = self._get(key, Range=f"bytes={offset}-{offset + length - 1}")
        if resp is None:
            return b""
        with resp["Body"] as body:
            return body.read()  # type: ignore[no-any-return]

    def _get(self, key: str, **extra: Any) -> Any:
        import botocore.exceptions

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._full(key), **extra)
        except botocore.exceptions.ClientError as exc:
            if _code(exc) == "NoSuchKey":
                raise KeyError(key) from None
            if _code(exc) == "InvalidRange":
                return None
            raise self._error(exc, "get_object", key) from exc
        except Exception as exc:
            raise self._error(exc, "get_object", key) from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise KeyError(key)
        return int(head["ContentLength"])

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix` (relative to the store prefix), paginated, in S3's
        lexicographic order; keys with a segment starting with '.' (probes) are hidden."""
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix,
                                   PaginationConfig={"PageSize": self.list_page_size})
        try:
            for page in pages:
                for obj in page.get("Contents", ()):
                    key = obj["Key"][len(self.prefix):]
                    if not any(seg.startswith(".") for seg in key.split("/")):
                        yield key
        except Exception as exc:
            raise self._error(exc, "list_objects_v2") from exc

    # ------------------------------------------------------------------ writes
    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None,
                  durable: bool = True) -> PutResult:
        """Create `key` holding `data` (one PUT, multipart above the threshold). Every
        acknowledged PUT is durable: `durable` changes nothing here."""
        digest = digest_stream(io.BytesIO(data).read, len(data), self._part_size(len(data)))
        return self._put(key, digest, data, content_type, verify=False)

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> PutResult:
        """Create `key` from the file at `path`, streamed; verified with head_object before
        returning (size, x-amz-meta-sha256 and the server's SHA-256 checksum), so the caller
        may delete its copy. Raises StoreConflictError (different object already there),
        StoreUnavailableError (endpoint unreachable; retry later), StoreIntegrityError."""
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            digest = digest_stream(f.read, size, self._part_size(size))
        existing = self._head(key)
        if existing is not None:
            return self._compare_existing(key, digest, existing)
        return self._put(key, digest, path, content_type, verify=True)

    def _part_size(self, size: int) -> int:
        """The part size of a `size`-byte upload; 0 for a single PUT."""
        if size <= self.options.multipart_threshold:
            return 0
        return choose_part_size(size, self.options.part_size)

    def _put(self, key: str, digest: ContentDigest, source: Path | bytes,
             content_type: str | None, *, verify: bool) -> PutResult:
        import botocore.exceptions

        args = write_args(self.options, key, digest.hex, content_type)
        op = "upload (multipart)" if digest.part_size else "put_object"
        try:
            if digest.part_size:
                self._put_multipart(key, digest, source, args)
            else:
                self._put_single(key, digest, source, args)
        except botocore.exceptions.ClientError as exc:
            if not _is_precondition(exc):
                raise self._error(exc, op, key) from exc
            # If-None-Match refused: someone wrote the key since we looked
            existing = self._head(key)
            if existing is None:
                raise StoreUnavailableError(
                    f"{self._where(key)} was being written concurrently; retry later"
                ) from None
            return self._compare_existing(key, digest, existing)
        except Exception as exc:
            raise self._error(exc, op, key) from exc
        if verify:
            self._verify(key, digest)
        return PutResult(key, digest.size, digest.hex, created=True)

    def _put_single(self, key: str, digest: ContentDigest, source: Path | bytes,
                    args: dict[str, Any]) -> None:
        """One PUT, sending the SHA-256 computed already (so botocore does not hash again)."""
        kwargs = dict(Bucket=self.bucket, Key=self._full(key), ContentLength=digest.size,
                      ChecksumAlgorithm="SHA256", ChecksumSHA256=digest.checksum, **args)
        if isinstance(source, Path):
            with open(source, "rb") as body:
                self.client.put_object(Body=body, **kwargs)
        else:
            self.client.put_object(Body=source, **kwargs)

    def _put_multipart(self, key: str, digest: ContentDigest, source: Path | bytes,
                       args: dict[str, Any]) -> None:
        """A multipart upload by s3transfer (parts of digest.part_size, max_concurrency in
        flight, aborted on failure); _add_write_conditions gives each part the SHA-256
        computed already and makes the completion create-only."""
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        full = self._full(key)
        config = TransferConfig(
            multipart_threshold=digest.part_size, multipart_chunksize=digest.part_size,
            max_concurrency=self.options.max_concurrency,
            preferred_transfer_client="classic",  # the CRT client has no botocore events
        )
        with self._uploading_lock:
            if full in self._uploading:
                raise StoreUnavailableError(
                    f"{self._where(key)} is being uploaded by another thread; retry later")
            self._uploading[full] = digest
        try:
            with create_transfer_manager(self.client, config) as manager:
                fileobj = str(source) if isinstance(source, Path) else io.BytesIO(source)
                manager.upload(fileobj, self.bucket, full,
                               extra_args={**args, "ChecksumAlgorithm": "SHA256"}).result()
        finally:
            with self._uploading_lock:
                del self._uploading[full]

    def _add_write_conditions(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """botocore `before-parameter-build` hook on this store's client: PutObject and
        CompleteMultipartUpload are create-only (If-None-Match: *, whoever calls them:
        s3transfer too); an UploadPart of ours carries the part's SHA-256 from digest_stream,
        so S3 checks each part against the bytes we hashed and botocore hashes nothing twice."""
        if model.name != "UploadPart":
            params.setdefault("IfNoneMatch", "*")
            return
        digest = self._uploading.get(params.get("Key", ""))
        if digest is None:
            return
        number = int(params["PartNumber"])
        if number > len(digest.part_sha256):
            raise StoreIntegrityError(
                f"part {number} of {params['Key']}: only {len(digest.part_sha256)} parts of "
                f"{digest.part_size} bytes were hashed (s3transfer split the file otherwise)")
        params["ChecksumSHA256"] = b64(digest.part_sha256[number - 1])

    def _abort_failed(self, exception: Exception, **_: Any) -> None:
        """botocore `after-call-error` hook: s3transfer's abort of a failed multipart upload
        did not reach the store (s3transfer itself logs that at debug level only)."""
        logger.warning(
            "could not abort a failed multipart upload in %s (%s); a bucket lifecycle rule "
            "AbortIncompleteMultipartUpload removes the leftover parts", self._where(),
            redact_urls(str(exception)))

    def _verify(self, key: str, digest: ContentDigest) -> None:
        head = self._head(key)
        checksum = digest.checksum
        problems = []
        if head is None:
            problems.append("it is missing right after the upload")
        else:
            if int(head["ContentLength"]) != digest.size:
                problems.append(f"size {head['ContentLength']}, sent {digest.size}")
            meta = head.get("Metadata", {}).get(_SHA_META)
            if meta != digest.hex:
                problems.append(f"x-amz-meta-sha256 {meta!r}, sent {digest.hex}")
            server = head.get("ChecksumSHA256")
            # Some S3-compatible servers keep no checksums; when one is returned it must match.
            if server is not None and not same_checksum(server, checksum):
                problems.append(f"checksum {server}, expected {checksum}")
        if problems:
            raise StoreIntegrityError(
                f"{self._where(key)} does not match what was uploaded: {'; '.join(problems)}. "
                "The local copy is kept; inspect the object and remove it before retrying"
            )

    def _compare_existing(self, key: str, digest: ContentDigest,
                          head: dict[str, Any]) -> PutResult:
        """created=False if the existing object holds the same bytes, else StoreConflictError."""
        theirs = head.get("Metadata", {}).get(_SHA_META)
        size = int(head["ContentLength"])
        if theirs is None and size == digest.size:
            server = head.get("ChecksumSHA256")
            if server and "-" not in server:
                theirs = base64.b64decode(server).hex()
            else:  # written by another tool without a usable checksum: hash it
                theirs = self._hash_object(key)
        if size == digest.size and theirs == digest.hex:
            return PutResult(key, digest.size, digest.hex, created=False)
        raise StoreConflictError(
            f"{self._where(key)} already exists with different content "
            f"(size {size}, sha256 {(theirs or 'unknown')[:12]}…; new: size {digest.size}, "
            f"sha256 {digest.hex[:12]}…); kept the existing object"
        )

    def _hash_object(self, key: str) -> str:
        h = hashlib.sha256()
        resp = self._get(key)
        with resp["Body"] as body:
            for chunk in iter(lambda: body.read(_HASH_CHUNK), b""):
                h.update(chunk)
        return h.hexdigest()

    # ------------------------------------------------------------------ checks
    def verify_location(self) -> None:
        """The endpoint answers, the bucket exists and the credentials may list it.
        (list_objects_v2 rather than head_bucket: its errors carry a code in the body.)"""
        resp = self._call("list_objects_v2", Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        if resp.get("Name") != self.bucket:  # a 200 from something that is not S3
            raise StoreEndpointError(
                f"{self._where()} answered a bucket listing without naming the bucket: it "
                f"does not look like an S3 service; {_ENDPOINT_HINT}"
            )

    def delete_probe(self, key: str) -> None:
        check_probe_key(key)
        self._call("delete_object", key, Bucket=self.bucket, Key=self._full(key))

    def close(self) -> None:
        self.client.close()


# ---------------------------------------------------------------------- error translation
def _code(exc: Any) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _status(exc: Any) -> int:
    meta = getattr(exc, "response", {}).get("ResponseMetadata", {})
    return int(meta.get("HTTPStatusCode") or 0)


def _is_precondition(exc: Any) -> bool:
    return _status(exc) == 412 or _code(exc) in ("PreconditionFailed", "ConditionalRequestConflict")


_REGION_CODES = (
    "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
    "301", "307",
)
_ENDPOINT_HINT = "check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (or endpoint_url in ~/.aws/config)"
_CREDENTIALS_HINT = (
    "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or AWS_PROFILE and ~/.aws/credentials"
)


def translate_error(exc: Exception, op: str, where: str, bucket: str) -> StoreError:
    """The StoreError subclass and message for a botocore exception raised by `op` on
    `where` (a printable 's3://bucket/key (endpoint URL)'). Never includes credentials."""
    import botocore.exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, StoreError):
        return exc
    detail = redact_urls(str(exc))  # botocore's message may name an endpoint with user:password@
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return StoreAccessError(f"no usable AWS credentials for {where}: {_CREDENTIALS_HINT}")
    if isinstance(exc, bx.ProfileNotFound):
        return StoreAccessError(f"{detail}: set AWS_PROFILE to a profile that exists")
    if isinstance(exc, bx.SSLError):
        return StoreEndpointError(
            f"TLS failed talking to {where}: {detail}. Is the endpoint http:// rather than "
            f"https://, or does it need AWS_CA_BUNDLE? {_ENDPOINT_HINT}"
        )
    if isinstance(exc, bx.ConnectionError | bx.HTTPClientError):
        return StoreUnavailableError(
            f"cannot reach {where}: {detail}. Is the server up and the endpoint right? "
            f"({_ENDPOINT_HINT}.) Files wait in the local spool; run `storyarchive store "
            "sync` once it is reachable"
        )
    if isinstance(exc, ResponseParserError):
        return StoreEndpointError(
            f"{where} did not answer like an S3 service ({op}); {_ENDPOINT_HINT}"
        )
    if not isinstance(exc, bx.ClientError):
        return StoreError(f"{op} on {where} failed: {type(exc).__name__}: {detail}")
    code, status = _code(exc), _status(exc)
    message = exc.response.get("Error", {}).get("Message", "")
    if code in ("NoSuchBucket",) or (op in ("head_bucket",) and status == 404):
        return StoreNotFoundError(
            f"bucket {bucket!r} does not exist at {where}: create it (for example "
            f"`aws s3 mb s3://{bucket}`) or fix the bucket in the store URI"
        )
    if code in ("InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException"):
        return StoreAccessError(
            f"the access key id is not known to {where}: {_CREDENTIALS_HINT} (and that the "
            "endpoint is the service the key belongs to)"
        )
    if code == "SignatureDoesNotMatch":
        return StoreAccessError(
            f"the secret access key does not match the access key id at {where}: "
            f"{_CREDENTIALS_HINT}"
        )
    if code in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired", "ExpiredTokenException"):
        return StoreAccessError(
            f"the session token for {where} is expired or invalid: refresh the credentials "
            "(aws sso login, or new AWS_SESSION_TOKEN)"
        )
    if code == "RequestTimeTooSkewed":
        return StoreClockSkewError(
            f"{where} rejected the request because this machine's clock is off by more than "
            "15 minutes: fix the system clock (enable NTP) and retry"
        )
    if code in ("AccessDenied", "AllAccessDisabled", "403", "Forbidden") or status == 403:
        return StoreAccessError(
            f"access denied for {op} on {where}: the credentials are not allowed to do this. "
            "They need s3:ListBucket, s3:GetObject and s3:PutObject (s3:DeleteObject for "
            f"`store check`); {_CREDENTIALS_HINT}"
        )
    if code in _REGION_CODES or status in (301, 307):
        region = exc.response.get("Error", {}).get("Region") or exc.response.get(
            "ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
        hint = f"set AWS_REGION={region}" if region else "set AWS_REGION to the bucket's region"
        return StoreEndpointError(
            f"bucket {bucket!r} is not served by this endpoint/region ({where}): {hint}, "
            f"or {_ENDPOINT_HINT}"
        )
    if code in ("SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout",
                "Throttling", "ThrottlingException") or status >= 500:
        return StoreUnavailableError(
            f"{where} kept failing with {code or status} ({message}) after retries; "
            "try again later (files wait in the local spool)"
        )
    if code in ("BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"):
        return StoreIntegrityError(
            f"{where} refused what {op} sent: the bytes do not match the SHA-256 hashed "
            f"before the upload ({message}). Did the file change meanwhile? The local copy is "
            "kept; retry"
        )
    if code.isdigit() or not code:
        return StoreEndpointError(
            f"{where} answered {op} with HTTP {status} and no S3 error: it does not look "
            f"like an S3 service; {_ENDPOINT_HINT}"
        )
    return StoreError(f"{op} on {where} failed: {code}: {message}")
