"""A real plenary's content for the console and projector tests: ten breakout rooms with
long names, Korean and long idea texts, people in every room, dots given and results
hidden until the reveal.

The workshop is created through the console's form (so the signed-in organizer owns it)
and the people are Python phones that follow the protocol (tests.phones.Phone): thirty
of them join over HTTP and Socket.IO, post ideas and vote, as phones would, without a
browser each. Stop them with `Plenary.stop()` (the `plenary` fixture does).
"""

from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from tests.phones import Phone, wait_settled

#: Ten rooms, as the concept note's plenary might have them: long names, Korean too.
ROOMS = [
    "Housing for migrants and refugees: from emergency shelter to a home of one's own",
    "여성 폭력 피해자의 일자리 접근: 안전한 일터와 소득",
    "Digital education and inclusion for older persons and people with disabilities",
    "Mobility and accessibility: buses, ramps and safe streets for everyone in the city",
    "Santé et soins: l'accès aux droits pour les personnes sans domicile",
    "Participation of children and youth in the city's budget and decisions",
    "Climate justice: heat, floods and the neighbourhoods that suffer them first",
    "문화와 예술: 모두를 위한 도시의 문화 공간",
    "Safety and freedom from violence in public spaces, at night and by day",
    "Work and income: fair wages, care work and the informal economy",
]
#: An idea as long as a phone allows (280 characters), and details as long (1,000).
LONG_IDEA = (
    "Open every empty municipal building to families waiting for a home, with a social "
    "worker on site, rent capped at a quarter of income, and a promise in writing that no "
    "one is evicted in winter while the city builds the permanent housing it promised "
    "years ago, and report"
)[:280]
KOREAN_IDEA = (
    "이주민과 난민을 위한 공공임대주택을 늘리고, 입주 절차를 여러 언어로 안내하며, "
    "지역 주민과 함께하는 환영 모임을 정기적으로 열자"
)
LONG_DETAILS = ("Why it matters: people sleep in cars while flats stand empty. " * 20)[:1000]
#: People on phones; random assignment spreads them over the rooms.
PEOPLE = 30
#: Each phone's ideas: a long one, a Korean one, a short one with emoji.
IDEAS_EACH = 2
TITLE = "Local pathways toward equality — 평등을 향한 지역의 길"
QUESTION = (
    "How can our city turn the right to housing, work, education and mobility into "
    "local pathways toward equality for the people most often left out?"
)


@dataclass
class Plenary:
    console: Page
    join_url: str
    code: str
    workshop_id: int
    phones: list[Phone] = field(default_factory=list)

    def stop(self) -> None:
        for phone in self.phones:
            phone.stop()


def open_plenary(sign_in, new_context, live_server: str, viewport: dict, votes: bool = True):
    """Create the ten-room plenary on a console of this viewport, fill its rooms with
    people and ideas (and dots, in the vote phase with hidden results, when `votes`).

    Returns the Plenary; the console page is on the moderation page, breakouts open.
    """
    console = new_context(viewport=viewport).new_page()
    sign_in(console)
    console.get_by_label("Title").fill(TITLE)
    console.get_by_label("Guiding question").fill(QUESTION)
    console.get_by_label("Breakout rooms, one per line").fill("\n".join(ROOMS))
    console.get_by_label("How people get into breakout rooms").select_option("random")
    console.get_by_role("button", name="Create the workshop").click()
    expect(console.locator("#status")).to_have_text("Live")
    join_url = console.locator("#join-url").get_attribute("href")
    code = console.locator("#join-code").inner_text().strip()
    workshop_id = int(console.url.rstrip("/").split("/workshops/")[1].split("/")[0])
    console.get_by_role("button", name="Open breakout rooms").click()
    expect(console.get_by_role("button", name="Open breakout rooms")).to_be_disabled()

    plenary = Plenary(console, join_url, code, workshop_id)
    try:
        for n in range(PEOPLE):
            phone = Phone([live_server], code, f"Person {n + 1}", seed=n)
            plenary.phones.append(phone)
            phone.start()
        wait_settled(plenary.phones, 60)
        for n, phone in enumerate(plenary.phones):
            texts = [LONG_IDEA if n % 2 else KOREAN_IDEA, f"Night buses to every district 🚌 ({n})"]
            for text in texts[:IDEAS_EACH]:
                phone.queue("post_idea", text=text, details=LONG_DETAILS if n % 3 == 0 else "")
        wait_settled(plenary.phones, 60)
        if votes:
            console.locator("#all-phase-select").select_option("vote")
            console.get_by_role("button", name="Set the phase in every room").click()
            for phone in plenary.phones:
                phone.sync_now()
            wait_settled(plenary.phones, 60)
            for phone in plenary.phones:
                ideas = list((phone.view or {}).get("ideas", {}))
                for idea in ideas[:3]:
                    phone.queue("vote", idea_id=int(idea), delta=1)
            wait_settled(plenary.phones, 60)
    except BaseException:
        plenary.stop()
        raise
    return plenary
