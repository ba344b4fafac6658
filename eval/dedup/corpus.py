"""Hand-written news prose the evaluation pairs are built from (see make_pairs.py).

PARAGRAPHS: distinct paragraphs, several per story, 12 to 80 words, written in wire style
(plus the 8 distinct paragraphs of the shared fixture text, read at build time).
QUOTES: one quote each, set inside two or three different paragraphs that share nothing
else: pairs of those must NOT be collapsed.
"""

PARAGRAPHS = [
    # port strike / labour
    "Dockworkers at the country's largest container port walked off the job on Monday, "
    "halting the loading of ships and leaving dozens of vessels waiting at anchor outside "
    "the harbour, union leaders said.",
    "The union is demanding a 12% pay rise over two years and limits on the automation of "
    "cranes, which it says threatens hundreds of jobs. Port operators have offered 6% and "
    "a review of staffing levels.",
    "Shipping companies warned that a prolonged stoppage would disrupt supply chains ahead "
    "of the holiday season, when retailers typically import the bulk of their stock.",
    "The labour ministry called both sides to talks on Wednesday morning and urged them to "
    "reach an agreement before the end of the week.",
    "Trucks queued for several kilometres along the coastal highway as drivers waited to "
    "collect containers that had been unloaded before the strike began.",
    "A spokeswoman for the port authority said emergency cargo, including medicines and "
    "fuel, would continue to be handled by a skeleton crew of supervisors.",
    # elections
    "Voters in the northern province went to the polls on Sunday in a regional election "
    "seen as a test of the governing coalition's popularity ahead of next year's national vote.",
    "Turnout was lower than in the previous election, officials said, with long queues "
    "reported only in the provincial capital and a handful of university towns.",
    "The opposition candidate, a former mayor who campaigned on housing costs and public "
    "transport, led in early results but conceded that rural districts had yet to report.",
    "Election observers said the vote had been largely orderly, although they noted delays "
    "in the delivery of ballot papers to several mountain villages.",
    "Preliminary results are expected late on Monday, and a final count could take until "
    "the end of the week if postal ballots are as numerous as forecast.",
    # weather
    "Heavy rain caused rivers to burst their banks across the south of the country "
    "overnight, forcing the evacuation of several villages and closing the main rail line "
    "between the two largest cities.",
    "Emergency services rescued residents stranded on rooftops using boats and helicopters, "
    "and schools in the affected districts were closed until further notice.",
    "Forecasters said the rain would ease by Thursday but warned that water levels could "
    "keep rising downstream for several days as run-off from the hills reached the plains.",
    "Farmers said the floods had destroyed crops that were due to be harvested within weeks, "
    "and called on the government to speed up compensation payments.",
    # health
    "Hospitals in the capital reported a sharp rise in admissions for respiratory "
    "infections this month, with paediatric wards running close to full capacity.",
    "Health officials urged older people and those with chronic conditions to get "
    "vaccinated and to stay at home if they develop symptoms.",
    "The ministry said it would open temporary clinics in shopping centres and train "
    "stations to make vaccination easier for people who work during the day.",
    # tech / business
    "The company said it would cut about 4% of its workforce as part of a restructuring "
    "aimed at reducing costs and focusing on its cloud computing business.",
    "Shares in the group fell sharply in early trading after it lowered its revenue "
    "forecast for the full year, citing weaker demand from corporate customers.",
    "Analysts said the job cuts had been widely expected but questioned whether they would "
    "be enough to restore growth in a market where competition is intensifying.",
    "The regulator opened an investigation into the proposed merger, saying it could lead "
    "to higher prices for consumers and less choice in the market for mobile services.",
    # Venezuela story, written for this set (different wording from the fixture)
    "Venezuela's foreign minister denounced the strike as an act of aggression and said the "
    "government would take the matter to the United Nations Security Council.",
    "Satellite images reviewed by independent analysts showed scorch marks and a collapsed "
    "warehouse roof at the dock, but no damage to nearby fishing boats.",
    "Residents of the coastal town said they were woken before dawn by a loud explosion "
    "and saw smoke rising from the port area for several hours afterwards.",
    "Members of Congress from both parties demanded a briefing on the operation, arguing "
    "that the administration had not sought authorization for military action in Venezuela.",
    "Oil prices rose slightly on news of the strike, as traders weighed the risk of "
    "disruption to exports from one of the world's largest crude reserves.",
    "Neighbouring countries called for restraint, and the regional bloc said it would hold "
    "an emergency meeting of foreign ministers later in the week.",
    # paragraphs with figures (number-change pairs come from these)
    "At least 27 people were killed and 140 injured when a passenger train derailed near the "
    "border town late on Saturday, the transport ministry said.",
    "The government said it would spend 3.5 billion euros over five years on flood defences, "
    "including 120 kilometres of new embankments along the main rivers.",
    "The airline carried 14.2 million passengers in the third quarter, up 8% from a year "
    "earlier, and said it expected to add 12 new routes next summer.",
    "Rescue teams have pulled 36 survivors from the rubble since Tuesday, but officials said "
    "about 200 people were still unaccounted for in the two worst-hit districts.",
    "The bill passed by 312 votes to 287 after a debate that lasted more than nine hours, "
    "and will now go to the upper house for approval.",
    "Prices of fresh vegetables have risen by 23% since January, according to the farmers' "
    "association, which blamed the drought and higher transport costs.",
    "The US military has carried out 30 strikes on boats in the Caribbean and the Pacific "
    "since September, killing at least 107 people, according to official figures.",
    "Police said 4,500 officers would be deployed in the capital for the summit on 14 and 15 "
    "November, and that 18 streets around the conference centre would be closed.",
    "The company reported a net profit of 2.1 billion dollars for the year, compared with 1.7 "
    "billion a year earlier, and raised its dividend by 10 cents a share.",
    "Some 2,300 flights were cancelled across Europe on Friday as air traffic controllers in "
    "three countries walked out for 24 hours over pensions.",
    # short, one-sentence wire paragraphs
    "The White House did not immediately respond to a request for comment.",
    "Police said the suspect had been taken into custody and would appear in court on Friday.",
    "The central bank is expected to keep interest rates unchanged at its meeting next month.",
    "No injuries were reported, and the cause of the fire is under investigation.",
]

# Each quote appears in 2-3 paragraphs that are otherwise unrelated. Different articles
# quoting the same official are not copies of each other.
QUOTES = [
    ("\"We hit them very hard at the dock where they load the boats,\"", [
        "{q} the president told reporters aboard Air Force One on Friday, without giving "
        "details of who carried out the operation or when it took place.",
        "Asked about the explosion at a campaign rally in Pennsylvania, the president said: "
        "{q} The crowd cheered, and he moved on to talk about the economy and tariffs.",
        "Critics in Caracas pointed to a remark made days earlier, {q} as proof that the "
        "attack had been planned in Washington long before it was carried out.",
    ]),
    ("\"There is no military solution to this crisis,\"", [
        "{q} the UN secretary-general said in a statement, calling on all parties to respect "
        "international law and to protect civilians in the area.",
        "Diplomats at the emergency session repeated the line that {q} but several delegations "
        "refused to condemn the strike by name, exposing divisions in the council.",
    ]),
    ("\"We will not accept a deal that puts our members' jobs at risk,\"", [
        "{q} the union's general secretary told a rally outside the port gates on Monday, "
        "as workers waved flags and blocked the main entrance.",
        "In a letter to the labour ministry, the union wrote: {q} adding that it was ready to "
        "resume talks as soon as the employers withdrew their plans for automation.",
    ]),
    ("\"The water came up so fast that we had no time to save anything,\"", [
        "{q} said a farmer whose house was flooded to the ceiling, standing in the mud with "
        "his two children while volunteers handed out blankets.",
        "Television footage showed an elderly woman being carried to a boat. {q} she told the "
        "reporter, adding that her family had lived in the village for four generations.",
    ]),
    ("\"This is a difficult but necessary decision for the future of the company,\"", [
        "{q} the chief executive wrote in a memo to staff, saying that affected employees "
        "would be informed within the next two weeks.",
        "Union representatives dismissed the argument that {q} pointing out that the group "
        "had paid record dividends to shareholders only a year ago.",
    ]),
    ("\"Our hospitals are under enormous pressure and we need everyone to do their part,\"", [
        "{q} the health minister said at a news conference, announcing an extra budget for "
        "temporary staff and the opening of new vaccination centres.",
        "Nurses interviewed outside the children's hospital said they had heard it before: "
        "{q} one of them recalled, but the extra staff promised last winter never arrived.",
    ]),
    ("\"The people have spoken, and we will respect their decision,\"", [
        "{q} the governing coalition's candidate said in a brief speech to supporters late on "
        "Sunday, stopping short of conceding defeat.",
        "At the opposition's headquarters, the former mayor told cheering activists: {q} "
        "before promising to cut rents and build new tram lines within two years.",
    ]),
    ("\"We are monitoring the situation closely and are in contact with our partners,\"", [
        "{q} a spokesman for the foreign ministry said, declining to say whether the "
        "government had been informed of the operation in advance.",
        "Oil traders said they had taken little comfort from the statement that {q} and "
        "prices continued to climb in Asian trading on Monday morning.",
    ]),
    ("\"It is too early to say what caused the collapse,\"", [
        "{q} the fire chief said, adding that engineers would inspect the remaining "
        "structure before investigators were allowed inside the warehouse.",
        "Relatives of the missing workers gathered at the gates, angry at being told that "
        "{q} and demanding to know why safety warnings had been ignored for months.",
    ]),
    ("\"Every vote will be counted, however long it takes,\"", [
        "{q} the head of the electoral commission said on Monday, as postal ballots "
        "continued to arrive at counting centres across the province.",
        "The opposition accused officials of dragging their feet, saying the promise that "
        "{q} was no excuse for publishing no results from rural districts for two days.",
    ]),
    ("\"We did everything we could to warn residents in time,\"", [
        "{q} the regional governor said as he toured the flooded districts by helicopter, "
        "rejecting criticism that sirens had sounded too late.",
        "Residents who lost their homes said they had received no text message and no visit "
        "from the police, despite the governor's claim that {q}",
    ]),
    ("\"The market is sending a clear signal about the risks ahead,\"", [
        "{q} said the chief economist at a large investment bank, pointing to the rise in "
        "long-term borrowing costs over the past month.",
        "Shares of shipping companies fell for a third day. {q} one fund manager told "
        "clients in a note, recommending they reduce exposure to the sector.",
    ]),
]

# Templated briefs: same template, different figures; each pair is DIFFERENT news.
BRIEF_TEMPLATES = [
    "Stocks {dir} {pct}% on {day} as investors weighed the latest inflation figures and "
    "comments from central bank officials about the path of interest rates.",
    "The national unemployment rate {dir2} to {rate}% in {month}, the statistics office said, "
    "with {jobs} jobs added in construction and retail during the month.",
    "A magnitude {mag} earthquake struck off the coast at {time} local time on {day}, the "
    "geological survey said, and no tsunami warning was issued.",
    "The team won {score} at home on {day}, moving to {points} points and {pos} in the table "
    "with {left} matches left to play this season.",
    "Inflation {dir2} to {rate}% in {month} from a year earlier, driven by higher food and "
    "energy prices, according to figures published on {day}.",
]

# Two outlets reporting the same fact in their own words: independent reporting, not
# syndication. Phrases overlap (names, stock phrases), the paragraphs are DIFFERENT.
PARAPHRASES = [
    ("No injuries were reported, and the cause of the fire is under investigation.",
     "No injuries were reported in the blaze, whose cause is still under investigation by "
     "the fire service."),
    ("The White House did not immediately respond to a request for comment.",
     "A request for comment sent to the White House on Sunday did not receive an immediate "
     "response."),
    ("Dockworkers at the country's largest container port walked off the job on Monday, "
     "halting the loading of ships and leaving dozens of vessels waiting at anchor outside "
     "the harbour, union leaders said.",
     "Union leaders said dockworkers walked off the job on Monday at the largest container "
     "port in the country, and dozens of vessels were left waiting outside the harbour."),
    ("Voters in the northern province went to the polls on Sunday in a regional election "
     "seen as a test of the governing coalition's popularity ahead of next year's national vote.",
     "The regional election in the northern province on Sunday is seen as a test for the "
     "governing coalition before next year's national vote, analysts said."),
    ("Heavy rain caused rivers to burst their banks across the south of the country "
     "overnight, forcing the evacuation of several villages and closing the main rail line "
     "between the two largest cities.",
     "Several villages in the south of the country were evacuated overnight after heavy rain "
     "caused rivers to burst their banks, and the main rail line was closed."),
    ("The company said it would cut about 4% of its workforce as part of a restructuring "
     "aimed at reducing costs and focusing on its cloud computing business.",
     "About 4% of the workforce will be cut in a restructuring that aims to reduce costs, "
     "the company said, as it focuses on its cloud computing business."),
    ("Venezuela's foreign minister denounced the strike as an act of aggression and said the "
     "government would take the matter to the United Nations Security Council.",
     "The government in Caracas will take the matter to the United Nations Security Council, "
     "Venezuela's foreign minister said, calling the strike an act of aggression."),
    ("Members of Congress from both parties demanded a briefing on the operation, arguing "
     "that the administration had not sought authorization for military action in Venezuela.",
     "Lawmakers from both parties in Congress said the administration had not sought "
     "authorization for the operation in Venezuela and demanded a briefing."),
    ("Health officials urged older people and those with chronic conditions to get "
     "vaccinated and to stay at home if they develop symptoms.",
     "Older people and those with chronic conditions should get vaccinated and stay at home "
     "if they develop symptoms, health officials said on Tuesday."),
    ("Police said the suspect had been taken into custody and would appear in court on Friday.",
     "The suspect was taken into custody, police said, and is due to appear in court on Friday."),
    ("Shares in the group fell sharply in early trading after it lowered its revenue "
     "forecast for the full year, citing weaker demand from corporate customers.",
     "The group lowered its full-year revenue forecast, citing weaker demand from corporate "
     "customers, and its shares fell sharply in early trading."),
    ("Residents of the coastal town said they were woken before dawn by a loud explosion "
     "and saw smoke rising from the port area for several hours afterwards.",
     "A loud explosion woke residents of the coastal town before dawn, and smoke could be "
     "seen rising from the port area for several hours, they said."),
]
