"""The outlets of the demo news web and their page furniture.

Each outlet is one host (one port on 127.0.0.1). The order of `OUTLET_SPECS` fixes the port
map: outlet i listens on base_port + i, so `stories/demo-dock-strike.toml` can be rendered for 8401...
without binding anything. The generated outlet (`GENERATED_SPEC`) comes last and exists only
when the demo web is built with generated articles.
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outlet:
    """A live outlet: slug, display name and base URL ("http://127.0.0.1:PORT")."""

    slug: str
    name: str
    base_url: str


@dataclass(frozen=True)
class OutletSpec:
    """What an outlet looks like. `boilerplate` is printed inside every article body of the
    outlet (the dedup stage must find it as site boilerplate); `footer_note` sits in the footer."""

    slug: str
    name: str
    kind: str  # news | search | lab | generated
    language: str = "en"
    tagline: str = ""
    nav: tuple[tuple[str, str], ...] = ()
    accent: str = "#222"
    feed_path: str = "/rss.xml"
    feed_format: str = "rss"  # rss | atom
    sitemap_path: str = "/news-sitemap.xml"  # the sitemap robots.txt names
    sitemap_index: bool = False
    cookie_text: str = ""
    newsletter_title: str = ""
    newsletter_text: str = ""
    share_prompt: str = ""
    boilerplate: str = ""
    footer_note: str = ""
    copyright: str = ""


OUTLET_SPECS: tuple[OutletSpec, ...] = (
    OutletSpec(
        slug="meridian",
        name="Meridian Wire",
        kind="news",
        tagline="Independent news agency since 1961",
        nav=(("World", "/world/"), ("Americas", "/americas/"), ("Business", "/business/"), ("Documents", "/documents/")),
        accent="#0b3d6b",
        feed_path="/feeds/latest.atom",
        feed_format="atom",
        sitemap_path="/sitemap_index.xml",
        sitemap_index=True,
        cookie_text="Meridian Wire uses cookies to measure readership and keep you signed in. You can change your choice at any time in Privacy settings.",
        newsletter_title="The Meridian Briefing",
        newsletter_text="The day's most important stories from our correspondents in 120 cities, in your inbox every weekday at 6 a.m.",
        share_prompt="Share this story with colleagues: copy the link or send it by email.",
        boilerplate="Meridian Wire stories may be republished by subscribing news organizations under the terms of their licence agreement; redistribution by anyone else, in whole or in part, is prohibited without written permission.",
        footer_note="All times are Coordinated Universal Time unless stated otherwise. Meridian Wire follows the Trust Principles on independence, integrity and freedom from bias.",
        copyright="© 2025 Meridian Wire. All rights reserved.",
    ),
    OutletSpec(
        slug="harbor",
        name="The Harbor Ledger",
        kind="news",
        tagline="Serving Harbor City since 1887",
        nav=(("Local", "/local/"), ("World", "/world/"), ("Sports", "/sports/"), ("Opinion", "/opinion/")),
        accent="#1d5c4a",
        cookie_text="We and our partners use cookies to personalise content and ads. By clicking Accept you agree to our use of cookies.",
        newsletter_title="Ledger Morning Edition",
        newsletter_text="Start your day with the headlines that matter to Harbor City, delivered before your first coffee.",
        share_prompt="Found this useful? Share it on social media or gift this article to a friend.",
        boilerplate="The Harbor Ledger is supported by readers like you. Subscribe today for unlimited access to local reporting, the e-edition and our award-winning investigations, starting at one dollar a week.",
        footer_note="The Harbor Ledger is published by Ledger Media Group, 14 Wharf Street, Harbor City. Letters to the editor may be edited for length and clarity.",
        copyright="© 2025 Ledger Media Group",
    ),
    OutletSpec(
        slug="capital",
        name="The Capital Courier",
        kind="news",
        tagline="Politics, policy and power",
        nav=(("Politics", "/politics/"), ("World", "/world/"), ("City", "/city/"), ("Podcasts", "/podcasts/")),
        accent="#6b1d1d",
        cookie_text="This site uses cookies. Some are essential; others help us understand how you use the Courier. Manage preferences.",
        newsletter_title="Courier Politics Daily",
        newsletter_text="Get sharp analysis of the day in Washington from our politics team, every weekday evening.",
        share_prompt="Share this article: Facebook, X, LinkedIn, email or copy link.",
        boilerplate="The Capital Courier's journalism is made possible by subscribers. Our newsroom operates independently of our owners and advertisers, and corrections are published on page two of the print edition.",
        footer_note="The Capital Courier, 1200 Pennsylvania Avenue NW, Washington. Tips: tips@capitalcourier.example or our secure drop.",
        copyright="© 2025 The Capital Courier Company",
    ),
    OutletSpec(
        slug="atlantic",
        name="Atlantic Broadcast News",
        kind="news",
        tagline="ABN — on air, online, on demand",
        nav=(("News", "/news/"), ("Politics", "/news/politics/"), ("World", "/news/world/"), ("Sport", "/sport/"), ("Watch live", "/live/")),
        accent="#0d4fa3",
        cookie_text="ABN uses cookies and similar technologies to improve your experience and show you relevant ads. Accept all or customise.",
        newsletter_title="ABN Evening Wrap",
        newsletter_text="Catch up on everything you missed today with the ABN newsroom's evening roundup and the best of our video.",
        share_prompt="Watch the full report on ABN+ and share this story with the buttons below.",
        boilerplate="Atlantic Broadcast News reports are produced by the ABN newsroom and may include material from partner agencies. Video and audio are available to ABN+ members in the app and on connected TVs.",
        footer_note="Atlantic Broadcast News is a registered trade mark of Atlantic Broadcasting Corporation. Programme times may change without notice.",
        copyright="© 2025 Atlantic Broadcasting Corporation",
    ),
    OutletSpec(
        slug="prensa",
        name="La Prensa del Caribe",
        kind="news",
        language="es",
        tagline="El diario de la cuenca del Caribe",
        nav=(("Portada", "/"), ("Internacional", "/internacional/"), ("Región", "/region/"), ("Deportes", "/deportes/"), ("Opinión", "/opinion/")),
        accent="#a34a0d",
        cookie_text="Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Si continúa navegando, consideramos que acepta su uso.",
        newsletter_title="Boletín de La Prensa",
        newsletter_text="Reciba cada mañana en su correo las noticias más importantes del Caribe y de América Latina.",
        share_prompt="Comparta esta noticia en WhatsApp, Facebook o por correo electrónico.",
        boilerplate="La Prensa del Caribe se reserva todos los derechos sobre este contenido. Queda prohibida su reproducción total o parcial sin autorización expresa y por escrito de la dirección del periódico.",
        footer_note="La Prensa del Caribe es miembro de la Sociedad Interamericana de Prensa. Redacción: Calle del Malecón 45, Barranquilla.",
        copyright="© 2025 Editorial Prensa del Caribe S.A.",
    ),
    OutletSpec(
        slug="globe",
        name="The Northgate Globe",
        kind="news",
        tagline="News and ideas for Northgate and the world",
        nav=(("Home", "/"), ("World", "/world/"), ("Northgate", "/northgate/"), ("Ideas", "/ideas/")),
        accent="#3a3a3a",
        feed_path="/feed/",
        cookie_text="We use cookies to make the Globe work and to understand how it is used. Read our cookie policy.",
        newsletter_title="The Globe Weekender",
        newsletter_text="Long reads, ideas and the week's best journalism from the Northgate Globe, every Saturday morning.",
        share_prompt="Share this story with someone who should read it.",
        boilerplate="The Northgate Globe is committed to accuracy. If you spot an error in this story, write to corrections@northgateglobe.example and our standards editor will review it within one business day.",
        footer_note="The Northgate Globe is an independent, nonprofit newsroom. Donations are tax-deductible to the extent allowed by law.",
        copyright="© 2025 Northgate Globe Foundation",
    ),
    OutletSpec(
        slug="search",
        name="NewsScope Search",
        kind="search",
        tagline="Search the news",
        feed_path="/rss/search?q=news",
        sitemap_path="",
    ),
    OutletSpec(
        slug="lab",
        name="Protocol Lab",
        kind="lab",
        tagline="HTTP edge cases for crawler tests",
        feed_path="",
        sitemap_path="",
    ),
)

GENERATED_SPEC = OutletSpec(
    slug="tidewater",
    name="Tidewater Gazette",
    kind="generated",
    tagline="Coastal news, every hour",
    nav=(("Latest", "/"), ("Americas", "/americas/"), ("Security", "/security/")),
    accent="#14506e",
    sitemap_path="/sitemap_index.xml",
    sitemap_index=True,
    cookie_text="The Gazette uses cookies for analytics and to remember your preferences. Continue to accept.",
    newsletter_title="Gazette Hourly",
    newsletter_text="Breaking news alerts from the Tidewater Gazette desk, as they happen.",
    share_prompt="Share this report with your network.",
    boilerplate="Tidewater Gazette reports are compiled by our regional desk from correspondents, official statements and partner agencies, and are updated as new information becomes available throughout the day.",
    footer_note="Tidewater Gazette, Harborfront Building, Norfolk. Reader services are open weekdays from nine to five.",
    copyright="© 2025 Tidewater Gazette",
)

NEWS_OUTLETS = tuple(s.slug for s in OUTLET_SPECS if s.kind == "news")


def spec_for(slug: str) -> OutletSpec:
    """The spec of outlet `slug`; KeyError naming the known outlets if there is none."""
    for spec in (*OUTLET_SPECS, GENERATED_SPEC):
        if spec.slug == slug:
            return spec
    known = ", ".join(s.slug for s in OUTLET_SPECS)
    raise KeyError(f"no demo outlet {slug!r}; known outlets: {known}, {GENERATED_SPEC.slug}")
