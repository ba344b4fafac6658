"""`AddressGuardMiddleware`: a URL the crawl discovered never reaches this machine, a
private network or a cloud's metadata service, unless the user named its host.

A feed, sitemap or page is written by whoever runs the site; a link in it to
http://169.254.169.254/latest/meta-data/ (or a redirect there) would make the crawler
fetch a cloud's credentials and archive them, and a link to http://127.0.0.1:6379/ would
reach a service that trusts its own machine. So every request is checked on the address
its host resolves to, before any connection (redirects are new requests, checked too):

- public internet addresses (`ipaddress`'s `is_global`) are always allowed;
- a host the user named — a source of the story file (feeds, sitemaps, search feeds,
  seeds) or a URL given to `capture` — is allowed at its port (80 and 443 count as one:
  an http:// source may redirect to https://), and the decision is logged once: the demo
  web and the tests on 127.0.0.1 need no setting, and an intranet feed works;
- an address in a network of STORYARCHIVE_ALLOW_NETWORKS (CIDR) is allowed;
- anything else (loopback, private, link-local, shared, reserved, multicast, unspecified,
  the metadata addresses) is refused: `ForbiddenAddressError` (an IgnoreRequest), recorded
  by the spiders with reason `forbidden-address: ...`.

The host is resolved with the reactor's resolver (Scrapy's caching resolver, in a thread):
the connection that follows looks the name up in the same cache, so it goes to the address
that was checked (a DNS answer that changes in between is not seen again).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS over IPv6;
# Alibaba Cloud): named as such in the reason.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in
                               ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ForbiddenAddressError(IgnoreRequest):
    """A request whose host resolves to an address the crawl may not reach; `reason` says
    which address and why, `url` is the request's."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


def address_kind(ip: Address) -> str | None:
    """What kind of non-public address `ip` is ("metadata service", "loopback", "private",
    "link-local", ...), or None for a public internet address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata service"
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not a public address"


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """The networks of STORYARCHIVE_ALLOW_NETWORKS ("10.0.0.0/8", "fd00::/8", or one
    address); ValueError naming the setting and the bad entry."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"STORYARCHIVE_ALLOW_NETWORKS: {value!r} is not a network "
                             "(CIDR like 10.0.0.0/8, or one address)") from None
    return tuple(out)


def host_port(url: str) -> tuple[str, int] | None:
    """(host lower-cased without brackets, port or the scheme's default) of an http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[parts.scheme]


def named_hosts(urls: Iterable[str]) -> frozenset[tuple[str, int]]:
    """The (host, port) pairs of URLs the user named; a default port names both 80 and 443."""
    out: set[tuple[str, int]] = set()
    for url in urls:
        hp = host_port(url)
        if hp is None:
            continue
        host, port = hp
        out.update([(host, 80), (host, 443)] if port in (80, 443) else [hp])
    return frozenset(out)


@dataclass(frozen=True)
class AddressPolicy:
    """Which hosts and addresses a crawl may reach beyond the public internet."""

    named: frozenset[tuple[str, int]] = frozenset()
    networks: tuple[Network, ...] = ()

    def refusal(self, host: str, port: int, ip: Address) -> str | None:
        """Why (host, port) at address `ip` may not be fetched, or None if it may."""
        kind = address_kind(ip)
        if kind is None or (host, port) in self.named or any(ip in n for n in self.networks
                                                            if n.version == ip.version):
            return None
        shown = f"{host} ({ip})" if host != str(ip) else str(ip)
        return (f"{shown} is {kind}: not fetched for a discovered URL (allow it with "
                "STORYARCHIVE_ALLOW_NETWORKS, or name the host in the story file)")


class AddressGuardMiddleware:
    """The downloader middleware (order 50: before robots.txt is asked for) applying
    `AddressPolicy` to every request."""

    def __init__(self, crawler: Crawler, networks: tuple[Network, ...]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = AddressPolicy(networks=networks)
        self._named_logged: set[tuple[str, int]] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler, allowed_networks(crawler.settings))

    def spider_opened(self) -> None:
        named = getattr(self.crawler.spider, "named_urls", None)
        if not self.crawler.settings.getbool("STORYARCHIVE_TRUST_NAMED_HOSTS"):
            named = None  # URLs from a web form: checked like discovered ones
        self.policy = AddressPolicy(named_hosts(named() if named else ()), self.policy.networks)

    async def process_request(self, request: Request) -> None:
        hp = host_port(request.url)
        if hp is None:
            return
        host, port = hp
        ip = await self._resolve(host)
        if ip is None:
            return  # not resolvable: the connection fails the same way, with its own error
        reason = self.policy.refusal(host, port, ip)
        if reason is not None:
            self.stats.inc_value("storyarchive/addresses/refused")
            logger.warning("refused %s: %s", request.url, reason)
            raise ForbiddenAddressError(request.url, reason)
        if address_kind(ip) is not None and (host, port) not in self._named_logged:
            self._named_logged.add((host, port))
            why = ("named by the user (story file or capture)" if (host, port) in self.policy.named
                   else "in STORYARCHIVE_ALLOW_NETWORKS")
            logger.info("%s:%d resolves to %s (%s): allowed, %s", host, port, ip, address_kind(ip), why)

    async def _resolve(self, host: str) -> Address | None:
        try:
            return ipaddress.ip_address(host)
        except ValueError:
            pass
        from twisted.internet import reactor

        try:
            found = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]
            return ipaddress.ip_address(found)
        except Exception:  # noqa: BLE001 - any lookup failure: the download reports it
            return None


def allowed_networks(settings: BaseSettings) -> tuple[Network, ...]:
    """STORYARCHIVE_ALLOW_NETWORKS of `settings`: a list, or from --set a comma-separated
    string or a JSON list; ValueError for a bad entry."""
    value = settings.get("STORYARCHIVE_ALLOW_NETWORKS") or []
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else text.split(",")
        except ValueError:
            raise ValueError(f"STORYARCHIVE_ALLOW_NETWORKS: {text!r} is not a list of networks") from None
    return parse_networks(v for v in value if str(v).strip())
