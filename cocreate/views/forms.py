"""Web forms (CSRF-protected); services do the real validation."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional

from cocreate.languages import name


class LoginForm(FlaskForm):
    """Sign in with e-mail and password."""

    email = EmailField(_l("E-mail"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class SetupForm(FlaskForm):
    """Create the first organizer account."""

    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=80)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[InputRequired()])


class PasswordForm(FlaskForm):
    """Change one's password: the current one, and the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[InputRequired()]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
    )


def assignment_choices():
    """Return the assignment modes with their labels."""
    return [
        SelectChoice("choose", _l("Participants choose a room")),
        SelectChoice("random", _l("Spread participants randomly and evenly")),
        SelectChoice("manual", _l("The moderator places each participant")),
    ]


def voting_choices():
    """Return the voting modes with their labels."""
    return [
        SelectChoice("dots", _l("Dots: each participant spreads a budget of dots")),
        SelectChoice("agree", _l("Agree / disagree / pass on each idea")),
        SelectChoice("scores", _l("Scores from 1 to 5 on each criterion")),
    ]


def language_choices():
    """Return the interface's languages, each named in itself (cocreate.languages)."""
    return [SelectChoice(code, name(code)) for code in current_app.config["LANGUAGES"]]


class SmallNumberField(IntegerField):
    """A whole number of at most six digits (a setting, never an amount of money).

    Longer input is refused before it becomes a number: WTForms' range check turns a
    400-digit number into a float and fails with an error instead of a message.
    """

    def process_formdata(self, valuelist):
        """Refuse more than six digits with a message; otherwise read as IntegerField does."""
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > 6:
            self.data = None
            raise ValueError(_("Enter a whole number of at most six digits."))
        super().process_formdata(valuelist)


class LinesField(TextAreaField):
    """A list edited as text, one item per line (stakeholder roles, criteria)."""

    def process_data(self, value):
        """Show a list from the database as lines; a post that leaves the field out keeps it."""
        self.data = "\n".join(value) if isinstance(value, list | tuple) else value


#: What a datetime-local input sends (with seconds when its step asks for them).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class WorkshopForm(FlaskForm):
    """A workshop's question and rules."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=120)])
    question = TextAreaField(_l("Guiding question"), validators=[InputRequired(), Length(max=500)])
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=2000)])
    dots_per_room = SmallNumberField(
        _l("Dots per participant per room"), default=5, validators=[NumberRange(1, 50)]
    )
    max_dots_per_idea = SmallNumberField(
        _l("Most dots one participant may put on one idea"),
        default=3,
        validators=[NumberRange(1, 50)],
    )
    voting_mode = SelectField(_l("How participants vote"), choices=voting_choices(), default="dots")
    criteria = LinesField(
        _l("Criteria ideas are scored on, one per line (scores only, at most 5)"),
        validators=[Length(max=500)],
    )
    assignment = SelectField(_l("How people get into breakout rooms"), choices=assignment_choices())
    premoderation = BooleanField(
        _l("Pre-moderation: new ideas appear after a moderator approves them")
    )
    participants_cluster = BooleanField(
        _l("Participants group ideas into themes too (during the Cluster phase)")
    )
    stakeholder_roles = LinesField(
        _l("Stakeholder roles participants may declare, one per line (empty: none asked)"),
        validators=[Length(max=1000)],
    )
    # Local times in the first time zone (cocreate.services.workshops.Schedule); named
    # unlike the columns so a form made from a workshop does not show them in UTC.
    starts = DateTimeLocalField(
        _l("Starts (in the first time zone)"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    ends = DateTimeLocalField(
        _l("Ends (in the first time zone)"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    time_zones = LinesField(
        _l("Time zones, one per line, the host's first (e.g. Asia/Seoul, Europe/Madrid)"),
        validators=[Length(max=400)],
    )
    organizers = LinesField(
        _l("Organizers, one per line (named in the synthesis)"), validators=[Length(max=1600)]
    )
    language = SelectField(
        _l("Language of the projector and the synthesis"),
        choices=language_choices,
        default="",
        # Left out of a form (an older page, a script): "" -- the service takes the
        # organizer's language then, and refuses a code it does not offer.
        validate_choice=False,
    )


class TagsForm(FlaskForm):
    """A workshop's human-rights tag lists, one tag per line (cocreate.services.tags)."""

    rights = LinesField(_l("Rights"), validators=[Length(max=6000)])
    groups = LinesField(_l("Groups at risk of exclusion"), validators=[Length(max=6000)])
    domains = LinesField(_l("Policy domains"), validators=[Length(max=6000)])


class NewWorkshopForm(WorkshopForm):
    """A new workshop, with its first breakout rooms."""

    rooms = TextAreaField(
        _l("Breakout rooms, one per line: name, then a colon and the topic (optional)"),
        validators=[Length(max=6000)],
    )


class RoomForm(FlaskForm):
    """A breakout room's name and topic."""

    name = StringField(_l("Room name"), validators=[InputRequired(), Length(max=80)])
    topic = StringField(_l("Topic (optional)"), validators=[Length(max=300)])


class InviteForm(FlaskForm):
    """Invite an existing account as a co-moderator."""

    email = EmailField(_l("E-mail of the account to invite"), validators=[InputRequired()])


class CodeForm(FlaskForm):
    """The join code, typed by hand."""

    code = StringField(_l("Workshop code"), validators=[InputRequired(), Length(max=20)])


class JoinForm(FlaskForm):
    """What a participant tells about themselves on joining."""

    name = StringField(
        _l("Your name (optional: leave empty to stay anonymous)"), validators=[Length(max=40)]
    )
    role = SelectField(_l("You take part as (optional)"), choices=[], default="")

    def offer_roles(self, roles: list[str]) -> None:
        """Offer the workshop's stakeholder roles, and "prefer not to say"."""
        self.role.choices = [SelectChoice("", _l("Prefer not to say"))] + [
            SelectChoice(role, role) for role in roles
        ]


class ImportForm(FlaskForm):
    """A synthesis JSON file to make a new workshop from (cocreate.synthesis.importer)."""

    file = FileField(
        _l("Workshop file (.json, downloaded from Cocreate)"), validators=[FileRequired()]
    )
    mode = RadioField(
        _l("Import"),
        choices=[
            SelectChoice(
                "template", _l("As a template: question, method, rooms and tags, ready to run")
            ),
            SelectChoice(
                "archive", _l("As an archive: also the ideas, votes, themes and pathways")
            ),
        ],
        default="template",
    )


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
