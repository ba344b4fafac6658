"""Synthetic but realistic follow-up coverage of the dock strike, for the benchmark.

`GeneratedSite(n, seed)` describes n article pages of the Tidewater Gazette. Article i is a
pure function of (seed, i): its own `random.Random` draws the headline, date, byline and
6-8 paragraphs from sentence templates and a vocabulary of places, people and subjects.
Every article mentions Venezuela and the strike, so the demo story's relevance keeps it.
"""

# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from demoweb.article import Article

WINDOW_START = dt.datetime(2026, 1, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
WINDOW_DAYS = 30  # generated articles are dated 2026-01-01 .. 2026-01-30, inside the story window
SITEMAP_CHILD_SIZE = 1000  # URLs per child sitemap (the sitemap index lists the children)

PLACES = ("Puerto Cabello", "La Guaira", "Punto Fijo", "Cumaná", "Carúpano", "Güiria", "Maracaibo",
          "Coro", "Puerto La Cruz", "Tucacas", "Chichiriviche", "Río Caribe", "Paraguaná", "Margarita Island")
REGIONS = ("Falcón", "Sucre", "Zulia", "Carabobo", "Anzoátegui", "Nueva Esparta", "Vargas")
OFFICIALS = (
    ("Defense Secretary", "the Pentagon"), ("a senior State Department official", "the State Department"),
    ("Venezuela's interior minister", "Caracas"), ("a spokesperson for the Colombian foreign ministry", "Bogotá"),
    ("the governor of Falcón state", "the regional government"), ("a US Southern Command spokesperson", "Southern Command"),
    ("the chair of the Senate Armed Services Committee", "Congress"), ("a United Nations human rights spokesperson", "Geneva"),
    ("Trinidad and Tobago's prime minister", "Port of Spain"), ("a Brazilian presidential adviser", "Brasília"),
)
PEOPLE = ("Ana Lucía Herrera", "Tom Brandt", "Mariela Quintero", "Samuel Okonkwo", "Irene Castillo", "David Kessler",
          "Yolanda Pérez", "Graham Whitfield", "Rosa Elena Duarte", "Jonah Feld", "Camila Ortega", "Peter Lindgren",
          "Luisa Marcano", "Ethan Cole", "Beatriz Salcedo", "Nikhil Rao")
ROLES = ("a fisherman", "a shipping agent", "a port worker", "a shopkeeper", "a retired naval officer",
         "a local council member", "a boat mechanic", "a schoolteacher", "a priest", "a fuel trader")
SUBJECTS = ("shipping insurance premiums", "fishing permits", "fuel deliveries", "coastal patrols",
            "cargo inspections", "flights to Caracas", "oil tanker schedules", "cross-border trade",
            "humanitarian aid shipments", "ferry services", "port security", "migrant departures")
TITLE_TEMPLATES = (
    "{place} fishermen count the cost after US strike on Venezuelan dock",
    "Insurers raise rates for Caribbean routes after strike on Venezuela dock",
    "What the Venezuela dock strike means for {subject}",
    "{official_cap} defends response to strike on Venezuelan coast",
    "Residents of {place} describe night of the dock strike in Venezuela",
    "Lawmakers press for answers on Venezuela strike as {subject} falter",
    "After the dock strike, Venezuela tightens controls on {subject}",
    "Caribbean neighbors weigh risks after US attack on Venezuelan dock",
    "Venezuela dock strike: {place} port reopens under heavy guard",
    "Analysis: the dock strike and the next phase of US pressure on Venezuela",
    "Satellite images show damage at dock near {place}, Venezuela",
    "{region} officials report disruption to {subject} after strike",
)
LEAD = (
    "Days after a US drone strike hit a dock on Venezuela's northern coast, {subject} around {place} remain disrupted, according to {official} and residents reached by telephone.",
    "The strike on a dock in {region} state, which US officials have attributed to the CIA, continues to reverberate along Venezuela's Caribbean coast, where {subject} have slowed to a trickle.",
    "In {place}, a port town of low houses and busy jetties, the US strike on a Venezuelan dock last month has become the main topic of conversation, and the main worry for anyone who depends on {subject}.",
    "Officials in {capital} said on {weekday} that they were still assessing the consequences of the US strike on a dock in Venezuela, as questions mounted about {subject} and the legal basis for the attack.",
)
CONTEXT = (
    "The strike was the first known US attack on Venezuelan soil since the Trump administration began striking boats it accuses of carrying drugs in September.",
    "A US official has said no one was on the dock when it was hit, a claim that could not be independently verified.",
    "Washington accuses President Nicolás Maduro of running a drug trafficking network, an accusation he rejects as a pretext for regime change.",
    "At least 107 people have been killed in some 30 strikes on vessels in the Caribbean and the eastern Pacific since the campaign began.",
    "The White House has not released images of the site or said how the target was chosen.",
    "The Venezuelan government has given few details about the damage and has not said where exactly the dock was located.",
    "Congress has not authorized military action against Venezuela, and several senators have asked for a classified briefing.",
    "The administration argues that it is in an armed conflict with cartels it has designated as terrorist organizations.",
)
DETAIL = (
    "{person}, {role} in {place}, said that traffic in the harbor had fallen by half in the week after the strike.",
    "Prices for diesel in {region} rose by about a fifth, according to traders, as some suppliers kept their boats in port.",
    "Local radio stations in {place} have broadcast appeals for calm, and the national guard has set up checkpoints on the coastal road.",
    "{person}, {role}, said many families had stopped sending boats out at night for fear of being mistaken for smugglers.",
    "Shipping agents said that at least {number} vessels had changed course to avoid the area in the days after the strike.",
    "Satellite images reviewed by independent analysts show scorched ground and a collapsed section of the jetty near {place}.",
    "Insurance brokers in London said premiums for ships calling at Venezuelan ports had risen sharply since the attack.",
    "The regional government of {region} said {number} fishing cooperatives had asked for emergency assistance.",
    "Officials from {capital} met representatives of the shipping industry to discuss {subject}, according to a statement.",
    "Traffic through the port of {place} resumed on {weekday}, but inspections now take several hours per vessel.",
)
QUOTE = (
    "\"We live from the sea, and now the sea is where the danger comes from,\" said {person}, {role} in {place}.",
    "\"Nobody has explained to us what happens next, or whether this will happen again,\" said {person}, {role}.",
    "\"The legal questions do not go away because nobody was killed this time,\" said {person}, a specialist in international law.",
    "\"Every delay costs money, and in the end it is the people here who pay for it,\" {person}, {role}, told the Gazette.",
    "\"We have asked for guarantees and received none,\" {official} said in a statement on {weekday}.",
    "\"This is not the end of the story, it is the beginning of a new chapter,\" said {person}, who studies Venezuelan politics.",
)
OUTLOOK = (
    "Diplomats in the region expect the issue to dominate the next meeting of Caribbean foreign ministers.",
    "Analysts say further strikes on land targets cannot be ruled out, given the president's repeated threats.",
    "Human rights groups have called for an independent investigation into the strike and the boat campaign.",
    "The Senate is expected to vote on a war powers resolution on Venezuela before the end of the month.",
    "Business groups in {place} said they would ask the government for tax relief if the disruption continued.",
    "Fishermen in {place} said they would return to sea as soon as the navy lifted restrictions on night fishing.",
    "Oil traders are watching for any sign that tanker traffic to Venezuelan terminals will be affected.",
    "Neither the CIA nor the White House responded to questions about whether more operations were planned.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CAPTIONS = (
    "Fishing boats tied up at a dock in {place}, Venezuela. (Tidewater Gazette)",
    "A national guard checkpoint on the coastal road near {place}. (Tidewater Gazette)",
    "The harbor at {place} at dawn. (Tidewater Gazette/File)",
)


def _slugify(text: str) -> str:
    plain = text.lower().translate(str.maketrans("áéíóúüñ", "aeiouun"))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:70].rstrip("-")


@dataclass(frozen=True)
class GeneratedMeta:
    """What listings need about generated article i (cheap: no body)."""

    index: int
    title: str
    path: str
    published: str
    author: str
    description: str


class GeneratedSite:
    """n synthetic articles, deterministic given `seed`."""

    def __init__(self, count: int, seed: int = 2025) -> None:
        if count < 0:
            raise ValueError(f"generated article count must be >= 0, got {count}")
        self.count = count
        self.seed = seed
        self._by_path: dict[str, int] | None = None

    def _rng(self, index: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + index)

    def _fill(self, rng: random.Random, template: str, ctx: dict[str, str]) -> str:
        return template.format(**ctx, number=str(rng.randint(3, 40)))

    def _context(self, rng: random.Random) -> dict[str, str]:
        official, capital = rng.choice(OFFICIALS)
        return {
            "place": rng.choice(PLACES), "region": rng.choice(REGIONS), "official": official,
            "official_cap": official[0].upper() + official[1:], "capital": capital,
            "subject": rng.choice(SUBJECTS), "person": rng.choice(PEOPLE), "role": rng.choice(ROLES),
            "weekday": rng.choice(WEEKDAYS),
        }

    def _head(self, index: int) -> tuple[random.Random, dict[str, str], GeneratedMeta]:
        rng = self._rng(index)
        ctx = self._context(rng)
        title = self._fill(rng, rng.choice(TITLE_TEMPLATES), ctx)
        minutes = rng.randrange(WINDOW_DAYS * 24 * 60)
        published = (WINDOW_START + dt.timedelta(minutes=minutes)).isoformat()
        author = rng.choice(PEOPLE)
        date = published[:10].replace("-", "/")
        path = f"/stories/{date}/{index:05d}-{_slugify(title)}"
        description = self._fill(rng, rng.choice(LEAD), ctx).split(", according")[0]
        return rng, ctx, GeneratedMeta(index, title, path, published, author, description)

    @lru_cache(maxsize=8192)  # noqa: B019 - the site lives as long as the server
    def meta(self, index: int) -> GeneratedMeta:
        """Title, path, date and author of article `index` (0 <= index < count)."""
        if not 0 <= index < self.count:
            raise IndexError(f"generated article {index} out of range 0..{self.count - 1}")
        return self._head(index)[2]

    def article(self, index: int) -> Article:
        """The full article `index`: 6-8 paragraphs of 3-5 sentences each."""
        rng, ctx, meta = self._head(index)
        paragraphs = [self._fill(rng, rng.choice(LEAD), ctx) + " " + self._fill(rng, rng.choice(CONTEXT), ctx)
                      + " " + self._fill(rng, rng.choice(CONTEXT), ctx)]
        pools = (DETAIL, QUOTE, CONTEXT, DETAIL, OUTLOOK, DETAIL, QUOTE, OUTLOOK)
        for pool in pools[: rng.randint(5, 7)]:
            ctx = {**ctx, "place": rng.choice(PLACES), "person": rng.choice(PEOPLE), "role": rng.choice(ROLES)}
            sentences = [self._fill(rng, rng.choice(pool), ctx)]
            sentences += [self._fill(rng, rng.choice(p), ctx) for p in rng.sample((DETAIL, CONTEXT, OUTLOOK), 2)]
            if rng.random() < 0.5:
                sentences.append(self._fill(rng, rng.choice(DETAIL), ctx))
            paragraphs.append(" ".join(dict.fromkeys(sentences)))
        return Article(
            id=f"gen-{index:05d}", title=meta.title, authors=(meta.author,), byline=f"By {meta.author}",
            description=meta.description, body=tuple(paragraphs),
            caption=self._fill(rng, rng.choice(CAPTIONS), ctx), section="Americas",
            keywords=("Venezuela", "strike", "dock"),
        )

    def index_of_path(self, path: str) -> int | None:
        """The article index served at `path`, or None."""
        if self._by_path is None:
            self._by_path = {self.meta(i).path: i for i in range(self.count)}
        return self._by_path.get(path)

    def children(self) -> list[range]:
        """Index ranges of the child sitemaps (at most SITEMAP_CHILD_SIZE URLs each)."""
        return [range(s, min(s + SITEMAP_CHILD_SIZE, self.count)) for s in range(0, self.count, SITEMAP_CHILD_SIZE)]
