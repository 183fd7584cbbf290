"""Live updates are said to screen readers politely and without flooding (issue 12, WCAG
4.1.3): a burst of 50 votes from other people is one announcement, not 50; a burst of new
ideas is one too; the list of ideas is not a live region; a person's own idea and vote
are not announced as news (their own messages confirm them); the timer does not chatter.

Every text change of every live region of the phone (aria-live other than "off",
role=status, alert or log) is recorded by a MutationObserver installed before the burst.
Other people are phones that follow the protocol (tests.phones.Phone); the moderator
acts over the console's own socket (tests.browser.moderator).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.mobility import create_workshop, join
from tests.browser.moderator import Moderator
from tests.phones import Phone, wait_settled
from tests.support import wait_until

pytestmark = pytest.mark.browser

VOTERS = 10  # each gives the default budget of 5 dots: 50 votes
#: How each voter spends its five dots on the three ideas (at most 3 on one idea).
DOTS = (2, 2, 1)
OTHERS_IDEAS = ["Free buses at night", "Safe bike lanes to every school", "Benches at stops"]
MINE = "Ramps at every stop"
#: Long enough for the phone's news to settle and for a second announcement to come, if
#: one were due (room-news.js: 1.8 s after the last change, at least 5 s apart). Waiting
#: is all it does: nothing is asserted about time.
QUIET_MS = 8000

#: Records every text change of every live region, each as [region id, text].
LISTEN = """() => {
  const live = '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]';
  const last = new Map();
  window.heard = [];
  const note = () => document.querySelectorAll(live).forEach((region) => {
    if (region.getAttribute('aria-live') === 'off') return;
    const text = region.textContent.trim();
    if (last.has(region) && last.get(region) !== text && text) {
      window.heard.push([region.id || region.className, text]);
    }
    last.set(region, text);
  });
  note();
  new MutationObserver(note).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}"""

SAID = {
    "en": {
        "ideas": "3 new ideas.",
        "votes": "Votes changed on 3 ideas.",
        "dots_left": "4 dots left",
        "phase": "Phase: Vote",
    },
    "ko": {
        "ideas": "새 아이디어 3개.",
        "votes": "아이디어 3개의 투표가 바뀌었어요.",
        "dots_left": "남은 점 4개",
        "phase": "단계: 투표",
    },
}


def heard(phone: Page) -> list[list[str]]:
    return phone.evaluate("() => window.heard")


def idea(phone: Page, text: str):
    return phone.locator("#ideas > li.idea:not(.pending)").filter(
        has=phone.locator(".idea-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


@pytest.fixture
def workshop(live_server, sign_in, new_context):
    """A one-room dots workshop, breakouts open; ten other phones in the room.
    Yields (moderator, the phones, join link)."""
    console, join_url = create_workshop(sign_in, new_context)
    workshop_id = int(re.search(r"/workshops/(\d+)/", console.url).group(1))
    moderator = Moderator(live_server, console, workshop_id)
    code = join_url.rsplit("/", 1)[1]
    phones = [Phone([live_server], code, f"Voter {n}", seed=n) for n in range(VOTERS)]
    try:
        for phone in phones:
            phone.start()
        wait_settled(phones, 60)
        yield moderator, phones, join_url
    finally:
        for phone in phones:
            phone.stop()
        moderator.close()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_burst_of_ideas_and_of_50_votes_is_one_announcement_each(workshop, new_context, language):
    moderator, phones, join_url = workshop
    said = SAID[language]
    amina = join(new_context, join_url, "Amina")
    if language != "en":
        amina.goto(f"{amina.url.split('?')[0]}?lang={language}")
        expect(amina.locator("html")).to_have_attribute("lang", language)
    expect(amina.locator("#status")).to_have_attribute("data-state", "online")
    # Listen once the room is drawn: its first snapshot can come after the status says online.
    expect(amina.locator("#phase")).to_have_text(re.compile(r"\S"))
    # The list of ideas is not live: a tally that changes is not read out by itself.
    assert amina.evaluate("() => document.getElementById('ideas').closest('[aria-live]')") is None
    amina.evaluate(LISTEN)

    # Propose: three ideas of others arrive while Amina posts her own.
    for n, text in enumerate(OTHERS_IDEAS):
        phones[n].queue("post_idea", text=text, details="")
    amina.locator("#idea-text").fill(MINE)
    amina.locator("#idea-form button[type=submit]").tap()
    wait_settled(phones, 30)
    for text in [*OTHERS_IDEAS, MINE]:
        expect(idea(amina, text)).to_have_count(1)
    expect(amina.locator("#room-news")).to_have_text(said["ideas"])
    amina.wait_for_timeout(QUIET_MS)
    assert heard(amina) == [["room-news", said["ideas"]]], "one announcement for the ideas"

    # Vote, with a timer running: fifty votes from ten phones, Amina's own dot among them.
    moderator.send("set_phase", phase="vote")
    moderator.send("start_timer", seconds=600)
    expect(amina.locator("body")).to_have_attribute("data-phase", "vote")
    expect(amina.locator("#timer")).to_be_visible()
    expect(amina.locator("#phase")).to_have_text(said["phase"])
    amina.evaluate("() => (window.heard.length = 0)")
    wait_until(lambda: len(phones[0].view["ideas"]) == 4, "the voters to see the four ideas")
    ids = {i["text"]: i["id"] for i in phones[0].view["ideas"].values()}
    for phone in phones:
        for text, dots in zip(OTHERS_IDEAS, DOTS, strict=True):
            for _ in range(dots):
                phone.queue("vote", idea_id=ids[text], delta=1)
    idea(amina, MINE).locator("button[data-focus=add]").tap()
    wait_settled(phones, 60)
    for text, dots in zip(OTHERS_IDEAS, DOTS, strict=True):
        expect(idea(amina, text).locator(".tally")).to_contain_text(str(VOTERS * dots))
    expect(amina.locator("#dots-left")).to_have_text(said["dots_left"])
    expect(amina.locator("#room-news")).to_have_text(said["votes"])
    amina.wait_for_timeout(QUIET_MS)

    # One sentence about the votes, on three ideas (not Amina's: hers is confirmed by her
    # dots left), and nothing else but that confirmation: no tally, no timer tick.
    votes = [text for region, text in heard(amina) if region == "room-news"]
    assert votes == [said["votes"]], heard(amina)
    assert sorted(heard(amina)) == sorted(
        [["dots-left", said["dots_left"]], ["room-news", said["votes"]]]
    )
