"""Host names: their ASCII form and the site (registrable domain) they belong to.

`ascii_host` is the one place a host name is lower-cased and IDN-encoded;
`registrable_domain` says which site a host is part of, by the Public Suffix List. Both
are pure.

**Private suffixes count.** The Public Suffix List has a private section (blogspot.com,
github.io, and hundreds of other hosting platforms) under which anyone can have a site of
their own. `foo.blogspot.com` and `bar.blogspot.com` are two publishers, so each is its own
registrable domain: one may not name the other's page as its canonical URL. That is how
Media Cloud counts outlets (its `canonical_domain` keeps the subdomain of blog platforms)
and how Scrapy's cookie middleware scopes cookies (`include_psl_private_domains=True`).
Platforms missing from the list (wordpress.com, substack.com) stay one site each.

**No network.** The list is tldextract's bundled snapshot, read once per process:
`suffix_list_urls=()` means no download (an explicit argument, so
`TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS` cannot turn one on) and `cache_dir=None` means no
cache file is read or written. The snapshot is as new as the pinned tldextract
(requirements.lock); upgrading it is how the list is updated.
"""

from __future__ import annotations

import functools
import ipaddress

from tldextract import TLDExtract


def ascii_host(host: str) -> str | None:
    """A host name as it is compared and stored: lower case, without a trailing dot, IDN
    labels in punycode ("Bücher.de." -> "xn--bcher-kva.de"). The stdlib IDNA 2003 codec,
    so a name maps as it always has (document ids derive from canonical URLs). None if the
    name cannot be encoded (an empty or over-long label)."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def registrable_domain(host: str) -> str:
    """The site `host` belongs to: its registrable domain by the Public Suffix List
    ("www.bbc.co.uk" -> "bbc.co.uk", "news.foo.blogspot.com" -> "foo.blogspot.com").

    `host` as `urlsplit(...).hostname` gives it (any case, IDN or punycode: the result is
    in punycode). An IP address, a one-label name ("localhost") and a host that is itself
    a public suffix ("co.uk") are their own site. A name under a suffix the list does not
    know ("outlet-a.localhost", "demo.test") follows the list's default rule "*": its last
    label is the suffix, so the site is the last two labels.
    """
    name = ascii_host(host.strip("[]")) or host.lower()
    if not name or ":" in name or _is_ip(name):
        return name
    parts = _public_suffix_list()(name)
    if parts.suffix:
        return f"{parts.domain}.{parts.suffix}" if parts.domain else name
    return ".".join(name.split(".")[-2:])


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@functools.cache
def _public_suffix_list() -> TLDExtract:
    """tldextract over its bundled snapshot, never the network (see the module docstring).
    Built on first use: reading the snapshot takes a few tens of milliseconds."""
    return TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True,
                      include_psl_private_domains=True)
