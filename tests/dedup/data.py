"""Test articles for the dedup tests: a wire story republished with edits at three outlets,
site boilerplate, and two articles quoting the same official."""

from __future__ import annotations

import copy
from pathlib import Path

from storyarchive.items import ArticleItem, Block, Extraction

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"

WIRE = "127.0.0.1:9101"  # the wire agency
HARBOR = "127.0.0.1:9102"
CAPITAL = "127.0.0.1:9103"
ATLANTIC = "127.0.0.1:9104"


def article(url: str, paragraphs: list[str], published: str | None = None,
            title: str = "", site_name: str | None = None, story: str = "dock-strike") -> ArticleItem:
    blocks = [Block(i, "paragraph", t) for i, t in enumerate(paragraphs)]
    return ArticleItem(
        story=story, url=url, final_url=url, canonical_url=url,
        fetched_at="2025-12-10T12:00:00Z", status=200, content_type="text/html",
        extraction=Extraction(title=title, published=published, site_name=site_name,
                              blocks=blocks))


WIRE_PARAS = [
    "WASHINGTON (Meridian Wire) — A CIA drone struck a dock on Venezuela's northern coast last "
    "week, a US government official said on Tuesday, the first known American attack on "
    "Venezuelan soil since the military campaign against alleged drug traffickers began.",
    "No one was on the dock at the time of the strike and no one was killed, according to the "
    "official, who spoke on condition of anonymity because the operation remains classified.",
    "The official said the dock was used by members of Tren de Aragua, a Venezuelan gang, to "
    "load boats with drugs bound for Caribbean islands and the United States.",
    "President Donald Trump had hinted at the strike in a series of vague remarks over several "
    "days, saying the United States had hit an area where boats load drugs, but he refused to "
    "say whether the CIA was involved.",
    "The US military has carried out 30 strikes on boats in the Caribbean and the Pacific "
    "since September, killing at least 107 people, according to official figures.",
    "Venezuela's government did not respond to requests for comment. President Nicolás Maduro "
    "has accused Washington of seeking to overthrow him and seize the country's oil reserves.",
]

# The Harbor Times: two words changed in paragraph 1, paragraph 3's last clause cut,
# one sentence of its own added as a paragraph.
HARBOR_PARAS = [
    WIRE_PARAS[0],
    "No one was on the pier at the time of the strike and nobody was killed, according to the "
    "official, who spoke on condition of anonymity because the operation remains classified.",
    WIRE_PARAS[2],
    "President Donald Trump had hinted at the strike in a series of vague remarks over several "
    "days, saying the United States had hit an area where boats load drugs.",
    "Dockworkers in Puerto Cabello told the Harbor Times they had heard the explosion from "
    "the other side of the bay and feared further attacks on the port.",
    WIRE_PARAS[4],
    WIRE_PARAS[5],
]

# The Capital Courier: new first sentence wording (3 words), paragraph 5 dropped, an added
# sentence, and a closing credit line.
CAPITAL_PARAS = [
    "WASHINGTON — A CIA drone hit a dock on Venezuela's northern coast last "
    "week, a US official said on Tuesday, the first known American attack on "
    "Venezuelan soil since the military campaign against alleged drug traffickers began.",
    WIRE_PARAS[1],
    WIRE_PARAS[2],
    WIRE_PARAS[3],
    "Lawmakers in the capital said they would demand a classified briefing on the operation "
    "when Congress returns from its recess next week.",
    WIRE_PARAS[4],
]

# The Atlantic Bulletin: one word changed in paragraphs 2 and 5.
ATLANTIC_PARAS = [
    WIRE_PARAS[0],
    WIRE_PARAS[1],
    "The official said the dock was used by members of Tren de Aragua, a Venezuelan criminal "
    "gang, to load boats with drugs bound for Caribbean islands and the United States.",
    WIRE_PARAS[3],
    WIRE_PARAS[4],
    "Venezuela's government did not respond to requests for comment. President Nicolás Maduro "
    "has accused Washington of trying to overthrow him and seize the country's oil reserves.",
]

ADDED = {  # (site, paragraph index) of the sentences an outlet added itself
    (HARBOR, 4), (CAPITAL, 4),
}


def wire_story() -> list[ArticleItem]:
    return [
        article(f"http://{WIRE}/world/cia-dock-strike", WIRE_PARAS, "2025-12-09T10:00:00Z",
                "CIA drone strikes dock in Venezuela, official says", "Meridian Wire"),
        article(f"http://{HARBOR}/news/venezuela-dock", HARBOR_PARAS, "2025-12-09T09:30:00Z",
                "CIA strike hit Venezuelan dock", "The Harbor Times"),
        article(f"http://{CAPITAL}/2025/12/09/cia-venezuela", CAPITAL_PARAS,
                "2025-12-09T12:15:00+01:00", "US official: CIA behind strike", "Capital Courier"),
        article(f"http://{ATLANTIC}/americas/dock-strike", ATLANTIC_PARAS, "2025-12-09T13:00:00Z",
                "Drone strike on Venezuelan dock", "Atlantic Bulletin"),
    ]


BOILERPLATE = ("Sign up for the Harbor Times morning briefing: the day's most important "
               "stories from the port and the region, in your inbox before 7am.")

QUOTE = "\"We hit them very hard at the dock where they load the boats,\""
QUOTE_A = (f"{QUOTE} the president told reporters aboard Air Force One on Friday, without "
           "giving details of who carried out the operation or when it took place.")
QUOTE_B = (f"Critics in Caracas pointed to a remark made days earlier, {QUOTE} as proof that "
           "the attack had been planned in Washington long before it was carried out.")


def harbor_site_articles() -> list[ArticleItem]:
    """Four different Harbor Times articles, each carrying the newsletter box; two of them
    quote the same official inside different paragraphs (at two different outlets)."""
    bodies = [
        ["Port workers in Puerto Cabello voted on Monday to extend their strike for a second "
         "week, union officials said, as talks with the port operator stalled again.", BOILERPLATE],
        ["The city council approved a plan to dredge the inner harbour, a project that has been "
         "delayed for a decade by disputes over funding and environmental permits.", BOILERPLATE,
         QUOTE_A],
        [BOILERPLATE, "Fishermen say catches in the bay have fallen sharply this year, blaming "
         "warmer water and the growing number of container ships crossing their grounds."],
        ["Ferry services to the islands will resume on Saturday after repairs to the main "
         "pier were finished ahead of schedule, the transport department said.", BOILERPLATE],
    ]
    items = [article(f"http://{HARBOR}/local/{i}", b, f"2025-12-0{i + 1}T08:00:00Z")
             for i, b in enumerate(bodies)]
    items.append(article(f"http://{CAPITAL}/opinion/strike", [
        "The strike on the dock was not the first time this administration has acted first and "
        "explained later, and it will not be the last.", QUOTE_B], "2025-12-08T08:00:00Z"))
    return items


def clone(items: list[ArticleItem]) -> list[ArticleItem]:
    return copy.deepcopy(items)


def relations(items: list[ArticleItem]) -> dict[str, list[tuple[str, int | None, str | None,
                                                               float | None]]]:
    """canonical URL -> [(relation, of_block, cluster, similarity)] per block."""
    out = {}
    for it in items:
        assert it.extraction is not None
        out[it.canonical_url] = [(b.relation, b.of_block, b.cluster, b.similarity)
                                 for b in it.extraction.blocks]
    return out


def blocks_of(items: list[ArticleItem], site: str) -> list[Block]:
    (item,) = [i for i in items if site in i.canonical_url]
    assert item.extraction is not None
    return item.extraction.blocks
