"""The demo workshop: the concept note's plenary, played through from start to finish.

`flask seed-demo` (`make seed`) builds it for the organizer who set Cocreate up (the
command chooses the account, cocreate/commands.py), and `scripts/synthesis-samples.py`
renders its synthesis into docs/synthesis/, so what a reader sees there is what
organizers get. It is made only through the services, the one write path, exactly as
phones, facilitators and moderators would make it: people join and choose rooms, post
and tag ideas (a few in Korean, French and Spanish; two people on paper through a
facilitator's scribe entry), facilitators group them into tagged themes, everyone votes
in the vote phase (agree / disagree / pass) while the totals are hidden, the totals are
revealed, facilitators draft pathways that people comment on and endorse, the moderator
gathers cross-room themes, closes the rooms and brings everyone back to the plenary.

Deterministic: the same content every time (the votes come from a seeded generator);
only ids, the join code, a new account's password, device tokens and timestamps differ.
"""

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import User
from cocreate.services import (
    accounts,
    cross_themes,
    ideas,
    participants,
    pathways,
    phases,
    scribe,
    snapshots,
    tags,
    themes,
    votes,
    workshops,
)
from cocreate.services.tagviews import active_tags

TITLE = "Human Rights Cities responding to poverty and inequalities"
QUESTION = (
    "How can our city build local pathways toward equality, so that no one is left "
    "behind by poverty and inequalities?"
)
DESCRIPTION = (
    "Plenary session of the World Human Rights Cities Forum: local and regional "
    "governments, civil society and residents examine the impact of poverty and "
    "inequalities from a human rights perspective, share human-rights-based initiatives "
    "and co-create local pathways toward equality. (A demo: its people, ideas and votes "
    "are invented.)"
)
#: October 5, 16:00-18:30 in Seoul, that is 9:00-11:30 in Madrid (the concept note's
#: KST / CEST), in the year of the UDHR's 75th anniversary.
SCHEDULE = workshops.Schedule(
    starts_at=datetime(2023, 10, 5, 16, 0),
    ends_at=datetime(2023, 10, 5, 18, 30),
    time_zones=["Asia/Seoul", "Europe/Madrid"],
    organizers=["WHRCF International Steering Committee"],
)
GOVERNMENT, CIVIL_SOCIETY, RESIDENT, EXPERT = (
    "Local government",
    "Civil society",
    "Resident / rights-holder",
    "Expert",
)
ROLES = [GOVERNMENT, CIVIL_SOCIETY, RESIDENT, EXPERT]
#: How people lean on an idea: the chances of agree, disagree and pass (the rest do not
#: vote on it). "split" ideas show dissent as divisiveness in the synthesis.
LEANINGS = {
    "strong": (0.78, 0.04, 0.10),
    "mild": (0.50, 0.10, 0.28),
    "split": (0.42, 0.38, 0.10),
}
SEED = 20231005
#: The account made to own the demo when no organizer account exists and none is named.
DEMO_EMAIL = "demo@example.org"


@dataclass(frozen=True)
class Person:
    """Someone in a room: a phone (name optional, role optional) or a person on paper."""

    name: str | None
    role: str | None = None
    facilitator: bool = False
    paper: bool = False
    #: False for someone who came, listened and did not vote.
    votes: bool = True


@dataclass(frozen=True)
class Idea:
    """An idea, by the room's person number `author`, with its tags' keys."""

    author: int
    text: str
    details: str
    tags: tuple[str, ...]
    leaning: str


@dataclass(frozen=True)
class Theme:
    """A theme of the room's ideas (by number), with its tags' keys."""

    name: str
    description: str
    ideas: tuple[int, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One step of a pathway."""

    action: str
    actor: str
    horizon: str
    indicator: str


@dataclass(frozen=True)
class Pathway:
    """A pathway drafted from theme number `theme` (its ideas and tags come along)."""

    theme: int
    title: str
    challenge: str
    vision: str
    steps: tuple[Step, ...]
    more_tags: tuple[str, ...] = ()
    comments: tuple[tuple[int, str], ...] = ()
    endorsers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Room:
    """A breakout room and everything that happens in it."""

    name: str
    topic: str
    people: tuple[Person, ...]
    ideas: tuple[Idea, ...]
    themes: tuple[Theme, ...]
    pathways: tuple[Pathway, ...] = field(default=())


ROOMS = (
    Room(
        name="Housing",
        topic="Housing for migrants and refugees",
        people=(
            Person("Amina", RESIDENT),
            Person("Jonas", GOVERNMENT, facilitator=True),
            Person("Léa", CIVIL_SOCIETY),
            Person(None, RESIDENT),
            Person("Yusuf", RESIDENT),
            Person(None, EXPERT),
            Person("Grace", paper=True),
        ),
        ideas=(
            Idea(
                0,
                "A city guarantee fund so landlords rent to refugee families",
                "The city covers the deposit and the first months' rent when a tenant "
                "cannot, so landlords stop asking for a guarantor nobody has.",
                ("udhr-25", "migrants-refugees", "low-income", "housing"),
                "strong",
            ),
            Idea(
                1,
                "One-stop housing desk with interpreters",
                "Housing, residence registration and school enrolment at one counter, "
                "in the main languages of newcomers.",
                ("udhr-25", "udhr-2", "migrants-refugees", "housing"),
                "strong",
            ),
            Idea(
                2,
                "Réserver une part des logements sociaux aux familles réfugiées",
                "Une part fixe et transparente, décidée avec les associations de "
                "personnes réfugiées.",
                ("udhr-25", "udhr-14", "migrants-refugees", "housing"),
                "split",
            ),
            Idea(
                4,
                "Turn empty municipal buildings into transitional flats",
                "",
                ("udhr-25", "homelessness", "migrants-refugees", "housing"),
                "strong",
            ),
            Idea(
                5,
                "Test rental agencies for discrimination every year",
                "Paired applications with different names, published results, and "
                "training for agents who fail.",
                ("udhr-2", "migrants-refugees", "minorities-indigenous", "housing"),
                "mild",
            ),
            Idea(
                3,
                "Newcomers with disabilities wait twice as long for an accessible flat",
                "Map the accessible units the city owns and give them priority in allocation.",
                ("udhr-25", "disabilities", "migrants-refugees", "housing"),
                "mild",
            ),
            Idea(
                6,
                "Neighbours who welcome a new family in their building",
                "Written down by the facilitator from Grace's paper sheet.",
                ("udhr-1", "migrants-refugees", "participation"),
                "mild",
            ),
        ),
        themes=(
            Theme(
                "Open the door to a first home",
                "Guarantees, transitional flats and a fair share of social housing.",
                (0, 2, 3),
                ("udhr-25", "udhr-14", "migrants-refugees", "low-income", "housing"),
            ),
            Theme(
                "One desk, many languages, no discrimination",
                "Help people find their way and stop unequal treatment.",
                (1, 4, 5),
                ("udhr-2", "migrants-refugees", "disabilities", "housing"),
            ),
        ),
        pathways=(
            Pathway(
                0,
                "A first home within six months of arrival",
                "Refugee families stay a year or more in temporary shelters: landlords "
                "ask for guarantees and a rental history they cannot have.",
                "Every refugee family in the city has a secure, affordable home within "
                "six months of arrival.",
                (
                    Step(
                        "Set up a rent guarantee fund with the regional government",
                        "City housing department",
                        "short",
                        "Fund in next year's budget; leases signed with it",
                    ),
                    Step(
                        "Convert two empty municipal buildings into transitional flats",
                        "Public housing company",
                        "medium",
                        "Flats opened; average stay before a lasting home",
                    ),
                    Step(
                        "Reserve a share of new social housing by a transparent, needs-based rule",
                        "City council with refugee-led associations",
                        "long",
                        "Share of allocations; waiting time by group",
                    ),
                ),
                more_tags=("homelessness",),
                comments=(
                    (2, "The fund should also cover people still waiting for asylum."),
                    (4, "Ask refugee-led groups to sit on the allocation board."),
                ),
                endorsers=(0, 2, 3, 4),
            ),
            Pathway(
                1,
                "Fair access to housing for everyone who arrives",
                "Newcomers are turned away at agencies and lost between offices; those "
                "with disabilities wait longest.",
                "Anyone who arrives finds help in their language at one desk and is "
                "treated like any other tenant.",
                (
                    Step(
                        "Open a one-stop desk with interpreters at the town hall",
                        "Social services",
                        "short",
                        "Languages offered; people helped each month",
                    ),
                    Step(
                        "Yearly discrimination testing of rental agencies, results published",
                        "Human rights office with a university",
                        "medium",
                        "Share of tests showing unequal treatment",
                    ),
                    Step(
                        "Priority allocation of accessible flats",
                        "Public housing company",
                        "medium",
                        "Waiting time for an accessible flat",
                    ),
                ),
                comments=((5, "Publish the test results by district, not only city-wide."),),
                endorsers=(1, 5),
            ),
        ),
    ),
    Room(
        name="Work",
        topic="Access to work for women victims of violence",
        people=(
            Person("Lucía", CIVIL_SOCIETY, facilitator=True),
            Person("Nadia", RESIDENT),
            Person(None, RESIDENT),
            Person("Hye-jin", GOVERNMENT),
            Person("Marta", EXPERT),
            Person(None, votes=False),
        ),
        ideas=(
            Idea(
                1,
                "Paid traineeships in city services, with childcare included",
                "Places kept for women referred by shelters, paid from the first day.",
                ("udhr-23", "women", "work-income"),
                "strong",
            ),
            Idea(
                4,
                "Anonymous job applications in all municipal hiring",
                "",
                ("udhr-23", "udhr-2", "women", "minorities-indigenous", "work-income"),
                "split",
            ),
            Idea(
                0,
                "Bolsa de empleo con empresas comprometidas contra la violencia de género",
                "Empresas locales que firman una carta y ofrecen puestos estables.",
                ("udhr-23", "women", "safety", "work-income"),
                "strong",
            ),
            Idea(
                2,
                "Paid leave for court hearings and medical appointments",
                "",
                ("udhr-23", "udhr-3", "women", "safety"),
                "mild",
            ),
            Idea(
                5,
                "Keep survivors' home addresses off payroll and staff records",
                "",
                ("udhr-12", "udhr-3", "women", "safety"),
                "mild",
            ),
            Idea(
                1,
                "Micro-grants and mentoring for survivors who start a business",
                "",
                ("udhr-23", "women", "low-income", "work-income"),
                "split",
            ),
            Idea(
                3,
                "피해 여성을 위한 야간·주말 보육 서비스 확대",
                "교육이나 야간 근무 중에도 아이를 안전하게 맡길 수 있도록.",
                ("udhr-23", "women", "children-youth", "health-care"),
                "strong",
            ),
        ),
        themes=(
            Theme(
                "Jobs with support around them",
                "A paid first step, employers who commit, childcare that fits.",
                (0, 2, 6),
                ("udhr-23", "women", "children-youth", "work-income"),
            ),
            Theme(
                "Safety and dignity at work",
                "",
                (3, 4),
                ("udhr-3", "udhr-12", "women", "safety"),
            ),
            Theme(
                "Fair hiring and an income of one's own",
                "",
                (1, 5),
                ("udhr-23", "udhr-2", "women", "low-income", "work-income"),
            ),
        ),
        pathways=(
            Pathway(
                0,
                "From shelter to a paid job within a year",
                "Women leaving violence often have no recent work history, no childcare "
                "and no income of their own, so they return to the person who hurt them.",
                "Every woman who leaves a shelter can have a paid job within a year, with "
                "childcare that fits her hours.",
                (
                    Step(
                        "Keep 30 paid traineeships a year in city services for women "
                        "referred by shelters",
                        "City HR department with women's shelters",
                        "short",
                        "Traineeships filled; still employed after 12 months",
                    ),
                    Step(
                        "Night and weekend childcare places for trainees",
                        "Early-years service",
                        "short",
                        "Places used",
                    ),
                    Step(
                        "Sign a charter with local employers for a shared job pool",
                        "Chamber of commerce and women's associations",
                        "medium",
                        "Employers signed; women hired",
                    ),
                ),
                comments=(
                    (1, "Ask survivors' associations to co-design the traineeships."),
                    (4, "Que las prácticas estén pagadas desde el primer día."),
                ),
                endorsers=(1, 2, 3, 4),
            ),
            Pathway(
                1,
                "Workplaces that keep survivors safe",
                "A court date or a known address can cost a survivor her job or her safety.",
                "The city, as an employer, is a safe place to work for every survivor.",
                (
                    Step(
                        "Paid leave for hearings and medical appointments in the staff rules",
                        "City council",
                        "short",
                        "Rule adopted; days of leave taken",
                    ),
                    Step(
                        "Confidential address on payroll and staff records on request",
                        "City HR department",
                        "short",
                        "Requests honoured",
                    ),
                    Step(
                        "Train managers to recognise violence and respond to it",
                        "Equality office",
                        "medium",
                        "Managers trained",
                    ),
                ),
                endorsers=(2, 5),
            ),
        ),
    ),
    Room(
        name="Digital",
        topic="Education through technologies and digital innovation",
        people=(
            Person("Mei", EXPERT, facilitator=True),
            Person("Seo-yeon", GOVERNMENT),
            Person(None, RESIDENT),
            Person("Kwame", CIVIL_SOCIETY),
            Person("Claire", RESIDENT),
            Person(None, votes=False),
        ),
        ideas=(
            Idea(
                3,
                "Free refurbished laptops through public libraries",
                "Old city computers, refurbished by a social enterprise, lent like books.",
                ("udhr-26", "low-income", "children-youth", "education-digital"),
                "strong",
            ),
            Idea(
                0,
                "Digital skills classes in community centres, in several languages",
                "",
                ("udhr-26", "migrants-refugees", "older-persons", "education-digital"),
                "strong",
            ),
            Idea(
                1,
                "어르신을 위한 스마트폰 교실을 주민센터에서 운영",
                "은행, 병원 예약, 행정 서비스를 직접 해 보는 실습 중심으로.",
                ("udhr-26", "older-persons", "education-digital"),
                "strong",
            ),
            Idea(
                2,
                "Free Wi-Fi in every social housing block",
                "",
                ("udhr-26", "low-income", "education-digital", "housing"),
                "split",
            ),
            Idea(
                5,
                "School platforms that work with screen readers and captions by default",
                "",
                ("udhr-26", "disabilities", "children-youth", "education-digital"),
                "mild",
            ),
            Idea(
                4,
                "Des médiateurs numériques en mairie pour aider aux démarches en ligne",
                "",
                ("udhr-21", "older-persons", "migrants-refugees", "participation"),
                "mild",
            ),
            Idea(
                3,
                "Keep a paper and telephone way into every online public service",
                "Some people will never go online; their rights cannot depend on it.",
                ("udhr-21", "udhr-2", "older-persons", "disabilities", "participation"),
                "split",
            ),
        ),
        themes=(
            Theme(
                "Devices and connection for every learner",
                "",
                (0, 3),
                ("udhr-26", "low-income", "children-youth", "education-digital"),
            ),
            Theme(
                "Learning digital skills close to home",
                "Classes and mediators where people already go, in their language.",
                (1, 2, 5),
                ("udhr-26", "older-persons", "migrants-refugees", "education-digital"),
            ),
            Theme(
                "No one shut out by design",
                "",
                (4, 6),
                ("udhr-2", "udhr-21", "disabilities", "older-persons", "participation"),
            ),
        ),
        pathways=(
            Pathway(
                1,
                "Digital inclusion close to home",
                "Public services move online while older residents, newcomers and "
                "low-income families lack the skills, the devices or the connection.",
                "Everyone in the city can learn, ask for help and use public services "
                "online, near home and in their own language.",
                (
                    Step(
                        "Weekly classes on smartphones and online services in every "
                        "community centre, in Korean, English and newcomers' languages",
                        "Community centres with volunteer tutors",
                        "short",
                        "Classes held; learners by age and language",
                    ),
                    Step(
                        "Digital mediators at town hall counters",
                        "City administration",
                        "medium",
                        "People helped; procedures completed",
                    ),
                    Step(
                        "Lend refurbished laptops through public libraries",
                        "Public libraries and the city's IT department",
                        "medium",
                        "Laptops lent; households reached",
                    ),
                ),
                more_tags=("low-income",),
                comments=(
                    (3, "Libraries already lend tablets: start there."),
                    (1, "주민센터 강사는 지역 청년 자원봉사자와 함께 구성하면 좋겠습니다."),
                ),
                endorsers=(1, 2, 3, 4, 5),
            ),
        ),
    ),
    Room(
        name="Mobility",
        topic="Mobility and accessibility between and within territories",
        people=(
            Person("Carlos", GOVERNMENT, facilitator=True),
            Person("Ji-ho", RESIDENT),
            Person(None, RESIDENT),
            Person("Sofía", CIVIL_SOCIETY),
            Person("Tomás", EXPERT),
            Person(None, paper=True),
        ),
        ideas=(
            Idea(
                2,
                "Free public transport for job seekers and low-income households",
                "",
                ("udhr-13", "udhr-25", "low-income", "mobility-accessibility"),
                "split",
            ),
            Idea(
                4,
                "Step-free access at every metro station and bus stop by 2030",
                "",
                ("udhr-13", "disabilities", "older-persons", "mobility-accessibility"),
                "strong",
            ),
            Idea(
                3,
                "Autobuses a demanda para los barrios periféricos y las zonas rurales",
                "Reserva por teléfono o aplicación, con la misma tarifa que el autobús.",
                ("udhr-13", "low-income", "older-persons", "mobility-accessibility"),
                "strong",
            ),
            Idea(
                1,
                "저상버스와 휠체어 택시를 늘려 주세요",
                "",
                ("udhr-13", "disabilities", "mobility-accessibility"),
                "strong",
            ),
            Idea(
                0,
                "Well-lit, safe walking routes to schools and to night-shift workplaces",
                "",
                ("udhr-3", "women", "children-youth", "safety", "mobility-accessibility"),
                "mild",
            ),
            Idea(
                3,
                "Wheelchair users and blind residents audit new stations before they open",
                "",
                ("udhr-21", "disabilities", "participation", "mobility-accessibility"),
                "mild",
            ),
            Idea(
                5,
                "Timetables read aloud at stops and printed in large type",
                "",
                ("disabilities", "older-persons", "mobility-accessibility"),
                "mild",
            ),
        ),
        themes=(
            Theme(
                "Step-free, barrier-free travel",
                "",
                (1, 3, 5, 6),
                ("udhr-13", "disabilities", "older-persons", "mobility-accessibility"),
            ),
            Theme(
                "Transport people can afford, wherever they live",
                "",
                (0, 2),
                ("udhr-13", "udhr-25", "low-income", "mobility-accessibility"),
            ),
            Theme(
                "Safe journeys",
                "",
                (4,),
                ("udhr-3", "women", "children-youth", "safety"),
            ),
        ),
        pathways=(
            Pathway(
                0,
                "A city everyone can cross",
                "Stairs, high-floor buses and printed-only timetables keep disabled and "
                "older residents at home, and the outskirts far from work and services.",
                "Every resident can travel step-free, with information they can perceive, "
                "to any part of the city.",
                (
                    Step(
                        "Audit every station with disabled residents and publish a step-free plan",
                        "Transport authority with disability organisations",
                        "short",
                        "Stations audited; plan published",
                    ),
                    Step(
                        "Double the low-floor buses and wheelchair taxis",
                        "Transport authority",
                        "medium",
                        "Share of low-floor buses; wait for a wheelchair taxi",
                    ),
                    Step(
                        "Step-free access at every metro station and bus stop",
                        "Transport authority and regional government",
                        "long",
                        "Share of stops that are step-free",
                    ),
                ),
                comments=((1, "Include audio announcements inside the buses too."),),
                endorsers=(1, 2, 3, 4),
            ),
        ),
    ),
)

#: Cross-room themes: name, description, and their room themes as (room, theme) numbers.
CROSS_THEMES = (
    (
        "Public services that speak people's language",
        "Interpreters, classes and mediators at the counters people already visit.",
        ((0, 1), (2, 1)),
    ),
    (
        "Safety as a condition of equality",
        "At work, at home and on the way between them.",
        ((1, 1), (3, 2)),
    ),
)


@dataclass(frozen=True)
class Seeded:
    """What `seed` made: the workshop, its join code and the account that owns it."""

    workshop_id: int
    code: str
    email: str
    #: The password of an account made for the demo; None when the account existed.
    password: str | None


def _stance(draw: random.Random, leaning: str) -> str | None:
    """One person's stance on an idea of this leaning (None: they do not vote on it)."""
    roll = draw.random()
    for stance, chance in zip(("agree", "disagree", "pass"), LEANINGS[leaning], strict=True):
        if roll < chance:
            return stance
        roll -= chance
    return None


def account_emails() -> list[str]:
    """Every account's e-mail, the oldest account first: who could own the demo."""
    return list(db.session.scalars(sa.select(User.email).order_by(User.id)))


def seed(email: str = DEMO_EMAIL) -> Seeded:
    """Build the demo workshop through the services, owned by the account with this e-mail.

    When no account has it, one is made with a random password (returned once). Raises
    DomainError if a service refuses.
    """
    password = None
    owner = accounts.user_by_email(email)
    if owner is None:
        password = secrets.token_urlsafe(9)
        user_id = accounts.create_user(email, "Demo organizer", password)
    else:
        user_id = owner.id
    workshop_id = workshops.create_workshop(
        user_id,
        workshops.WorkshopSettings(
            title=TITLE,
            question=QUESTION,
            description=DESCRIPTION,
            assignment="choose",
            stakeholder_roles=ROLES,
            voting_mode="agree",
            schedule=SCHEDULE,
        ),
        [(room.name, room.topic) for room in ROOMS],
    )
    view = snapshots.moderator_snapshot(user_id, workshop_id)
    code = view["workshop"]["code"]
    room_ids = [room["id"] for room in view["rooms"] if room["kind"] == "breakout"]
    tag_ids = {tag.key: tag.id for tag in active_tags(workshop_id) if tag.key}

    def tagged(keys: tuple[str, ...]) -> list[int]:
        return [tag_ids[key] for key in keys]

    participants.open_breakouts(user_id, workshop_id)
    # People: phones join with a random device token (a guessable one would let anyone
    # act as them) and choose their room; people on paper are added by the facilitator.
    people: list[list[int]] = []
    facilitators: list[int] = []
    for room, room_id in zip(ROOMS, room_ids, strict=True):
        ids = []
        for person in room.people:
            if person.paper:
                scribe_by = ("participant", facilitators[-1])
                added = scribe.add_paper_person(scribe_by, room_id, person.name)
                ids.append(added["member"]["id"])
                continue
            joined = participants.join_workshop(
                code, secrets.token_urlsafe(16), person.name, person.role
            )
            ids.append(joined["participant_id"])
            participants.choose_room(ids[-1], room_id)
            if person.facilitator:
                phases.appoint_facilitator(user_id, workshop_id, ids[-1])
                facilitators.append(ids[-1])
        people.append(ids)

    # Propose: authors post and tag their ideas; the facilitator enters paper and tags it.
    idea_ids: list[list[int]] = []
    for room, ids, facilitator in zip(ROOMS, people, facilitators, strict=True):
        posted = []
        for idea in room.ideas:
            author, on_paper = ids[idea.author], room.people[idea.author].paper
            if on_paper:
                made = scribe.post_idea(
                    ("participant", facilitator), author, idea.text, idea.details
                )
            else:
                made = ideas.post_idea(author, idea.text, idea.details)
            posted.append(made["idea"]["id"])
            tags.tag_idea(facilitator if on_paper else author, posted[-1], tagged(idea.tags))
        idea_ids.append(posted)

    # Cluster: each facilitator groups the room's ideas into tagged themes.
    phases.set_phase(user_id, workshop_id, "cluster")
    theme_ids: list[list[int]] = []
    for room, facilitator, posted in zip(ROOMS, facilitators, idea_ids, strict=True):
        made = []
        for theme in room.themes:
            created = themes.create_theme(
                ("participant", facilitator),
                theme.name,
                theme.description,
                [posted[n] for n in theme.ideas],
            )
            made.append(created["theme"]["id"])
            tags.tag_theme(facilitator, made[-1], tagged(theme.tags))
        theme_ids.append(made)

    # Vote: agree / disagree / pass, each person's stance drawn from the idea's leaning.
    # Votes count only in the vote phase, and totals stay hidden until everyone has voted.
    phases.set_phase(user_id, workshop_id, "vote")
    phases.set_results_hidden(user_id, workshop_id, True)
    draw = random.Random(SEED)
    for room, ids, facilitator, posted in zip(ROOMS, people, facilitators, idea_ids, strict=True):
        for person, person_id in zip(room.people, ids, strict=True):
            if not person.votes:
                continue
            for idea, idea_id in zip(room.ideas, posted, strict=True):
                stance = _stance(draw, idea.leaning)
                if stance is None:
                    continue
                if person.paper:
                    scribe.give_opinion(("participant", facilitator), person_id, idea_id, stance)
                else:
                    votes.give_opinion(person_id, idea_id, stance)

    # Pathway: the results are revealed; facilitators draft from themes; people comment
    # and endorse.
    phases.set_results_hidden(user_id, workshop_id, False)
    phases.set_phase(user_id, workshop_id, "pathway")
    for room, ids, facilitator, made in zip(ROOMS, people, facilitators, theme_ids, strict=True):
        for pathway in room.pathways:
            by = ("participant", facilitator)
            drafted = pathways.create_pathway(by, pathway.title, made[pathway.theme])["pathway"]
            pathways.edit_pathway(
                by,
                drafted["id"],
                drafted["version"],
                {
                    "challenge": pathway.challenge,
                    "vision": pathway.vision,
                    "steps": [vars(step) for step in pathway.steps],
                    "tag_ids": sorted(set(drafted["tag_ids"]) | set(tagged(pathway.more_tags))),
                },
            )
            for person, text in pathway.comments:
                pathways.comment_pathway(ids[person], drafted["id"], text)
            for person in pathway.endorsers:
                pathways.endorse_pathway(ids[person], drafted["id"], True)

    # Back in the plenary: cross-room themes, rooms closed, breakouts closed.
    for name, description, members in CROSS_THEMES:
        cross_themes.create_cross_theme(
            user_id,
            workshop_id,
            name,
            [theme_ids[room][theme] for room, theme in members],
            description,
        )
    phases.set_phase(user_id, workshop_id, "closed")
    participants.close_breakouts(user_id, workshop_id)
    return Seeded(workshop_id, code, email, password)
