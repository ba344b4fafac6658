"""Every Redis client is built here, one way, from settings (like scrapy-redis's
`get_redis_from_settings`): the shared dedup index (STORYARCHIVE_DEDUP_REDIS_URL) and the
shared WARC payload-digest index (STORYARCHIVE_WARC_DIGEST_INDEX = redis://...).

`RedisParams` holds the connection options (timeouts, retries; STORYARCHIVE_REDIS_*,
defaults in storyarchive/defaults.py), `redis_client(url, params)` makes a client,
`redis_from_settings(settings, url_setting)` does both from settings, and
`check_redis(settings)` pings every configured URL so a crawl stops before its first
fetch when one does not answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from storyarchive import defaults

if TYPE_CHECKING:
    import redis

# The settings that may name a Redis server; a value of another kind (empty, "sqlite") is
# not a Redis URL and is skipped here.
REDIS_URL_SETTINGS = ("STORYARCHIVE_REDIS_URL", "STORYARCHIVE_DEDUP_REDIS_URL",
                      "STORYARCHIVE_WARC_DIGEST_INDEX")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Backoff between retries: exponential with jitter from BACKOFF_BASE up to BACKOFF_CAP s.
_BACKOFF_BASE = 0.05
_BACKOFF_CAP = 2.0


class RedisUnavailableError(Exception):
    """A configured Redis server cannot be used; the message names the URL (without a
    password), the setting, and what to do."""


@dataclass(frozen=True)
class RedisParams:
    """Connection options of every Redis client. Each field `name` is read from the
    settings as STORYARCHIVE_REDIS_<NAME> (storyarchive/defaults.py, "redis")."""

    socket_timeout: float = defaults.STORYARCHIVE_REDIS_SOCKET_TIMEOUT
    connect_timeout: float = defaults.STORYARCHIVE_REDIS_CONNECT_TIMEOUT
    retries: int = defaults.STORYARCHIVE_REDIS_RETRIES

    @classmethod
    def from_settings(cls, settings: Any) -> RedisParams:
        """The params in Scrapy `settings` (any mapping with .get works); a setting that is
        absent keeps the default. ValueError naming the setting for a value out of range."""
        values: dict[str, Any] = {}
        for name, kind in (("socket_timeout", float), ("connect_timeout", float), ("retries", int)):
            setting = f"STORYARCHIVE_REDIS_{name.upper()}"
            raw = settings.get(setting)
            if raw is None or raw == "":
                continue
            try:
                values[name] = kind(raw)
            except (TypeError, ValueError):
                raise ValueError(f"{setting}: expected {kind.__name__}, got {raw!r}") from None
            if values[name] < 0 or (kind is float and values[name] == 0):
                raise ValueError(f"{setting}: must be {'> 0' if kind is float else '>= 0'}, got {raw!r}")
        return cls(**values)


def is_redis_url(value: str) -> bool:
    return value.startswith(REDIS_SCHEMES)


def redacted(url: str) -> str:
    """`url` without its password (safe to print or log)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))


def redis_client(url: str, params: RedisParams | None = None) -> redis.Redis:
    """A client for `url` (redis://, rediss://, unix://) with `params` (defaults if None).
    Connects lazily: nothing is sent until the first command. ValueError for a URL that
    redis-py cannot parse."""
    import redis
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.retry import Retry

    p = params or RedisParams()
    return redis.Redis.from_url(
        url,
        socket_timeout=p.socket_timeout,
        socket_connect_timeout=p.connect_timeout,
        retry=Retry(ExponentialWithJitterBackoff(cap=_BACKOFF_CAP, base=_BACKOFF_BASE), p.retries),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


def redis_from_settings(settings: Any, url_setting: str) -> redis.Redis | None:
    """The client for the Redis URL in setting `url_setting`, built with
    RedisParams.from_settings(settings); None if the setting holds no Redis URL."""
    url = str(settings.get(url_setting) or "")
    if not is_redis_url(url):
        return None
    return redis_client(url, RedisParams.from_settings(settings))


def configured_redis_urls(settings: Any) -> Iterator[tuple[str, str]]:
    """(setting, url) for each of REDIS_URL_SETTINGS that holds a Redis URL."""
    for setting in REDIS_URL_SETTINGS:
        url = str(settings.get(setting) or "")
        if is_redis_url(url):
            yield setting, url


def check_redis(settings: Any) -> None:
    """Ping every Redis server the settings configure (with their params). Raises
    RedisUnavailableError for the first that does not answer, e.g. "redis
    redis://127.0.0.1:6390/0 (STORYARCHIVE_DEDUP_REDIS_URL): connection refused; start
    Redis or unset the setting"; ValueError for an invalid STORYARCHIVE_REDIS_* value."""
    import redis

    params = RedisParams.from_settings(settings)
    for setting, url in configured_redis_urls(settings):
        where = f"redis {redacted(url)} ({setting})"
        try:
            client = redis_client(url, params)
        except ValueError as exc:
            raise RedisUnavailableError(f"{where}: not a valid Redis URL ({exc})") from None
        try:
            client.ping()
        except redis.RedisError as exc:
            raise RedisUnavailableError(
                f"{where}: {_reason(exc, params)}; start Redis or unset the setting") from None
        finally:
            client.close()


def _reason(exc: Exception, params: RedisParams) -> str:
    """What went wrong, in words, for a failed ping."""
    import redis

    if isinstance(exc, redis.AuthenticationError | redis.exceptions.NoPermissionError):
        return f"authentication failed ({exc})"
    if isinstance(exc, redis.TimeoutError):
        return f"no answer within {params.connect_timeout:g} s (connect) / {params.socket_timeout:g} s"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if "Connection refused" in str(exc):
        return "connection refused"
    return str(exc).rstrip(".")
