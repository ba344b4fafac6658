"""Hand-written articles of the demo news web other than the wire copies: original coverage
of the dock strike (English and Spanish), the doubled fixture page, an out-of-window piece,
off-topic articles and the Venezuelan-baseball hard negative."""

# ruff: noqa: E501

from __future__ import annotations

from demoweb.article import Article
from demoweb.fixture_text import PARAGRAPHS as FIXTURE_PARAGRAPHS

# The same quote, word for word, inside two otherwise different articles (a dedup hard
# negative: the shared sentences must not make the articles near-duplicates).
SHARED_QUOTE = (
    "\"Congress has not authorized a war with Venezuela. If the CIA is now striking targets on land, "
    "the Intelligence Committee needs to hear it from the director, not from a press conference,\""
)
SHARED_QUOTE_SPEAKER = "Senator Tom Whitcombe"

FIXTURE_ARTICLE = Article(
    id="g-fixture",
    title="CIA drone strike on Venezuelan territory marks new escalation against Maduro",
    authors=("Martin Keane",),
    byline="By Martin Keane",
    description="A US port facility used by Tren de Aragua was hit in a CIA drone strike, the first known attack on Venezuelan soil.",
    caption="The coastline near La Guaira, north of Caracas. (Northgate Globe/File)",
    section="World",
    keywords=("Venezuela", "CIA", "drone", "strike", "dock", "Maduro"),
    body=FIXTURE_PARAGRAPHS,
)

CAPITAL_EXPLAINER = Article(
    id="c-explainer",
    title="What we know about the US strike on a Venezuelan dock",
    authors=("Priya Natarajan",),
    byline="By Priya Natarajan",
    description="The target, the legal questions and what comes next after the first known US attack on Venezuelan soil.",
    caption="A satellite image of docks on Venezuela's northern coast, taken in November. (Courier graphic)",
    section="Politics",
    keywords=("Venezuela", "dock", "strike", "CIA", "explainer", "Congress"),
    body=(
        "For nearly a week, President Trump dropped hints that the United States had hit something on land in Venezuela. On Tuesday a US official filled in some of the blanks: a CIA drone struck a dock that the official said was used to load drug boats, and nobody was killed. Here is what is known so far, and what is not.",
        ("h2", "What was hit?"),
        "According to the official, the target was a small dock on Venezuela's northern coast that members of the Tren de Aragua gang used to load speedboats. The official did not give a precise location, and neither the White House nor the Pentagon has released images of the site before or after the strike.",
        ("h2", "Who carried it out?"),
        "The official said the operation was run by the CIA rather than the military, which would place it under the agency's covert action authorities. Those authorities require a presidential finding and notification of the intelligence committees in Congress, but they do not require public acknowledgment of what was done.",
        ("h2", "Is it legal?"),
        "That is the question lawmakers of both parties are now asking. The administration has argued that the boat strikes are lawful because the United States is in an armed conflict with drug cartels it has designated as terrorist organizations. Many international law experts reject that theory, and a strike on the territory of another state raises separate questions under the UN Charter.",
        f"{SHARED_QUOTE} said {SHARED_QUOTE_SPEAKER}, a Kansas Republican who sits on the committee, in a statement that also praised the military's campaign against the boats at sea.",
        ("h2", "What happens next?"),
        "Caracas has not publicly confirmed the strike, and President Nicolás Maduro's government has in the past chosen to play down incidents it could not answer militarily. Analysts say the more important signal is the move from sea to land, which Trump has repeatedly said would come, and which could be followed by strikes on larger targets.",
    ),
)

ATLANTIC_CONGRESS = Article(
    id="a-congress",
    title="Senators demand CIA briefing after strike on Venezuelan dock",
    authors=("Marcus Bell",),
    byline="By Marcus Bell, ABN Capitol Hill correspondent",
    description="Members of the Senate Intelligence Committee want the CIA director to explain the agency's role in an attack on Venezuelan soil.",
    caption="The US Capitol at dusk. (ABN)",
    section="Politics",
    keywords=("Venezuela", "CIA", "Senate", "strike", "dock", "briefing"),
    body=(
        "Senators from both parties on Wednesday demanded that CIA Director John Ratcliffe brief the Senate Intelligence Committee in person on a drone strike that hit a dock in Venezuela, after a US official said the agency carried out the attack.",
        "The request came in a letter signed by six members of the committee, who wrote that they had learned of the strike from the president's public remarks and from news reports rather than through the notification process that covert action normally requires.",
        f"{SHARED_QUOTE} {SHARED_QUOTE_SPEAKER} told ABN outside the Senate chamber, adding that he would not support further operations on land until the committee had seen the legal basis for them.",
        "Democrats went further. Senator Elena Marsh of Oregon said she would force a vote next month on a war powers resolution that would bar the use of funds for hostilities against Venezuela without congressional approval. Similar resolutions on the boat strikes failed narrowly in the autumn.",
        "A CIA spokesperson said the agency keeps the intelligence committees fully and currently informed as the law requires, and declined to comment on any specific operation. The White House said the president has the authority to protect Americans from drug cartels and does not need permission from Congress to do so.",
        "The dock strike, which the official said killed no one, has nonetheless sharpened a debate that had been building for months over the campaign against alleged drug boats in the Caribbean and the Pacific, in which at least 107 people have died since September.",
    ),
)

PRENSA_ATAQUE = Article(
    id="p-ataque",
    title="Un ataque de la CIA contra un muelle en Venezuela abre una nueva fase de la presión de Washington",
    authors=("Carmen Salas",),
    byline="Por Carmen Salas",
    description="Un funcionario estadounidense confirmó que un dron de la CIA atacó un muelle usado por el Tren de Aragua en la costa venezolana.",
    caption="Embarcaciones pesqueras en un muelle de la costa de Falcón, Venezuela. (Archivo La Prensa)",
    section="Internacional",
    keywords=("Venezuela", "ataque", "muelle", "CIA", "Maduro", "Tren de Aragua"),
    body=(
        "Un dron de la CIA atacó la semana pasada un muelle en la costa norte de Venezuela, según confirmó este martes un funcionario del Gobierno de Estados Unidos que pidió no ser identificado. Se trata del primer ataque estadounidense conocido contra territorio venezolano desde que comenzó la campaña militar en el Caribe.",
        "De acuerdo con el funcionario, el muelle era utilizado por integrantes del Tren de Aragua para cargar lanchas con droga. No había personas en el lugar en el momento del ataque y nadie murió, añadió la fuente, que no precisó en qué estado del país se encontraba la instalación.",
        "El presidente Donald Trump había aludido al ataque en varias declaraciones durante los últimos días, en las que afirmó que Estados Unidos había destruido una zona portuaria donde se cargan drogas. Sin embargo, evitó confirmar si la operación había estado a cargo de la agencia de inteligencia.",
        "El Gobierno de Nicolás Maduro no se había pronunciado hasta el cierre de esta edición. Caracas ha denunciado en reiteradas ocasiones que el despliegue naval estadounidense en el Caribe busca un cambio de régimen y no la lucha contra el narcotráfico, como sostiene la Casa Blanca.",
        "Desde septiembre, las fuerzas estadounidenses han atacado una treintena de embarcaciones en el Caribe y en el Pacífico, con un saldo de al menos 107 muertos. Organizaciones de derechos humanos de la región han calificado esas acciones de ejecuciones extrajudiciales y han pedido una investigación independiente.",
        "En Barranquilla y en otras ciudades de la costa colombiana, donde viven miles de migrantes venezolanos, la noticia fue recibida con inquietud. Varios de ellos dijeron a este diario que temen que una escalada del conflicto complique aún más la situación de sus familias al otro lado de la frontera.",
    ),
)

PORTS_2024 = Article(
    id="m-port2024",
    title="Dockworkers' strike slows exports at Venezuela's Puerto Cabello",
    authors=("Lucía Ferrer",),
    byline="By Lucía Ferrer",
    description="A wage dispute at Venezuela's largest port has left container ships waiting at anchor for days.",
    caption="Containers stacked at Puerto Cabello, March 2024. (Meridian Wire)",
    section="Business",
    keywords=("Venezuela", "Puerto Cabello", "port", "strike", "exports"),
    body=(
        "PUERTO CABELLO, Venezuela (Meridian Wire) — A strike by port workers at Puerto Cabello, Venezuela's busiest container terminal, entered its fourth day on Thursday, leaving more than a dozen ships waiting at anchor and slowing shipments of food and medicine into the country.",
        "The dockworkers' union is demanding that wages, which are paid in bolívars, be indexed to the dollar after another year of high inflation eroded their value. Union leaders say a crane operator now earns the equivalent of about 40 dollars a month, plus food bonuses.",
        "The state company that runs the port said in a statement that it had offered a 30 percent raise and accused the union of acting on behalf of opposition politicians, a charge the union rejected. Talks mediated by the labour ministry were scheduled to resume on Friday.",
        "Importers said the stoppage was adding to costs that were already among the highest in the region. Shipping agents reported that some vessels had been diverted to La Guaira, where congestion was building and where storage fees had doubled since the beginning of the week.",
        "The dispute comes as Venezuela's economy shows tentative signs of recovery after years of contraction, helped by looser exchange controls and a partial easing of US oil sanctions. Economists warn that labour unrest at the ports could undermine that fragile rebound if it spreads to other terminals.",
    ),
)

# --- off topic -------------------------------------------------------------------------

HARBOR_FOOTBALL = Article(
    id="h-football",
    title="Harbor City FC clinch playoff berth with stoppage-time winner",
    authors=("Kevin Doyle",),
    byline="By Kevin Doyle",
    description="A header from substitute Tomás Ibarra in the 94th minute sent Harbor City into the postseason.",
    caption="Tomás Ibarra celebrates his winning goal at Riverside Stadium. (Harbor Ledger/Ana Ruiz)",
    section="Sports",
    keywords=("Harbor City FC", "soccer", "playoffs"),
    body=(
        "Harbor City FC left it as late as possible. Substitute Tomás Ibarra rose above two defenders to head home a corner in the fourth minute of stoppage time on Saturday, giving the home side a 2-1 win over Lakeshore United and the last playoff place in the Eastern Conference.",
        "For most of the evening it looked as though another season would end in frustration at Riverside Stadium. Lakeshore took the lead just before half-time when a cross deflected off captain Dean Morrow and looped over goalkeeper Sam Whitley, who had barely been tested until then.",
        "Coach Ingrid Solberg made three changes at the break and her team responded. Winger Jaylen Cross equalized in the 63rd minute with a low shot from the edge of the area, and the crowd of more than 21,000 spent the final half-hour roaring every clearance and every corner.",
        "\"I told them at half-time that nobody would remember the first 45 minutes if we got the second half right,\" Solberg said afterward. \"They believed it. Tomás has been waiting for a moment like this all season, and he took it with both hands, or with his head.\"",
        "Harbor City will travel to face top seed Capital Athletic in the first round next weekend. The clubs drew both of their regular-season meetings, and Solberg said her players would go into the game without fear, whatever the bookmakers think of their chances.",
    ),
)

CAPITAL_BUDGET = Article(
    id="c-budget",
    title="City council approves $4.2 billion budget after marathon session",
    authors=("Ruth Adebayo",),
    byline="By Ruth Adebayo",
    description="The spending plan adds money for libraries and bus service but leaves a gap that the mayor says will require hard choices next year.",
    caption="Council members vote on the budget shortly after midnight. (Capital Courier)",
    section="City",
    keywords=("city council", "budget", "libraries", "transit"),
    body=(
        "The city council approved a $4.2 billion operating budget shortly after midnight on Monday, ending a fourteen-hour session in which members traded amendments over library hours, bus routes and the cost of a new contract for sanitation workers.",
        "The final plan passed by a vote of nine to four. It restores Sunday hours at eleven neighborhood libraries, funds two new crosstown bus lines and adds sixty positions to the city's housing inspection office, which had a backlog of more than three thousand complaints this autumn.",
        "To pay for those additions, the council drew down the city's reserve fund by $48 million and delayed the renovation of two recreation centers. Budget director Alan Greaves warned members that the reserve would fall below the level recommended by the city's auditors if the pattern continued.",
        "Mayor Denise Carver, who had proposed a leaner budget, said she would sign the plan but called the use of reserves a one-time fix. \"We are paying for this year's promises with next year's money, and next year is going to come,\" Carver told reporters at City Hall.",
        "Residents who waited for hours to speak during the public comment period focused mostly on libraries and transit. Several parents said the restored Sunday hours were the only time their children could use computers and study rooms, and asked the council to make them permanent.",
    ),
)

GLOBE_TRANSIT = Article(
    id="g-transit",
    title="Northgate's Blue Line extension finally opens to riders",
    authors=("Helen Park",),
    byline="By Helen Park",
    description="Three years late and $310 million over budget, the four new stations are expected to carry 18,000 riders a day.",
    caption="Riders board the first train at Millbrook station on Saturday morning. (Northgate Globe)",
    section="Northgate",
    keywords=("Northgate", "transit", "Blue Line"),
    body=(
        "The first passenger train on the Blue Line extension pulled out of Millbrook station at 5:42 on Saturday morning, carrying a few hundred riders, a brass band and a good number of officials who had spent the better part of a decade defending the project's delays and cost overruns.",
        "The 4.6-mile extension adds four stations in the city's fast-growing northern neighborhoods and is expected to carry about 18,000 riders a day within two years. It opened three years behind schedule and roughly $310 million over its original budget of $1.1 billion.",
        "Transit authority chief executive Lorraine Abbott acknowledged the delays in a short speech on the platform, blaming soil conditions under the old rail yard and a dispute with the original signaling contractor. \"Nobody is prouder or more relieved than the people who built this,\" she said.",
        "For riders the difference was immediate. Marcus Hale, a nurse who lives near the new Orchard Street station, said his commute to the hospital downtown would fall from fifty minutes on two buses to about twenty on the train. \"I will believe it on Monday morning,\" he added, laughing.",
        "Trains will run every eight minutes at peak hours and every fifteen minutes in the evenings and on weekends. Fares are unchanged, and the authority said rides on the extension would be free through the end of January to encourage residents to try the service.",
    ),
)

ATLANTIC_BASEBALL = Article(
    id="a-baseball",
    title="Leones del Caracas win Venezuelan winter league title before sellout crowd",
    authors=("Rafael Soto",),
    byline="By Rafael Soto, ABN Sport",
    description="Caracas beat Navegantes del Magallanes in the deciding game of the final of Venezuela's professional winter league.",
    caption="Leones del Caracas players celebrate on the field at Estadio Monumental. (ABN Sport)",
    section="Sport",
    keywords=("Venezuela", "baseball", "Leones del Caracas", "winter league"),
    body=(
        "CARACAS, Venezuela — Leones del Caracas won the Venezuelan Professional Baseball League championship on Sunday night, beating their oldest rivals, Navegantes del Magallanes, 5-3 in the seventh and deciding game of the final in front of nearly 40,000 fans at Estadio Monumental.",
        "Outfielder Harold Castro drove in three runs, including a two-run double in the sixth inning that put Caracas ahead for good, and closer José Quijada retired the last four batters he faced to secure the franchise's twenty-first title in the league's history.",
        "The final was played in a festive atmosphere despite the country's economic hardships, with families travelling from across Venezuela to watch a series that many fans consider the most important rivalry in Latin American baseball outside the major leagues.",
        "Several major league players joined their winter clubs for the postseason, a tradition that had faded in recent years. Caracas manager Mario Lisson said their presence had lifted the level of the league and reminded young players of how far the game could take them.",
        "Leones del Caracas will represent Venezuela at the Caribbean Series in February, where they will face the champions of the Dominican Republic, Mexico, Puerto Rico and several invited countries. The club last won the regional tournament in 1982.",
    ),
)

PRENSA_LLUVIAS = Article(
    id="p-lluvias",
    title="Las lluvias torrenciales dejan inundaciones en varios barrios de Barranquilla",
    authors=("Andrés Molina",),
    byline="Por Andrés Molina",
    description="Los arroyos de la ciudad se desbordaron tras un aguacero de más de tres horas; las autoridades reportan daños en viviendas y vehículos.",
    caption="Un arroyo desbordado en el barrio Las Nieves, en el sur de Barranquilla. (La Prensa)",
    section="Región",
    keywords=("Barranquilla", "lluvias", "inundaciones"),
    body=(
        "Un aguacero de más de tres horas provocó este domingo el desbordamiento de varios arroyos en el sur de Barranquilla y dejó inundadas decenas de viviendas en los barrios Las Nieves, Rebolo y La Chinita, según el balance preliminar de la oficina de gestión del riesgo.",
        "Los organismos de socorro atendieron más de cuarenta emergencias, entre ellas el rescate de un conductor cuyo vehículo fue arrastrado por la corriente en la calle 17. El hombre fue trasladado a un centro asistencial con heridas leves, informaron los bomberos de la ciudad.",
        "La alcaldía recordó a los ciudadanos que no deben intentar cruzar los arroyos durante las lluvias y anunció que las obras de canalización pendientes en el sur de la ciudad se reanudarán en enero, una vez concluya la temporada de lluvias de fin de año.",
        "Vecinos de Rebolo aseguraron que el agua alcanzó casi un metro de altura dentro de sus casas y que perdieron electrodomésticos y colchones. Varias familias pasaron la noche en una escuela habilitada como albergue temporal por la Secretaría de Gobierno.",
        "El Instituto de Hidrología prevé que las precipitaciones continúen durante los próximos tres días en la región Caribe, por lo que mantiene la alerta naranja para los municipios ribereños del río Magdalena y recomienda extremar las precauciones.",
    ),
)

COVERAGE_ARTICLES: tuple[Article, ...] = (
    FIXTURE_ARTICLE, CAPITAL_EXPLAINER, ATLANTIC_CONGRESS, PRENSA_ATAQUE, PORTS_2024,
    HARBOR_FOOTBALL, CAPITAL_BUDGET, GLOBE_TRANSIT, ATLANTIC_BASEBALL, PRENSA_LLUVIAS,
)

# The text of the PDF the wire article links to (a statement, not an article page).
STATEMENT_PDF_LINES = (
    "Statement of the Caribbean Maritime Safety Council",
    "on the reported strike on a dock in Venezuela",
    "",
    "The Council has taken note of reports that a drone strike hit a dock",
    "on the northern coast of Venezuela in late December 2025.",
    "It calls on all states to respect freedom of navigation,",
    "the safety of port workers and the rules of international law.",
    "Issued in Port of Spain, 30 December 2025.",
)

# --- second relevant story per outlet (so each outlet's boilerplate repeats across stored pages)

MERIDIAN_REACTION = Article(
    id="m-reaction",
    title="Venezuela calls dock strike an act of aggression, asks UN Security Council to meet",
    authors=("Lucía Ferrer",),
    byline="By Lucía Ferrer",
    description="Caracas broke its silence on the US strike on a dock, accusing Washington of violating Venezuelan sovereignty.",
    caption="Venezuela's foreign minister speaks to reporters in Caracas on Wednesday. (Meridian Wire)",
    section="Americas",
    keywords=("Venezuela", "strike", "dock", "United Nations", "Security Council", "Maduro"),
    body=(
        "CARACAS (Meridian Wire) — Venezuela's government on Wednesday described the US strike on a dock on its northern coast as an act of military aggression and said it had asked the United Nations Security Council to hold an emergency meeting, breaking nearly a week of official silence about the attack.",
        "In a televised statement, the foreign minister said the strike violated the UN Charter and Venezuelan sovereignty, and that the country reserved the right to respond by all legitimate means. He did not say where the dock was located or describe the damage, and he took no questions from reporters.",
        "President Nicolás Maduro, speaking later at a military ceremony in Caracas, called the operation a cowardly act carried out in the dark and said the armed forces had been placed on alert along the Caribbean coast. He repeated his accusation that Washington was seeking a pretext to overthrow his government.",
        "Diplomats at the United Nations said it was unclear whether the Security Council would agree to meet, since a request for an emergency session does not oblige the council's president to schedule one. The United States holds a veto over any resolution, and Russia and China have previously criticized the US deployment.",
        "Regional reaction was muted. Brazil and Colombia called for restraint and for respect for international law, without naming the United States, while several Caribbean governments said they had not been informed of the operation in advance and were seeking clarification from Washington.",
        "A US official said on Tuesday that the CIA had carried out the strike on a dock used by the Tren de Aragua gang to load drug boats, and that nobody was killed. The White House has not commented on the official's account.",
    ),
)

HARBOR_EDITORIAL = Article(
    id="h-editorial",
    title="Editorial: A strike on Venezuelan soil is a decision for Congress, not a secret",
    authors=("The Editorial Board",),
    byline="By The Harbor Ledger Editorial Board",
    description="Whatever one thinks of the campaign against drug boats, attacking a target on land in Venezuela crosses a line that voters deserve to debate.",
    caption="The harbor at dusk. (Harbor Ledger/File)",
    section="Opinion",
    keywords=("Venezuela", "strike", "Congress", "editorial", "war powers"),
    body=(
        "For four months, the administration has told Americans that its strikes on boats in the Caribbean are a police action by other means, aimed at drug smugglers rather than at any country. The attack on a dock in Venezuela, confirmed this week by a US official, makes that description much harder to sustain.",
        "A dock is not a speedboat racing north in international waters. It is a piece of another country's territory, and destroying it with a drone is the kind of act that, anywhere else, would be called a use of military force against a state. That is true even if, as officials say, nobody was hurt.",
        "We do not doubt that Tren de Aragua is a violent criminal organization, or that the drugs moving through the Caribbean do real damage in towns like ours. But the Constitution gives Congress, not the president alone, the power to decide when the country goes to war, and the line between this campaign and a war is getting thinner every week.",
        "The manner in which the strike came to light should trouble everyone. The president hinted at it in a radio interview and a news conference, declined to say who carried it out, and left the details to anonymous officials. Members of the intelligence committees say they learned about it from the news.",
        "Congress should hold public hearings, demand the legal opinion on which the administration is relying, and vote on whether to authorize further operations. If the case for them is strong, it will survive the debate. If it is not, the country should know before the next strike, not after it.",
    ),
)

PRENSA_PESCADORES = Article(
    id="p-pescadores",
    title="Pescadores de la costa venezolana temen nuevos ataques tras el bombardeo del muelle",
    authors=("Carmen Salas", "José Ignacio Rondón"),
    byline="Por Carmen Salas y José Ignacio Rondón",
    description="En los pueblos pesqueros de Falcón y Sucre, el ataque de Estados Unidos contra un muelle ha sembrado el miedo a salir al mar de noche.",
    caption="Un pescador repara sus redes en un muelle de Falcón. (La Prensa)",
    section="Región",
    keywords=("Venezuela", "pescadores", "ataque", "muelle", "Falcón", "Sucre"),
    body=(
        "En los pueblos pesqueros de la costa norte de Venezuela, la noticia del ataque estadounidense contra un muelle ha cambiado la rutina de cientos de familias. Muchos pescadores han dejado de salir al mar de noche por temor a ser confundidos con narcotraficantes por los drones que, según dicen, sobrevuelan la zona.",
        "«Nosotros vivimos del mar, y ahora el mar da miedo», dijo por teléfono un pescador de Tucacas que pidió no ser identificado. Según su relato, la cooperativa a la que pertenece ha reducido sus salidas a la mitad desde el ataque, lo que ha hecho subir el precio del pescado en los mercados de la zona.",
        "Las autoridades regionales de Falcón aseguraron que no tienen información oficial sobre la ubicación exacta del muelle atacado. Un dirigente de una asociación de pescadores de Sucre afirmó que en la costa circulan rumores contradictorios y que nadie de los gobiernos de Caracas o de Washington les ha explicado lo ocurrido.",
        "El Gobierno venezolano ha desplegado efectivos de la Guardia Nacional en varios puntos del litoral y ha instalado controles en la carretera costera. Los pescadores dicen que los controles han retrasado el transporte del pescado hacia las ciudades, y que en algunos casos la mercancía se ha perdido por el calor.",
        "Organizaciones de derechos humanos venezolanas y colombianas pidieron que se garantice la seguridad de los trabajadores del mar y que se investiguen los ataques contra embarcaciones, en los que han muerto al menos 107 personas desde septiembre. Para muchos en la costa, la pregunta es si habrá más bombardeos en tierra.",
    ),
)

GLOBE_QA = Article(
    id="g-qa",
    title="Why the CIA, and not the military, struck a dock in Venezuela",
    authors=("Nadia Voss",),
    byline="By Nadia Voss",
    description="The agency's covert action authority explains a lot about how the attack was carried out, and about how little has been said about it.",
    caption="CIA headquarters in Langley, Virginia. (Northgate Globe/File)",
    section="World",
    keywords=("Venezuela", "CIA", "covert action", "strike", "dock"),
    body=(
        "When a US official said this week that the CIA, rather than the Pentagon, carried out the strike on a dock in Venezuela, it answered one question and raised several more. The choice of agency shapes who approved the attack, who was told about it, and how much the public will ever learn.",
        "Covert action is the legal term for operations meant to influence conditions abroad in which the role of the United States is not intended to be acknowledged. It requires a written presidential finding and notification of the intelligence committees, but the operations themselves can remain classified for decades.",
        "Military strikes, by contrast, are usually announced by the Pentagon and reported to Congress under the War Powers Resolution within forty-eight hours. The administration has publicized the strikes on boats at sea in detail, releasing videos of many of them, which makes the silence about the dock all the more striking.",
        "Former intelligence officials said the CIA may have been chosen because it already had surveillance assets and sources in the area, or because a covert operation leaves the president more room to deny or play down the attack if it goes wrong. Others said the distinction matters little to the country that was hit.",
        "Whatever the reason, the choice means the fullest account of what happened at the dock will, for now, be given behind closed doors, in a secure room on Capitol Hill, to a few dozen members of Congress who are not allowed to repeat it.",
    ),
)

COVERAGE_ARTICLES = (*COVERAGE_ARTICLES, MERIDIAN_REACTION, HARBOR_EDITORIAL, PRENSA_PESCADORES, GLOBE_QA)

# --- third relevant story per outlet (so each outlet's boilerplate is seen on >= 3 stored
# pages: STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS is 3)

MERIDIAN_OIL = Article(
    id="m-oil",
    title="Oil edges higher as traders weigh risk after US strike on Venezuelan dock",
    authors=("Tomás Brandt",),
    byline="By Tomás Brandt",
    description="Crude prices rose in thin year-end trading as analysts assessed whether the attack on Venezuelan soil could disrupt the country's exports.",
    caption="Tankers wait offshore near the José oil terminal in eastern Venezuela. (Meridian Wire/File)",
    section="Business",
    keywords=("Venezuela", "oil", "markets", "strike", "dock", "PDVSA"),
    body=(
        "LONDON (Meridian Wire) — Oil prices edged higher on Wednesday in thin trading before the New Year holiday, as traders weighed the risk that the US strike on a dock in Venezuela could mark the start of a wider campaign that reaches the country's oil terminals and tanker traffic.",
        "Brent crude futures rose as much as 1.2 percent in early European trading before paring gains, and US West Texas Intermediate followed a similar path. Several brokers said the move was modest because the dock described by a US official was a small facility used by drug boats, not an export berth.",
        "Venezuela pumps a fraction of what it produced a decade ago, and most of its crude now goes to Asian refiners through intermediaries. Analysts said the country's direct weight in the market was limited, but that any threat to shipping in the southern Caribbean would quickly raise freight and insurance costs for the whole region.",
        "Marine insurers in London said they had begun asking shipowners for more detail on voyages that call at Venezuelan ports, although none had yet raised war-risk premiums. One underwriter said the market would watch closely whether further attacks targeted coastal infrastructure rather than isolated piers.",
        "The state oil company PDVSA did not respond to a request for comment. Its exports have held steady in recent weeks despite the US naval deployment, according to tanker-tracking data, and port agents in Puerto La Cruz said loadings were continuing on schedule at the main terminals.",
        "Traders said the larger risk to prices was political rather than physical. A sudden change of government in Caracas, or a decision by Washington to tighten sanctions on the tankers that carry Venezuelan crude, would matter far more to supply than the loss of a single dock, one strategist at a Geneva trading house said.",
    ),
)

HARBOR_TIMELINE = Article(
    id="h-timeline",
    title="Timeline: How the US campaign moved from boats at sea to a dock in Venezuela",
    authors=("Sarah Pell",),
    byline="By Sarah Pell",
    description="Four months of strikes in the Caribbean and the eastern Pacific, and the week in which the target moved onto land.",
    caption="A fishing boat leaves harbor on the Paraguaná peninsula. (Harbor Ledger/File)",
    section="World",
    keywords=("Venezuela", "timeline", "strike", "dock", "CIA", "Caribbean"),
    body=(
        "The attack on a dock in Venezuela that a US official attributed this week to the CIA did not come out of nowhere. It followed four months in which the administration steadily widened a military campaign that began with a single boat and has since become the largest US deployment in the Caribbean in decades.",
        ("h2", "September: the first boat"),
        "In early September, US forces struck a speedboat that the administration said was carrying drugs from Venezuela, killing everyone aboard. The president announced the attack himself and posted a video of it, setting a pattern of publicity that would hold for nearly every strike at sea that followed.",
        ("h2", "October and November: the campaign grows"),
        "Over the autumn the strikes became more frequent and moved into the eastern Pacific as well. Warships, fighter jets and thousands of troops were sent to the region, and officials began to speak openly about targets on land, while lawmakers of both parties questioned the legal basis for killing suspected smugglers.",
        ("h2", "Late December: the dock"),
        "In a radio interview on the Friday after Christmas, the president said the United States had knocked out a facility where the boats come from. He repeated the claim on Monday at his Florida residence, without saying which agency was responsible or where in Venezuela the target was.",
        "On Tuesday a US official said a CIA drone had struck a dock used by the Tren de Aragua gang to load boats, and that nobody had been killed. By then the campaign at sea had claimed at least 107 lives in some 30 attacks on vessels, according to figures compiled from official announcements.",
        ("h2", "What to watch"),
        "Caracas responded on Wednesday by calling the attack an act of aggression and asking the UN Security Council to meet. In Washington, the next steps are a closed briefing for the intelligence committees and a possible vote on war powers when Congress returns from its holiday recess in January.",
    ),
)

CAPITAL_WAR_POWERS = Article(
    id="c-war-powers",
    title="Strike on Venezuelan dock revives war powers fight as Congress returns",
    authors=("Ruth Adebayo", "Priya Natarajan"),
    byline="By Ruth Adebayo and Priya Natarajan",
    description="A bipartisan resolution would bar further attacks on Venezuelan territory without a vote, setting up the first test of the new session.",
    caption="The Senate chamber during a vote in December. (Capital Courier)",
    section="Politics",
    keywords=("Venezuela", "war powers", "Congress", "strike", "dock", "resolution"),
    body=(
        "Lawmakers returning to Washington this week will face an early test of their willingness to check the president's use of force, after a bipartisan group filed a resolution that would bar any further attack on Venezuelan territory unless Congress votes to authorize it.",
        "The measure, introduced under the 1973 War Powers Resolution, is privileged, which means its sponsors can force a floor vote within weeks regardless of the leadership's wishes. Two earlier attempts to halt the boat strikes failed narrowly in the autumn, but aides said the strike on a dock on land had changed several minds.",
        "At the center of the dispute is whether a covert CIA operation counts as the kind of hostilities the 1973 law was written to control. Administration lawyers have long argued that intelligence activities fall under a separate framework of findings and committee notifications, and that the law's sixty-day clock does not apply to them.",
        "Legal scholars on both sides said the question had never been tested in court and was unlikely to be. What matters in practice, they said, is whether enough Republicans are prepared to vote against a president of their own party on a question of war and peace during an election year.",
        "Republican leaders have signaled that they will try to table the resolution, arguing that it would tie the hands of the government in a fight against cartels that the State Department has designated as terrorist organizations. Several members of the party's defense hawk wing have nonetheless asked for the legal opinion behind the Venezuela operation.",
        "The White House did not respond to questions about the resolution. A spokesperson said last week that the administration had kept the relevant committees informed of its counter-narcotics operations, a statement that committee members in both parties have disputed in recent days.",
    ),
)

ATLANTIC_SATELLITE = Article(
    id="a-satellite",
    title="Satellite images appear to show damaged pier on Venezuela's coast after strike",
    authors=("Hannah Lowe",),
    byline="By Hannah Lowe, ABN Investigations",
    description="Commercial imagery reviewed by ABN shows a scorched pier and a missing boat shed at a cove in Falcón state, though the site of the attack has not been confirmed.",
    caption="A commercial satellite image of a cove in Falcón state, Venezuela, taken on December 29. (ABN/Planet Labs)",
    section="World",
    keywords=("Venezuela", "satellite", "strike", "dock", "Falcón", "investigation"),
    body=(
        "Commercial satellite images reviewed by ABN appear to show a damaged pier and a burned-out shed at a small cove on the coast of Falcón state, in northwestern Venezuela, that analysts say matches the description of the dock a US official said was hit in a CIA drone strike.",
        "Images taken on December 20 show a wooden pier about forty meters long with a covered shed at its landward end and two open boats moored alongside. Images of the same cove taken on December 29 show the end of the pier missing, a dark scorch mark across the shed's footprint and no boats in the water.",
        "ABN could not independently confirm that the damage was caused by the strike, and the US official who described the attack did not identify its location. Two imagery analysts who examined the pictures for ABN said the pattern of damage was consistent with a small precision munition rather than a fire or a storm.",
        "The cove lies a short distance from fishing villages whose residents told local reporters this week of hearing a loud explosion late one night before Christmas. ABN was unable to reach those residents directly, and Venezuela's government has not said where the attack took place or allowed journalists to visit the coast.",
        "The images suggest a modest facility, far smaller than the industrial port installations that some officials in Washington had described as future targets. Analysts said that was consistent with the official's account that the dock was used to load speedboats rather than larger vessels, and that nobody was present at the time.",
        "The Pentagon and the CIA declined to comment on the images. Planet Labs, the company that captured them, said it provides imagery to news organizations on commercial terms and does not comment on how its customers interpret the pictures they buy.",
    ),
)

PRENSA_REGION = Article(
    id="p-region",
    title="Los gobiernos del Caribe piden explicaciones a Washington por el ataque en Venezuela",
    authors=("Lucía Ferrer",),
    byline="Por Lucía Ferrer, desde Puerto España",
    description="Colombia, Brasil y varios miembros de la Caricom reclaman información sobre el bombardeo del muelle y advierten del riesgo de una escalada regional.",
    caption="El ministro de Exteriores de Trinidad y Tobago habla con la prensa en Puerto España. (La Prensa)",
    section="Internacional",
    keywords=("Venezuela", "Caribe", "Caricom", "Colombia", "Brasil", "ataque", "muelle"),
    body=(
        "Los gobiernos de la cuenca del Caribe pidieron este viernes a Estados Unidos que explique el alcance del ataque contra un muelle en la costa de Venezuela, en la primera reacción coordinada de la región desde que un funcionario estadounidense atribuyó la operación a la CIA.",
        "En un comunicado conjunto, los cancilleres de la Comunidad del Caribe (Caricom) afirmaron que la región debe seguir siendo una zona de paz y reclamaron que cualquier operación contra el narcotráfico respete el derecho internacional y la soberanía de los Estados. El texto no menciona a Washington por su nombre.",
        "El Gobierno de Colombia, que comparte más de dos mil kilómetros de frontera con Venezuela, expresó su preocupación por lo que calificó como un paso peligroso hacia un conflicto armado. Bogotá pidió que el Consejo de Seguridad de las Naciones Unidas atienda la solicitud de reunión presentada por Caracas.",
        "Brasil, por su parte, llamó a la moderación y ofreció su mediación para reducir la tensión entre ambos países. Diplomáticos brasileños señalaron en privado que temen un aumento de la llegada de migrantes venezolanos a la frontera norte si la situación se deteriora en las próximas semanas.",
        "En Trinidad y Tobago, cuyo territorio se encuentra a pocos kilómetros de la costa venezolana, el Gobierno reiteró su apoyo a la lucha contra el narcotráfico, pero aclaró que no fue consultado antes del ataque. La oposición trinitense exigió un debate parlamentario sobre la cooperación militar con Estados Unidos.",
        "Analistas de la región coinciden en que el bombardeo de un objetivo en tierra cambia la naturaleza de la campaña iniciada en septiembre contra embarcaciones en el mar Caribe. Muchos temen que un error o una represalia termine arrastrando a los países vecinos a una crisis que ninguno de ellos desea.",
    ),
)

GLOBE_TRINIDAD = Article(
    id="g-trinidad",
    title="Seven miles from Venezuela, Trinidad's fishermen feel the dock strike up close",
    authors=("Martin Keane",),
    byline="By Martin Keane, in Cedros, Trinidad",
    description="In the fishing villages of southwestern Trinidad, the US strike across the water has emptied the jetties and pushed up the price of fish.",
    caption="Pirogues pulled up on the beach at Cedros, with the Venezuelan coast on the horizon. (Northgate Globe)",
    section="World",
    keywords=("Venezuela", "Trinidad", "fishermen", "strike", "dock", "Caribbean"),
    body=(
        "CEDROS, Trinidad — On a clear morning the mountains of Venezuela are plainly visible from the beach here, a blue line across the Gulf of Paria. Since news of the US strike on a Venezuelan dock reached this village, many of the pirogues that usually head out before dawn have stayed on the sand.",
        "Fishermen in Cedros and the neighboring village of Icacos say they have fished these waters for generations, often crossing paths with Venezuelan boats and sometimes selling to them. Now they worry that a drone operator watching a screen far away will not be able to tell a fisherman from a smuggler.",
        "\"My boat looks like every other boat out there,\" said Kendall Ramdass, who has fished from Cedros for thirty years. He said he had cut his trips from five nights a week to two since Christmas, and that several younger men on the beach had stopped going out altogether until the situation becomes clearer.",
        "The slowdown has been felt quickly onshore. Vendors at the fish market in the nearby town of Point Fortin said the price of red snapper and kingfish had risen by about a fifth in a week, and that restaurants had begun asking for frozen fish from Guyana to fill the gap left by the local catch.",
        "Trinidad's government has supported the US campaign against drug trafficking, and American officials have praised its cooperation. But in Cedros that support feels distant. Residents say the coast guard has stepped up patrols since the attack, and several complained of being stopped and searched on their way back to shore.",
        "For now the fishermen are waiting to see whether the dock was a single strike or the first of many. \"When the big countries fight, it is the small people in the middle who pay,\" Ramdass said, coiling a line on the sand as the tide came in.",
    ),
)

COVERAGE_ARTICLES = (*COVERAGE_ARTICLES, MERIDIAN_OIL, HARBOR_TIMELINE, CAPITAL_WAR_POWERS,
                     ATLANTIC_SATELLITE, PRENSA_REGION, GLOBE_TRINIDAD)
