"""URL canonicalization: what counts as "the same article".

`canonicalize_url` is the normal form every URL is compared and stored under;
`amp_to_canonical_guess` is a hint for common AMP URL shapes; `canonical_from_page`
decides whether a page's <link rel=canonical> can be trusted. All three are pure.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from storyarchive.domains import ascii_host, registrable_domain

# Query parameters that only say how a reader arrived (campaign and click trackers). They
# never select content, so they are removed. Matched case-insensitively.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "igshid", "igsh", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
    "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking", "mkt_tok", "vero_id", "vero_conv",
    "oly_anon_id", "oly_enc_id", "ref_src", "ref_url", "cmpid", "ncid", "ocid", "sr_share",
    "smid", "smtyp", "xtor", "at_medium", "at_campaign", "s_cid", "wt.mc_id",
    "__twitter_impression",
})
# Parameter name prefixes of tracker families: Google Analytics (utm_), Piwik (pk_),
# Matomo (mtm_), HubSpot ads (hsa_).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

DEFAULT_PORTS = {"http": 80, "https": 443}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in a path / a query component (RFC 3986 reserved + '%').
_PATH_SAFE = frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = frozenset("!$'()*,;:@/?")  # '&', '=' and '+' stay encoded inside a name or value
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


def join_url(base: str, ref: str) -> str | None:
    """`urljoin(base, ref)`, or None where urllib refuses either ("http://[oops": an
    unclosed IPv6 bracket raises ValueError). A page, feed or sitemap that carries one such
    URL loses that URL, as in a browser, never the rest of what it links to."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return None


def canonicalize_url(url: str) -> str:
    """The canonical form of an http(s) URL.

    Lower-cases scheme and host (IDN hosts become punycode, a trailing dot goes), drops the
    default port, the fragment and user info (`user:password@`: credentials are no part of
    a page's identity, and are written nowhere); removes tracking parameters
    (TRACKING_PARAMS, TRACKING_PREFIXES), drops empty pieces ("&&") and sorts the rest by name
    (stable: repeated names keep their order); normalizes percent-encoding (unreserved
    characters decoded, hex upper-cased, non-ASCII UTF-8 encoded); resolves "." and ".."
    segments; an empty path becomes "/". Anything that is not an absolute http(s) URL is
    returned stripped but otherwise unchanged (never raises).
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        return text
    netloc = _netloc(parts.netloc, scheme)
    if netloc is None:
        return text
    path = _remove_dot_segments(_normalize_pct(parts.path, _PATH_SAFE)) or "/"
    query = _canonical_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter name is a known tracker (see TRACKING_PARAMS)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def amp_to_canonical_guess(url: str) -> str | None:
    """A guess at the regular page of an AMP URL, canonicalized; None if `url` has no AMP
    shape. Shapes: AMP caches (https://www-x-com.cdn.ampproject.org/c/s/www.x.com/p) and
    Google's viewer (https://www.google.com/amp/s/www.x.com/p); an /amp path segment;
    ?amp, ?amp=1, ?outputType=amp; .amp.html or a .amp suffix; an amp. subdomain (guessed as
    www.). Only a hint: the page's rel=canonical is authoritative."""
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    if parts.scheme not in DEFAULT_PORTS:
        return None
    host = parts.hostname or ""
    cached = _unwrap_amp_cache(host, parts.path, parts.query)
    if cached is not None:
        return cached
    changed = False
    netloc = parts.netloc
    if host.startswith("amp.") and registrable_domain(host) != host:
        netloc = "www." + netloc[len("amp."):]
        changed = True
    segments = parts.path.split("/")
    kept = [s for s in segments if s.lower() != "amp"]
    if len(kept) != len(segments):
        changed = True
        path = "/".join(kept)
        if parts.path.endswith("/") and not path.endswith("/"):
            path += "/"
    else:
        path = parts.path
    new_path = re.sub(r"\.amp(\.html?)$", r"\1", path, flags=re.IGNORECASE)
    new_path = re.sub(r"(?<=[^/])\.amp$", "", new_path, flags=re.IGNORECASE)
    changed = changed or new_path != path
    pairs = [p for p in parts.query.split("&") if p]
    kept_pairs = [p for p in pairs if not _is_amp_param(p)]
    changed = changed or len(kept_pairs) != len(pairs)
    if not changed:
        return None
    return canonicalize_url(urlunsplit((parts.scheme, netloc, new_path or "/", "&".join(kept_pairs), "")))


def canonical_from_page(page_url: str, canonical_href: str | None) -> str:
    """The canonical URL of a page given its <link rel=canonical> href (may be relative).

    The href is used, canonicalized, only if it is a same-site http(s) URL (the same
    registrable domain by the Public Suffix List, so www./amp./m. hosts and other
    subdomains count and another blog of one hosting platform does not; the same
    non-default port) that is not junk: not the site's home page when the page itself is
    not, not a template left unfilled ("{{url}}"), not absurdly long. Otherwise the
    page's own URL, canonicalized. Never raises.
    """
    own = canonicalize_url(page_url)
    href = (canonical_href or "").strip()
    if not href or len(href) > 2048 or re.search(r"[{}<>\s]|%7B|%7D", href, flags=re.IGNORECASE):
        return own
    try:
        resolved = canonicalize_url(urljoin(page_url.strip(), href))
        target, page = urlsplit(resolved), urlsplit(own)
        if target.scheme not in DEFAULT_PORTS or page.scheme not in DEFAULT_PORTS:
            return own
        if _site(target) != _site(page):
            return own
    except ValueError:
        return own
    if target.path == "/" and not target.query and (page.path != "/" or page.query):
        return own  # a CMS that points every page at its home page
    return resolved


# ---------------------------------------------------------------- helpers

def _netloc(netloc: str, scheme: str) -> str | None:
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):  # IPv6 literal
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1].lower(), hostport[end + 1:]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        raw_host, _, port = hostport.partition(":")
        encoded = ascii_host(raw_host)
        if encoded is None:
            return None
        host = encoded
    if port:
        if not port.isdigit() or int(port) > 65535:
            return None
        if int(port) == DEFAULT_PORTS[scheme]:
            port = ""
        else:
            port = str(int(port))
    result = host + (f":{port}" if port else "")
    return result  # user info (user:password@) is dropped: never part of a page's identity


def _normalize_pct(component: str, safe: frozenset[str]) -> str:
    """Percent-encoding in one normal form: %XX of an unreserved character decoded, other
    %XX upper-cased, a stray '%' encoded as %25, anything outside unreserved + `safe`
    (spaces, non-ASCII as UTF-8 bytes) encoded."""
    out: list[str] = []
    i, n = 0, len(component)
    while i < n:
        c = component[i]
        if c == "%":
            m = _PCT.match(component, i)
            if m:
                char = chr(int(m.group(1), 16))
                out.append(char if char in _UNRESERVED else "%" + m.group(1).upper())
                i += 3
                continue
            out.append("%25")
        elif c in _UNRESERVED or c in safe:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (for an absolute path)."""
    if not path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _canonical_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name = _normalize_pct(name, _QUERY_SAFE | {"+"})
        if not name or is_tracking_param(_decoded_name(name)):
            continue
        pairs.append((name, sep + _normalize_pct(value, _QUERY_SAFE | {"+", "="})))
    pairs.sort(key=lambda p: p[0])
    return "&".join(name + rest for name, rest in pairs)


def _decoded_name(name: str) -> str:
    return _PCT.sub(lambda m: chr(int(m.group(1), 16)), name).replace("+", " ")


def _is_amp_param(pair: str) -> bool:
    name, _, value = pair.partition("=")
    name, value = name.lower(), value.lower()
    return (name == "amp" and value in ("", "1", "true", "yes")) or (name == "outputtype" and value == "amp")


def _unwrap_amp_cache(host: str, path: str, query: str) -> str | None:
    """The origin URL inside an AMP cache or Google AMP viewer URL, or None."""
    if host.endswith(".cdn.ampproject.org"):
        m = re.match(r"^/(?:c|v|i|r)/(s/)?(.+)$", path)
    elif host in ("www.google.com", "google.com") and path.startswith("/amp/"):
        m = re.match(r"^/amp/(s/)?(.+)$", path)
    else:
        return None
    if not m or "/" not in m.group(2) and "." not in m.group(2):
        return None
    scheme = "https" if m.group(1) else "http"
    inner = f"{scheme}://{m.group(2)}" + (f"?{query}" if query else "")
    guess = amp_to_canonical_guess(inner)
    return guess or canonicalize_url(inner)


def _site(parts: SplitResult) -> tuple[str, int | None]:
    """(registrable domain, non-default port): the same for pages of one site (see
    storyarchive.domains: private suffixes count, so two blogspot.com blogs differ)."""
    port = parts.port
    effective_port = None if port in (None, DEFAULT_PORTS.get(parts.scheme)) else port
    return registrable_domain(parts.hostname or ""), effective_port
