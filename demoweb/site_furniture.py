"""The site-wide furniture of a realistic-size news page: what a real news site prints on
every article page around the article, and which makes such a page weigh 150-200 KB.

- `mega_menu()`: the drawer of every section and subsection (hundreds of links);
- `footer_directory()`: the footer's link directory (sections, services, company, apps);
- `head_scripts(name)`: inline scripts in <head> (a consent-framework stub, a theme
  bootstrap, the analytics loader's configuration) and the critical CSS;
- `bundle_scripts()`: a bundler's inline chunks (component modules) and the hydration
  bootstrap, at the end of <body>;
- `runtime_config(name)`: the site configuration a Next.js-style page ships in its state
  blob (navigation tree, feature flags, translations, ad units).

Everything here is the same on every page of the outlet and deterministic (no clock, fixed
seeds), built once by `demoweb.realistic`. The scripts only define things and act on user
events: they fetch nothing, and no page references another host.
"""

# ruff: noqa: E501 - JS, CSS and HTML templates read better unwrapped

from __future__ import annotations

import json
import random
import re
from html import escape

# The mega menu: section -> subsections. Every entry is a link; each section also has its
# own landing page and a few service links.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("World", ("Africa", "Americas", "Asia", "Australia", "Europe", "Middle East", "United Kingdom", "Venezuela",
               "Colombia", "Brazil", "Mexico", "Caribbean", "Canada", "China", "India", "Japan", "Ukraine",
               "Russia", "Israel", "Iran", "Turkey", "Argentina", "Chile", "Peru", "Cuba")),
    ("U.S.", ("Politics", "Congress", "Supreme Court", "White House", "Elections", "Immigration", "Military",
              "Justice", "Economy", "States", "Education", "Guns", "Race", "Religion")),
    ("Politics", ("Campaigns", "Polls", "Fact Check", "Foreign Policy", "National Security", "Senate", "House",
                  "Governors", "Courts", "Analysis", "Newsletters")),
    ("Business", ("Markets", "Economy", "Energy", "Oil", "Shipping", "Trade", "Media", "Retail", "Technology",
                  "Autos", "Aviation", "Banking", "Real Estate", "Small Business", "Personal Finance",
                  "Insurance", "Agriculture", "Logistics", "Work", "Leadership")),
    ("Markets", ("Stocks", "Bonds", "Currencies", "Commodities", "Futures", "Crypto", "ETFs", "Funds",
                 "Earnings", "IPOs", "Emerging Markets", "Rates", "Data Center")),
    ("Technology", ("Artificial Intelligence", "Cybersecurity", "Gadgets", "Social Media", "Startups", "Space",
                    "Telecom", "Semiconductors", "Gaming", "Reviews", "Privacy")),
    ("Science", ("Climate", "Environment", "Oceans", "Weather", "Wildlife", "Physics", "Archaeology",
                 "Astronomy", "Energy Transition", "Research")),
    ("Health", ("Public Health", "Medicine", "Mental Health", "Nutrition", "Fitness", "Drugs", "Coronavirus",
                "Cancer", "Aging", "Parenting")),
    ("Sports", ("Baseball", "Football", "Soccer", "Basketball", "Hockey", "Tennis", "Golf", "Cycling",
                "Motor Racing", "Boxing", "Olympics", "College Sports", "Sailing", "Athletics", "Scores")),
    ("Culture", ("Books", "Movies", "Television", "Music", "Art", "Theater", "Dance", "Design",
                 "Architecture", "Food", "Photography", "Podcasts")),
    ("Opinion", ("Editorials", "Columnists", "Guest Essays", "Letters", "Cartoons", "Debates",
                 "Editorial Board", "Ombudsman")),
    ("Lifestyle", ("Travel", "Style", "Home", "Relationships", "Well", "Cooking", "Wine", "Gardening",
                   "Pets", "Money", "Cars")),
    ("Local", ("Norfolk", "Virginia Beach", "Chesapeake", "Portsmouth", "Hampton", "Newport News",
               "Suffolk", "Williamsburg", "Outer Banks", "Eastern Shore", "Traffic", "Schools", "Crime",
               "Obituaries", "Real Estate", "Weather")),
    ("Coast", ("Port of Virginia", "Navy", "Fisheries", "Tides", "Hurricanes", "Shipyards", "Ferries",
               "Coast Guard", "Marinas", "Beaches")),
    ("Video", ("Latest Video", "Explainers", "Documentaries", "Live", "Shorts")),
    ("Podcasts", ("The Morning Tide", "Harbor Talk", "Deep Water", "Market Hour", "The Long Read")),
)
SERVICES = ("Latest", "Most read", "Newsletters", "Live")
FOOTER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Subscribe", ("Home delivery", "Digital subscriptions", "Gift subscriptions", "Group subscriptions",
                   "Education rate", "Manage my account", "Subscription help", "E-edition")),
    ("Services", ("Newsletters", "Alerts", "Podcasts", "Crosswords", "Games", "Weather", "Tide tables",
                  "Obituaries", "Classifieds", "Jobs", "Events", "Store", "Archives", "Reprints")),
    ("Company", ("About the Gazette", "Careers", "Newsroom contacts", "Standards and ethics", "Corrections",
                 "Submit a tip", "Contact us", "Accessibility", "Advertise", "Media kit", "Press releases")),
    ("Legal", ("Terms of service", "Privacy policy", "Cookie settings", "Do not sell my information",
               "Licensing", "Sitemap", "RSS feeds", "Site index")),
    ("Apps", ("iPhone and iPad", "Android", "Smart speakers", "Apple News", "Read offline")),
)
COMPONENTS = (
    "ArticleBody", "ShareBar", "NewsletterSignup", "Carousel", "VideoPlayer", "Paywall", "CommentsLoader",
    "ConsentBanner", "AdSlot", "MegaMenu", "SearchBox", "WeatherWidget", "MarketTicker", "LiveBlogFeed",
    "Gallery", "ImageLightbox", "ReadingProgress", "BookmarkButton", "AudioPlayer", "PodcastPlayer",
    "RelatedRail", "MostRead", "TopicFollow", "AuthorCard", "Breadcrumbs", "Timestamp", "Footer",
    "Toast", "Modal", "LoginWall", "Meter", "StickyHeader", "TideChart", "ElectionMap", "Poll",
    "Quiz", "Correction", "Embed", "PullQuote", "FactBox", "Timeline", "MapEmbed",
)
BUNDLED = 18  # components whose modules are inlined (the others would load on demand)
FEATURE_FLAGS = (
    "paywallMeter", "newsletterInline", "liveBlogPolling", "darkMode", "audioArticles", "commentsV2",
    "readingProgress", "bookmarks", "topicFollow", "personalizedRail", "lazyAds", "prebid", "amazonTam",
    "contextualTargeting", "firstPartyData", "consentV2", "gpp", "webVitals", "errorReporting",
    "serviceWorker", "pushNotifications", "offlineReading", "imageCdnAvif", "videoAutoplay",
    "stickyVideo", "tideWidget", "weatherWidget", "marketTicker", "electionResults", "searchSuggest",
    "giftArticles", "sharePreview", "accessibilityMenu", "fontScaling", "printStyles", "ampLinks",
)
TRANSLATION_KEYS = (
    "menu.open", "menu.close", "menu.search", "menu.sections", "menu.account", "menu.subscribe",
    "article.share", "article.save", "article.saved", "article.gift", "article.print", "article.comments",
    "article.listen", "article.readingTime", "article.updated", "article.published", "article.correction",
    "paywall.title", "paywall.body", "paywall.cta", "paywall.login", "meter.remaining", "meter.last",
    "newsletter.title", "newsletter.body", "newsletter.cta", "newsletter.success", "newsletter.error",
    "consent.title", "consent.body", "consent.accept", "consent.reject", "consent.settings",
    "ads.label", "ads.sponsored", "ads.feedback", "related.title", "mostRead.title", "latest.title",
    "footer.copyright", "footer.backToTop", "search.placeholder", "search.noResults", "errors.generic",
    "errors.offline", "live.newPosts", "live.pinned", "video.play", "video.pause", "video.mute",
)


def slug(text: str) -> str:
    """URL path segment of a section name ("Middle East" -> "middle-east")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace(".", "")).strip("-")


def _e(text: str) -> str:
    return escape(text, quote=True)


def section_paths() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(section label, section path, [(subsection label, path)]) for every section."""
    out = []
    for label, subs in SECTIONS:
        base = f"/{slug(label)}/"
        out.append((label, base, [(sub, f"{base}{slug(sub)}/") for sub in subs]))
    return out


def mega_menu() -> str:
    """The "all sections" drawer inside the masthead: every section, its subsections and
    its service pages, as nested lists of links (about 400 links)."""
    columns = []
    for label, base, subs in section_paths():
        key = slug(label)
        items = "".join(
            f'<li class="mega-menu__item"><a class="mega-menu__link" href="{path}" data-track="nav|{key}|{slug(sub)}">{_e(sub)}</a></li>\n'
            for sub, path in subs)
        services = "".join(
            f'<li class="mega-menu__service"><a href="{base}{slug(s)}/" data-track="nav|{key}|{slug(s)}">{_e(s)}</a></li>'
            for s in SERVICES)
        columns.append(
            f'<div class="mega-menu__column" data-section="{key}">\n'
            f'<h2 class="mega-menu__heading"><a href="{base}" data-track="nav|{key}">{_e(label)}</a></h2>\n'
            f'<ul class="mega-menu__list">\n{items}</ul>\n<ul class="mega-menu__services">{services}</ul>\n</div>\n')
    return (
        '<nav class="mega-menu" id="site-menu" aria-label="All sections" hidden>\n'
        '<div class="mega-menu__top"><form class="mega-menu__search" action="/search" method="get" role="search">'
        '<input type="search" name="q" aria-label="Search the Gazette"><button type="submit">Search</button></form>'
        '<a class="mega-menu__account" href="/account/">My account</a> <a class="mega-menu__subscribe" href="/subscribe/">Subscribe</a></div>\n'
        + "".join(columns) + "</nav>\n")


def footer_directory() -> str:
    """The footer's link directory: the sections again, then services, company, legal, apps."""
    groups = [(label, [(label, base)] + subs[:3]) for label, base, subs in section_paths()]
    groups += [(title, [(name, f"/{slug(title)}/{slug(name)}/") for name in names])
               for title, names in FOOTER_GROUPS]
    columns = "".join(
        f'<div class="footer-directory__group"><h4>{_e(title)}</h4><ul>'
        + "".join(f'<li><a href="{path}" data-track="footer|{slug(title)}|{slug(name)}">{_e(name)}</a></li>' for name, path in links)
        + "</ul></div>\n"
        for title, links in groups)
    return f'<nav class="footer-directory" aria-label="Site index">\n{columns}</nav>\n'


def ad_slot(slot_id: str, position: str, sizes: str, unit: str) -> str:
    """An empty ad container as ad servers expect it (filled by script, never here)."""
    return (f'<div class="ad-slot ad-slot--{position}" id="{slot_id}" data-ad-unit="{unit}" '
            f'data-sizes="{sizes}" data-position="{position}" aria-hidden="true">'
            f'<div class="ad-slot__label">Advertisement</div><div id="{slot_id}-container"></div></div>\n')


_CONSENT_STUB = """<script>
/* consent framework stub: queues calls until the consent manager has loaded */
!function(){"use strict";var e=window,t=document,n="__tcfapiLocator",r=[],o=!1;function a(){if(!e.frames[n]){if(t.body){var r=t.createElement("iframe");r.style.cssText="display:none",r.name=n,t.body.appendChild(r)}else setTimeout(a,5)}}function i(e,t,n,o){if("ping"===e)return void(n&&n({gdprApplies:!1,cmpLoaded:!1,cmpStatus:"stub",displayStatus:"hidden",apiVersion:"2.2",cmpVersion:1,cmpId:0,tcfPolicyVersion:4},!0));if("setGdprApplies"===e)return void(o=!!n);r.push([e,t,n,o])}function s(e){var t="string"==typeof e.data,n={};try{n=t?JSON.parse(e.data):e.data}catch(e){}var r=n&&n.__tcfapiCall;r&&window.__tcfapi(r.command,r.version,function(n,o){var a={__tcfapiReturn:{returnValue:n,success:o,callId:r.callId}};e.source&&e.source.postMessage&&e.source.postMessage(t?JSON.stringify(a):a,"*")},r.parameter)}"function"!=typeof e.__tcfapi&&(a(),e.__tcfapi=i,e.__tcfapi.queue=r,e.__tcfapi.gdprApplies=function(){return o},e.addEventListener("message",s,!1))}();
!function(){"use strict";var e=window;function t(e){return document.cookie.split("; ").filter(function(t){return 0===t.indexOf(e+"=")}).map(function(t){return decodeURIComponent(t.slice(e.length+1))})[0]}e.__gpp=e.__gpp||function(e,n){"ping"===e&&n&&n({gppVersion:"1.1",cmpStatus:"stub",cmpDisplayStatus:"hidden",signalStatus:"not ready",supportedAPIs:["2:tcfeuv2","7:usnat"],cmpId:0,sectionList:[],applicableSections:[-1],gppString:t("gpp")||"",parsedSections:{}},!0)},e.__gpp.queue=[]}();
</script>
"""

_THEME_BOOTSTRAP = """<script>
/* theme and font-size preferences, applied before first paint to avoid a flash */
(function(){try{var d=document.documentElement,s=window.localStorage,t=s.getItem("tg:theme"),f=s.getItem("tg:font-scale"),m=window.matchMedia&&window.matchMedia("(prefers-color-scheme: dark)").matches;d.setAttribute("data-theme",t==="dark"||(t===null&&m)?"dark":"light");if(f&&/^(0\\.9|1|1\\.1|1\\.25|1\\.5)$/.test(f)){d.style.setProperty("--font-scale",f)}d.classList.add("js");if(!("IntersectionObserver"in window)){d.classList.add("no-io")}if(navigator.connection&&navigator.connection.saveData){d.classList.add("save-data")}}catch(e){document.documentElement.classList.add("js")}})();
window.performance&&performance.mark&&performance.mark("tg:head-start");
</script>
"""


def _analytics_config(name: str) -> str:
    config = {
        "site": {"name": name, "id": "tidewater-gazette", "environment": "production", "platform": "web",
                 "release": "2025.12.4-7f3c2a1", "timezone": "America/New_York"},
        "collectors": [
            {"name": "pageview", "endpoint": "/collect/pv", "sample": 1.0, "batch": False},
            {"name": "engagement", "endpoint": "/collect/eng", "sample": 1.0, "batch": True, "heartbeat": [5, 15, 30, 60, 120]},
            {"name": "scroll", "endpoint": "/collect/scroll", "sample": 0.5, "thresholds": [10, 25, 50, 75, 90, 100]},
            {"name": "vitals", "endpoint": "/collect/vitals", "sample": 0.1, "metrics": ["LCP", "INP", "CLS", "TTFB", "FCP"]},
            {"name": "errors", "endpoint": "/collect/err", "sample": 0.25, "ignore": ["ResizeObserver loop", "Script error.", "AbortError"]},
        ],
        "events": {slug(c): {"category": "component", "label": c, "track": ["view", "click"]} for c in COMPONENTS},
        "consentPurposes": {"analytics": [1, 7, 8, 9, 10], "ads": [1, 2, 3, 4, 7], "personalisation": [1, 5, 6]},
    }
    return (
        "<script>\n/* analytics loader configuration; the collectors start after consent */\n"
        f"window.__TG_ANALYTICS__={json.dumps(config, separators=(',', ':'))};\n"
        '(function(w,d){var q=w.tgq=w.tgq||[];w.tg=w.tg||function(){q.push(arguments)};w.tg("init",w.__TG_ANALYTICS__.site);'
        'd.addEventListener("visibilitychange",function(){d.visibilityState==="hidden"&&w.tg("flush")},{passive:!0});'
        'w.addEventListener("pagehide",function(){w.tg("flush")},{passive:!0})})(window,document);\n'
        "</script>\n")


def _critical_css() -> str:
    rules = [
        ".mega-menu{position:fixed;inset:0 auto 0 0;width:min(100vw,960px);overflow-y:auto;background:var(--menu-bg,#fff);z-index:1000;display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:16px;padding:24px}",
        ".mega-menu[hidden]{display:none}.mega-menu__heading{font:700 15px/1.2 var(--font-sans,Helvetica,Arial,sans-serif);margin:0 0 8px}",
        ".mega-menu__list,.mega-menu__services{list-style:none;margin:0;padding:0}.mega-menu__link{display:block;padding:3px 0;font-size:14px;color:inherit;text-decoration:none}",
        ".ad-slot{display:flex;flex-direction:column;align-items:center;justify-content:center;margin:16px auto;background:#f4f4f4}",
        ".ad-slot--leaderboard{min-height:90px;max-width:970px}.ad-slot--rail{min-height:600px;width:300px}.ad-slot--footer{min-height:250px}",
        ".ad-slot__label{font:11px/1 var(--font-sans,Arial,sans-serif);letter-spacing:.08em;text-transform:uppercase;color:#767676;padding:4px}",
        ".related-coverage ol,.most-read-rail ol{list-style:none;padding:0;display:grid;gap:16px}.related-coverage img{width:100%;height:auto;aspect-ratio:16/9}",
        ".footer-directory{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;font-size:13px}",
        "[data-theme=dark]{--menu-bg:#111;color-scheme:dark}html.js .no-js-only{display:none}",
    ]
    for i, component in enumerate(COMPONENTS):
        name = slug(component)
        rules.append(f".c-{name}{{position:relative;margin:{8 + i % 4 * 4}px 0;contain:layout style}}"
                     f".c-{name}__title{{font:700 {16 + i % 3}px/1.25 var(--font-sans,Arial,sans-serif)}}"
                     f".c-{name}--ready{{opacity:1;transition:opacity .2s ease-in}}")
    return '<style id="critical-css">\n' + "\n".join(rules) + "\n</style>\n"


def head_scripts(name: str) -> str:
    """Inline <head> furniture: critical CSS, consent stub, theme bootstrap, analytics config."""
    return _critical_css() + _CONSENT_STUB + _THEME_BOOTSTRAP + _analytics_config(name)


_MODULE_TEMPLATES = (
    '{id}:function(e,t,n){{"use strict";n.d(t,{{Z:function(){{return s}}}});var r=n({r1}),o=n({r2}),a=n({r3}),i=n.n(a);'
    'function s(e){{var t=e.items,n=void 0===t?[]:t,s=e.title,c=(0,r.useState)(!1),l=c[0],u=c[1];(0,r.useEffect)(function(){{if(!l){{var e=window.setTimeout(function(){{u(!0)}},{delay});return function(){{window.clearTimeout(e)}}}}}},[l]);'
    'return(0,o.jsxs)("section",{{className:i()("c-{css}",l&&"c-{css}--ready"),"data-component":"{name}",children:[s&&(0,o.jsx)("h3",{{className:"c-{css}__title",children:s}}),'
    'n.map(function(e){{return(0,o.jsx)("a",{{href:e.url,className:"c-{css}__item","data-track":"{css}|"+e.id,children:e.headline}},e.id)}})]}})}}s.displayName="{name}"}}',
    '{id}:function(e,t,n){{"use strict";n.r(t),n.d(t,{{default:function(){{return f}}}});var r=n({r1}),o=n({r2}),a=n({r3});'
    'function c(e,t){{var n=Object.keys(e);if(Object.getOwnPropertySymbols){{var r=Object.getOwnPropertySymbols(e);t&&(r=r.filter(function(t){{return Object.getOwnPropertyDescriptor(e,t).enumerable}})),n.push.apply(n,r)}}return n}}'
    'function u(e){{for(var t=1;t<arguments.length;t++){{var n=null!=arguments[t]?arguments[t]:{{}};t%2?c(Object(n),!0).forEach(function(t){{(0,a.Z)(e,t,n[t])}}):Object.defineProperties?Object.defineProperties(e,Object.getOwnPropertyDescriptors(n)):c(Object(n)).forEach(function(t){{Object.defineProperty(e,t,Object.getOwnPropertyDescriptor(n,t))}})}}return e}}'
    'var f=function(e){{var t=(0,r.useContext)(o.SiteContext),n=(0,r.useMemo)(function(){{return u(u({{}},e),{{}},{{locale:t.locale,flags:t.flags}})}},[e,t]);'
    'return t.flags&&t.flags.{flag}?(0,o.jsx)("div",u(u({{className:"c-{css}"}},n),{{}},{{"data-component":"{name}"}})):null}}}}',
    '{id}:function(e,t,n){{"use strict";n.d(t,{{a:function(){{return l}},b:function(){{return d}}}});var r=n({r1}),o=n({r2});'
    'var i={{threshold:[0,.25,.5,.75,1],rootMargin:"{margin}px 0px"}},s=new WeakMap;function l(e,t){{if("undefined"==typeof IntersectionObserver)return t(!0),function(){{}};'
    'var n=s.get(t);return n||(n=new IntersectionObserver(function(e){{e.forEach(function(e){{e.isIntersecting&&e.intersectionRatio>={ratio}&&t(!0,e)}})}},i),s.set(t,n)),n.observe(e),function(){{n.unobserve(e)}}}}'
    'function d(e){{var t=(0,r.useRef)(null),n=(0,r.useState)(!1),a=n[0],c=n[1];return(0,r.useEffect)(function(){{if(t.current)return l(t.current,function(e){{c(e)}})}},[]),'
    '(0,o.jsx)("div",{{ref:t,className:"c-{css}","data-component":"{name}","data-visible":a?"1":"0",children:a?e.children:null}})}}}}',
)


def bundle_scripts() -> str:
    """A bundler's inline chunks (modules of the first BUNDLED components, minified) and the
    hydration bootstrap that would start them. Deterministic: module ids come from a
    fixed-seed generator."""
    rng = random.Random("demoweb-bundle")
    chunks = []
    for chunk_no in range(3):
        modules = []
        for k, component in enumerate(COMPONENTS[:BUNDLED][chunk_no::3]):
            template = _MODULE_TEMPLATES[(chunk_no + k) % len(_MODULE_TEMPLATES)]
            modules.append(template.format(
                id=rng.randrange(1000, 99999), r1=rng.randrange(1000, 99999), r2=rng.randrange(1000, 99999),
                r3=rng.randrange(1000, 99999), css=slug(component), name=component,
                delay=rng.choice((100, 150, 250, 400)), flag=rng.choice(FEATURE_FLAGS),
                margin=rng.choice((200, 400, 600, 800)), ratio=rng.choice((".1", ".25", ".5"))))
        chunk_id = rng.randrange(100, 999)
        chunks.append(f'<script>(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[{chunk_id}],{{'
                      + ",".join(modules) + "}]);</script>\n")
    bootstrap = (
        "<script>\n/* hydration bootstrap: starts the page's components once the runtime has loaded */\n"
        '(function(){var w=window,d=document;w.__TG_BOOT__={start:Date.now(),components:' + json.dumps(list(COMPONENTS), separators=(",", ":")) + '};'
        'function ready(f){d.readyState!=="loading"?f():d.addEventListener("DOMContentLoaded",f)}'
        'ready(function(){var m=d.getElementById("site-menu"),b=d.querySelector("[data-menu-toggle]");'
        'b&&m&&b.addEventListener("click",function(){m.hidden=!m.hidden;b.setAttribute("aria-expanded",String(!m.hidden))});'
        'w.performance&&performance.mark&&performance.mark("tg:ready")})})();\n'
        "</script>\n")
    return "".join(chunks) + bootstrap


def runtime_config(name: str) -> dict[str, object]:
    """The site configuration a Next.js-style page ships in its state blob."""
    return {
        "siteName": name,
        "locale": "en-US",
        "navigation": [
            {"label": label, "href": base, "id": slug(label),
             "children": [{"label": sub, "href": path, "id": f"{slug(label)}-{slug(sub)}"} for sub, path in subs]}
            for label, base, subs in section_paths()],
        "footer": [{"title": title, "links": [{"label": n, "href": f"/{slug(title)}/{slug(n)}/"} for n in names]}
                   for title, names in FOOTER_GROUPS],
        "featureFlags": {flag: {"enabled": i % 3 != 0, "rollout": (i * 37) % 101, "variant": "control" if i % 2 else "test"}
                         for i, flag in enumerate(FEATURE_FLAGS)},
        "i18n": {key: f"{key.split('.')[-1].replace('readingTime', 'min read').capitalize()}" for key in TRANSLATION_KEYS},
        "adUnits": {f"{slug(label)}/{kind}": {"path": f"/21815542/tidewater/{slug(label)}/{kind}",
                                             "sizes": [[300, 250], [300, 600]] if kind == "rail" else [[728, 90], [970, 250]],
                                             "lazy": kind != "leaderboard", "refresh": 30 if kind == "rail" else 0}
                    for label, _ in SECTIONS for kind in ("leaderboard", "rail", "footer")},
        "paywall": {"meterLimit": 5, "meterPeriodDays": 30, "exemptReferrers": ["search", "social"],
                    "registrationWall": 2, "offers": [{"id": f"offer-{k}", "price": 1 + k, "term": "month"} for k in range(4)]},
        "images": {"cdn": "/img/", "widths": [320, 480, 640, 768, 960, 1280, 1600, 1920], "formats": ["avif", "webp", "jpeg"]},
    }
