"""Host names: one ASCII form, and the site (registrable domain) of a host by the PSL."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from tldextract import TLDExtract

from storyarchive import domains
from storyarchive.domains import ascii_host, registrable_domain


@pytest.mark.parametrize(("host", "expected"), [
    ("Example.COM", "example.com"),
    ("example.com.", "example.com"),
    ("Bücher.de", "xn--bcher-kva.de"),
    ("el-periódico.com.ve", "xn--el-peridico-web.com.ve"),
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("127.0.0.1", "127.0.0.1"),
])
def test_ascii_host(host: str, expected: str) -> None:
    assert ascii_host(host) == expected


@pytest.mark.parametrize("host", ["bü..de", "ü" * 64 + ".de"])
def test_ascii_host_of_a_name_idna_cannot_encode_is_none(host: str) -> None:
    assert ascii_host(host) is None


@pytest.mark.parametrize(("host", "expected"), [
    # ordinary and multi-label public suffixes
    ("www.example.com", "example.com"),
    ("a.b.example.org", "example.org"),
    ("www.bbc.co.uk", "bbc.co.uk"),
    ("news.bbc.co.uk", "bbc.co.uk"),
    ("edition.example.com.ve", "example.com.ve"),
    ("www.worldbank.org.kg", "worldbank.org.kg"),
    # private suffixes count: each blog is its own site
    ("foo.blogspot.com", "foo.blogspot.com"),
    ("m.foo.blogspot.com", "foo.blogspot.com"),
    ("bar.github.io", "bar.github.io"),
    # IDN, in either form; the result is punycode
    ("news.Bücher.de", "xn--bcher-kva.de"),
    ("news.xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("www.пример.рф", "xn--e1afmkfd.xn--p1ai"),
    # IP addresses, one-label names and public suffixes are their own site
    ("127.0.0.1", "127.0.0.1"),
    ("127.0.0.2", "127.0.0.2"),
    ("10.1.2.3", "10.1.2.3"),
    ("::1", "::1"),
    ("[2001:db8::1]", "2001:db8::1"),
    ("localhost", "localhost"),
    ("LOCALHOST", "localhost"),
    ("co.uk", "co.uk"),
    ("blogspot.com", "blogspot.com"),
    # names under a suffix the list does not know: its default rule "*"
    ("outlet-a.localhost", "outlet-a.localhost"),
    ("www.outlet-a.localhost", "outlet-a.localhost"),
    ("demo.test", "demo.test"),
    ("x.y.dev.example", "dev.example"),
    ("", ""),
])
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


def test_two_blogs_of_one_platform_are_two_sites_and_one_blogs_hosts_are_one() -> None:
    assert registrable_domain("foo.blogspot.com") != registrable_domain("bar.blogspot.com")
    assert registrable_domain("www.foo.blogspot.com") == registrable_domain("foo.blogspot.com")


class _NetworkUsed(OSError):
    pass


@pytest.fixture
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve a name or open a connection is recorded and refused
    (before any packet is sent)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise _NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_the_public_suffix_list_is_read_from_the_bundled_snapshot_without_network_or_cache(
        socket_guard: list[Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Where tldextract would download from and cache to, were it allowed to.
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "http://192.0.2.1/public_suffix_list.dat")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    domains._public_suffix_list.cache_clear()
    try:
        assert registrable_domain("news.foo.blogspot.com") == "foo.blogspot.com"
        assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    finally:
        domains._public_suffix_list.cache_clear()
    assert socket_guard == []
    assert list(tmp_path.iterdir()) == []

    # The guard does catch tldextract's download: its default configuration tries one.
    TLDExtract(cache_dir=None)("www.bbc.co.uk")
    assert socket_guard, "the socket guard saw no attempt from a downloading TLDExtract"
