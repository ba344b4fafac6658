"""The Meridian Wire story on the dock strike and its three lightly edited republications.

The edits are spelled out here, by hand, and repeated as labels in `demoweb.catalog`
(`edits`), so the dedup stage's near-duplicate tier has a known answer.
"""

# ruff: noqa: E501

from __future__ import annotations

from demoweb.article import Article, edited_copy

WIRE_CLUSTER = "wire-dock-strike"

WIRE_ORIGINAL = Article(
    id="m-wire",
    title="US drone strike hit Venezuelan dock used by drug boats, official says",
    authors=("Daniel Okafor", "Lucía Ferrer"),
    byline="By Daniel Okafor and Lucía Ferrer",
    description="A CIA drone struck a dock on Venezuela's northern coast, a US official said, the first known American attack on Venezuelan soil in the campaign against alleged drug traffickers.",
    caption="A US Navy destroyer patrols the southern Caribbean in November. (Meridian Wire/File)",
    section="Americas",
    keywords=("Venezuela", "CIA", "dock", "strike", "Maduro", "Tren de Aragua", "Caribbean"),
    body=(
        "WASHINGTON (Meridian Wire) — A CIA drone struck a dock on Venezuela's northern coast last week, a US government official said on Tuesday, the first known American attack on Venezuelan soil since the Trump administration began its military campaign against alleged drug traffickers in the Caribbean in September.",
        "The official, who spoke on condition of anonymity because the operation remains classified, said the dock was used by members of the Tren de Aragua gang to load boats with cocaine bound for the eastern Caribbean. No one was on the dock at the time of the strike and nobody was killed, the official said.",
        "President Donald Trump first alluded to the attack during a radio interview on Friday, saying the United States had knocked out a facility where the boats come from, and he repeated the claim at a news conference at his Florida residence on Monday. He declined to say which agency had carried it out or exactly where it had taken place.",
        "\"We hit them very hard. There was a major explosion in the dock area where they load the boats with drugs,\" Trump told reporters. Asked whether the CIA had been involved, he said: \"I don't want to say who did it, but it was very effective, and they know it.\"",
        "The Venezuelan government did not immediately respond to a request for comment. Officials in Caracas have previously described the US military buildup in the Caribbean as a pretext for toppling President Nicolás Maduro, whom Washington accuses of leading a drug trafficking organization, a charge he denies.",
        "Since early September, US forces have carried out some 30 strikes on vessels the administration says were smuggling drugs in the Caribbean Sea and the eastern Pacific, killing at least 107 people. The administration has not made public any evidence that the boats were carrying drugs or that those aboard posed a threat to the United States.",
        "The dock strike marks a shift from attacks at sea to a target on land, something Trump had repeatedly threatened in recent weeks. Legal scholars said the move widens the questions already raised by the boat campaign, which Congress has not authorized and which several Democratic and Republican senators have openly questioned.",
        "\"Moving from boats to a facility on Venezuelan territory is a significant escalation, whatever the size of the target,\" said Rebecca Lindqvist, a former State Department lawyer who teaches at Georgetown University. \"It is an act of force against another state, and the legal justification offered so far does not cover it.\"",
        "The CIA declined to comment. A White House spokesperson referred questions to the president's earlier remarks and said the administration would continue to use every tool available to stop the flow of deadly drugs into the country, without addressing the dock directly.",
    ),
)

# The Harbor Ledger: new headline, words changed in paragraph 0, a sentence added to
# paragraph 4, and a "With reporting by" credit line after the body.
HARBOR_COPY = edited_copy(
    WIRE_ORIGINAL,
    id="h-wire",
    title="CIA drone hit a Venezuelan dock in first US strike on land, official says",
    authors=("Daniel Okafor", "Lucía Ferrer"),
    byline="By Daniel Okafor and Lucía Ferrer, Meridian Wire",
    description="The first known American attack on Venezuelan soil targeted a dock used by drug boats, according to a US official.",
    replace={0: [("a US government official said on Tuesday", "a US official told Meridian Wire on Tuesday"),
                 ("last week", "in the final days of December")]},
    add_sentence={4: "Venezuela's foreign minister last month called the naval deployment the gravest threat to the country's sovereignty in a generation."},
    tail=("With reporting by Sarah Pell in Miami.",),
    caption="Boats moored at a fishing dock near Puerto Cabello, Venezuela. (Meridian Wire/File)",
)

# The Capital Courier: new headline, staff byline with a wire credit, the second sentence
# of paragraph 5 cut, words changed in paragraph 2.
CAPITAL_COPY = edited_copy(
    WIRE_ORIGINAL,
    id="c-wire",
    title="Trump confirms strike on Venezuelan dock; official says CIA carried it out",
    authors=("Joanna Reyes",),
    byline="By Joanna Reyes",
    description="President Trump had hinted at the attack for days. A US official now says the CIA struck a dock used by Tren de Aragua.",
    replace={2: [("during a radio interview on Friday", "in a radio interview late last week"),
                 ("at his Florida residence on Monday", "in Palm Beach on Monday")]},
    cut_sentence={5: "The administration has not made public any evidence that the boats were carrying drugs or that those aboard posed a threat to the United States."},
    tail=("Meridian Wire contributed to this report.",),
    section="Politics",
)

# Atlantic Broadcast News: new headline, byline swapped to the desk, a sentence added to
# paragraph 1, words changed in paragraph 6, and the last paragraph (the CIA's no comment) cut.
ATLANTIC_COPY = edited_copy(
    WIRE_ORIGINAL,
    id="a-wire",
    title="US strike on Venezuela dock was a CIA operation, official says",
    authors=("ABN News Desk",),
    byline="ABN News Desk with Meridian Wire",
    description="An American official says the CIA was behind a drone strike on a dock on Venezuela's coast.",
    add_sentence={1: "The official did not say how large the facility was or how long it had been under surveillance."},
    replace={6: [("something Trump had repeatedly threatened in recent weeks", "a step the president had threatened for weeks"),
                 ("openly questioned", "challenged in hearings")]},
    drop=(8,),
    caption="President Trump speaks to reporters in Palm Beach on Monday. (ABN)",
)

WIRE_ARTICLES = (WIRE_ORIGINAL, HARBOR_COPY, CAPITAL_COPY, ATLANTIC_COPY)
