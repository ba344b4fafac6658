"""HTML templates of the demo news web: article, AMP, home, section, plain and error pages.

Pure functions: each takes the outlet spec, the content and the absolute URLs it needs, and
returns the page as text. Nothing depends on the clock, so an unchanged page is
byte-identical on every request.
"""

# ruff: noqa: E501 - HTML and CSS templates read better unwrapped

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from demoweb.article import Article
from demoweb.outlets import OutletSpec

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")


def human_date(iso: str, language: str) -> str:
    """"December 30, 2025" (en) or "30 de diciembre de 2025" (es) from an ISO date."""
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if language == "es":
        return f"{day} de {_MONTHS_ES[month - 1]} de {year}"
    return f"{_MONTHS_EN[month - 1]} {day}, {year}"


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    note: str = ""  # a date or standfirst shown under the link


@dataclass(frozen=True)
class ArticleView:
    """Everything an article page shows besides the content itself."""

    article: Article
    language: str
    published: str
    canonical_url: str
    image_path: str
    related: Sequence[Link] = ()
    amp_url: str | None = None
    revision: int = 0
    documents: Sequence[Link] = ()


def _e(text: str) -> str:
    return escape(text, quote=True)


def _head(spec: OutletSpec, title: str, extra: str = "") -> str:
    return (
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{extra}"
        '<link rel="stylesheet" href="/static/site.css">\n'
        '<link rel="icon" href="/favicon.ico">\n'
        '<script src="/static/site.js" defer></script>\n'
        "</head>\n"
    )


def _masthead(spec: OutletSpec) -> str:
    items = "".join(f'<li><a href="{_e(path)}">{_e(label)}</a></li>' for label, path in spec.nav)
    return (
        '<header class="masthead">\n'
        f'<a class="site-name" href="/">{_e(spec.name)}</a> <span class="tagline">{_e(spec.tagline)}</span>\n'
        f'<nav class="primary" aria-label="Sections"><ul>{items}</ul></nav>\n'
        "</header>\n"
    )


def _cookie_banner(spec: OutletSpec) -> str:
    accept = "Aceptar" if spec.language == "es" else "Accept"
    return (f'<div class="cookie-banner" role="dialog" aria-label="Cookies"><p>{_e(spec.cookie_text)}</p>'
            f"<button type=\"button\">{accept}</button></div>\n")


def _newsletter(spec: OutletSpec) -> str:
    es = spec.language == "es"
    return (
        '<aside class="newsletter">\n'
        f"<h3>{_e(spec.newsletter_title)}</h3>\n<p>{_e(spec.newsletter_text)}</p>\n"
        '<form action="/newsletter/subscribe" method="post">'
        f'<input type="email" name="email" placeholder="{"Su correo electrónico" if es else "Your email address"}">'
        f'<button type="submit">{"Suscribirse" if es else "Sign up"}</button></form>\n'
        "</aside>\n"
    )


def _footer(spec: OutletSpec) -> str:
    es = spec.language == "es"
    about, privacy, staff = ("Quiénes somos", "Privacidad", "Acceso redacción") if es else (
        "About us", "Privacy", "Staff login")
    return (
        '<footer class="site-footer">\n'
        f'<nav><a href="/about/">{about}</a> · <a href="/privacy/">{privacy}</a> · '
        f'<a href="/admin/login">{staff}</a></nav>\n'
        f"<p>{_e(spec.footer_note)}</p>\n<p>{_e(spec.copyright)}</p>\n"
        "</footer>\n"
    )


def _body_html(article: Article) -> str:
    out = []
    for part in article.body:
        if isinstance(part, str):
            out.append(f"<p>{escape(part, quote=False)}</p>")
        elif part[0] == "h2":
            out.append(f"<h2>{escape(part[1], quote=False)}</h2>")
        else:
            out.append(f"<blockquote><p>{escape(part[1], quote=False)}</p></blockquote>")
    return "\n".join(out) + "\n"


def update_note(language: str, revision: int) -> str:
    """The paragraph a touched article gains (revision >= 1)."""
    if language == "es":
        return (f"Actualización {revision}: esta noticia ha sido actualizada con nueva información "
                "desde su publicación original y se seguirá actualizando.")
    return (f"Update {revision}: this story has been updated with new information since it was "
            "first published and will continue to be updated.")


def article_page(spec: OutletSpec, view: ArticleView) -> str:
    """A full article page with furniture, metadata (OpenGraph, JSON-LD, canonical) and the
    outlet's boilerplate paragraph at the end of the body."""
    a = view.article
    authors = ", ".join(a.authors)
    meta = [
        f'<meta name="description" content="{_e(a.description)}">',
        f'<meta name="author" content="{_e(authors)}">',
        f'<link rel="canonical" href="{_e(view.canonical_url)}">',
    ]
    if view.amp_url:
        meta.append(f'<link rel="amphtml" href="{_e(view.amp_url)}">')
    meta += [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{_e(a.title)}">',
        f'<meta property="og:description" content="{_e(a.description)}">',
        f'<meta property="og:url" content="{_e(view.canonical_url)}">',
        f'<meta property="og:site_name" content="{_e(spec.name)}">',
        f'<meta property="og:locale" content="{"es_ES" if view.language == "es" else "en_US"}">',
        f'<meta property="article:published_time" content="{view.published}">',
        f'<meta property="article:author" content="{_e(authors)}">',
        f'<meta property="article:section" content="{_e(a.section)}">',
    ]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": view.published,
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "publisher": {"@type": "Organization", "name": spec.name},
        "mainEntityOfPage": view.canonical_url,
        "inLanguage": view.language,
    }
    meta.append('<script type="application/ld+json">' + json.dumps(ld, ensure_ascii=False) + "</script>")
    head = _head(spec, f"{a.title} | {spec.name}", "\n".join(meta) + "\n")
    es = view.language == "es"
    body = _body_html(a)
    if view.revision:
        body += f'<p class="update">{_e(update_note(view.language, view.revision))}</p>\n'
    for line in a.tail:
        body += f'<p class="credit"><em>{_e(line)}</em></p>\n'
    body += f'<p class="site-note">{_e(spec.boilerplate)}</p>\n'
    related = "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in view.related)
    documents = "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in view.documents)
    return (
        f'<!DOCTYPE html>\n<html lang="{view.language}">\n{head}<body class="article-page">\n'
        f"{_cookie_banner(spec)}{_masthead(spec)}"
        "<main>\n<article class=\"story\">\n"
        f'<p class="kicker">{_e(a.section)}</p>\n'
        f'<h1 class="headline">{_e(a.title)}</h1>\n'
        f'<p class="standfirst">{_e(a.description)}</p>\n'
        f'<div class="meta"><span class="byline" rel="author">{_e(a.byline)}</span> · '
        f'<time class="dateline" datetime="{view.published}">{human_date(view.published, view.language)}</time></div>\n'
        f'<figure class="lead"><img src="{_e(view.image_path)}" width="640" height="360" alt="{_e(a.caption)}">'
        f"<figcaption>{_e(a.caption)}</figcaption></figure>\n"
        f'<div class="article-body">\n{body}</div>\n'
        + (f'<aside class="documents"><h3>{"Documentos" if es else "Documents"}</h3><ul>{documents}</ul></aside>\n'
           if documents else "")
        + f'<div class="share"><p>{_e(spec.share_prompt)}</p>'
        '<ul><li><a href="mailto:?subject=Shared%20story">Email</a></li><li><a href="#copy">Copy link</a></li></ul></div>\n'
        "</article>\n"
        f"{_newsletter(spec)}"
        f'<aside class="related"><h3>{"Noticias relacionadas" if es else "Related stories"}</h3><ul>{related}</ul></aside>\n'
        "</main>\n"
        f"{_footer(spec)}</body>\n</html>\n"
    )


def amp_page(spec: OutletSpec, view: ArticleView) -> str:
    """The AMP version of an article: rel=canonical to the normal page, no furniture.
    (The AMP runtime script is left out: the demo web never references other hosts.)"""
    a = view.article
    return (
        f'<!DOCTYPE html>\n<html amp lang="{view.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(a.title)}</title>\n"
        f'<link rel="canonical" href="{_e(view.canonical_url)}">\n'
        '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        f'<meta property="article:published_time" content="{view.published}">\n'
        f'<meta name="author" content="{_e(", ".join(a.authors))}">\n'
        "<style amp-custom>body{font-family:Georgia,serif;margin:16px}h1{font-size:26px}</style>\n"
        "</head>\n<body>\n<article>\n"
        f"<h1>{_e(a.title)}</h1>\n<p class=\"byline\">{_e(a.byline)}</p>\n"
        f'<amp-img src="{_e(view.image_path)}" width="640" height="360" layout="responsive" alt="{_e(a.caption)}"></amp-img>\n'
        f"{_body_html(a)}"
        + "".join(f"<p><em>{_e(line)}</em></p>\n" for line in a.tail)
        + f"<p>{_e(spec.boilerplate)}</p>\n</article>\n</body>\n</html>\n"
    )


_WEBSITE = '<meta property="og:type" content="website">\n'


def listing_page(spec: OutletSpec, heading: str, links: Sequence[Link], *, home: bool) -> str:
    """The home page (lead story, list of stories, newsletter) or a section page."""
    es = spec.language == "es"
    items = "".join(
        f'<li class="teaser"><a href="{_e(link.href)}">{_e(link.text)}</a>'
        + (f'<span class="teaser-note">{_e(link.note)}</span>' if link.note else "") + "</li>\n"
        for link in links
    )
    title = spec.name if home else f"{heading} | {spec.name}"
    most_read = "Lo más leído" if es else "Most read"
    return (
        f'<!DOCTYPE html>\n<html lang="{spec.language}">\n'
        f'{_head(spec, title, _WEBSITE)}<body class="front">\n'
        f"{_cookie_banner(spec)}{_masthead(spec)}<main>\n"
        f"<h1 class=\"section-title\">{_e(heading)}</h1>\n"
        f'<section class="stories"><ul>\n{items}</ul></section>\n'
        f'<aside class="most-read"><h3>{most_read}</h3><ol>'
        + "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in links[:3])
        + "</ol></aside>\n"
        f"{_newsletter(spec)}</main>\n{_footer(spec)}</body>\n</html>\n"
    )


def plain_page(spec: OutletSpec, heading: str, paragraphs: Sequence[str], *, robots: str = "") -> str:
    """A simple page with furniture (about, privacy, staff login, lab pages)."""
    extra = f'<meta name="robots" content="{_e(robots)}">\n' if robots else ""
    body = "".join(f"<p>{_e(p)}</p>\n" for p in paragraphs)
    nav = _masthead(spec) if spec.nav else f'<header class="masthead"><a class="site-name" href="/">{_e(spec.name)}</a></header>\n'
    return (
        f'<!DOCTYPE html>\n<html lang="{spec.language}">\n{_head(spec, f"{heading} | {spec.name}", extra)}'
        f"<body>\n{nav}<main>\n<h1>{_e(heading)}</h1>\n{body}</main>\n"
        + (_footer(spec) if spec.footer_note else "")
        + "</body>\n</html>\n"
    )


def not_found_page(spec: OutletSpec, path: str) -> str:
    """The outlet's 404 page."""
    if spec.language == "es":
        return plain_page(spec, "Página no encontrada",
                          [f"La página {path} no existe o ha sido retirada.", "Vuelva a la portada para ver las últimas noticias."])
    return plain_page(spec, "Page not found",
                      [f"Sorry, the page {path} does not exist or has been removed.",
                       "Return to the home page for the latest news."])
