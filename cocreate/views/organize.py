"""Pages for organizers and moderators: workshops, rooms, the live console."""

import io
import socket
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cocreate import languages
from cocreate.models import TAG_KINDS
from cocreate.services import access, snapshots, tags, workshops
from cocreate.services.errors import DomainError
from cocreate.views import synthesis
from cocreate.views.forms import (
    EmptyForm,
    InviteForm,
    NewWorkshopForm,
    RoomForm,
    TagsForm,
    WorkshopForm,
)

bp = Blueprint("organize", __name__, url_prefix="/workshops")


def join_url(code: str) -> str:
    """The address a phone opens to join (COCREATE_BASE_URL when set, else this host)."""
    base = current_app.config["COCREATE_BASE_URL"] or request.host_url.rstrip("/")
    return f"{base}{url_for('participate.join', code=code)}"


#: Host names that only this computer can open: no phone reaches a link to them.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def points_at_loopback(url: str) -> bool:
    """Tell whether a link names this computer only (localhost, 127.x.x.x, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.endswith(".localhost") or host.startswith("127.")


def lan_address() -> str | None:
    """This computer's address on the network its default route uses, or None offline.

    Connecting a UDP socket only picks the route and the local address; nothing is sent.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answers, never needs to
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if points_at_loopback(f"http://{address}/") or address == "0.0.0.0" else address


def phone_address_hint(url: str) -> dict | None:
    """When the join link names this computer only: the command that would give phones a
    link they can open (with this laptop's LAN address when it can be found)."""
    if not points_at_loopback(url):
        return None
    parts = urlsplit(url)
    address = lan_address()
    port = f":{parts.port}" if parts.port else ""
    base = f"{parts.scheme}://{address or '<this-laptop-address>'}{port}"
    return {
        "host": parts.hostname,
        "address": address,
        "base_url": base,
        "command": f"HOST=0.0.0.0 COCREATE_BASE_URL={base} make run",
    }


def parse_rooms(text: str) -> list[tuple[str, str]]:
    """Read "Name: topic" lines into (name, topic) pairs, skipping blank lines."""
    rooms = []
    for line in (text or "").splitlines():
        name, _sep, topic = line.partition(":")
        if name.strip():
            rooms.append((name.strip(), topic.strip()))
    return rooms


def _settings(form: WorkshopForm) -> workshops.WorkshopSettings:
    return workshops.WorkshopSettings(
        title=form.title.data,
        question=form.question.data,
        description=form.description.data or "",
        dots_per_room=form.dots_per_room.data,
        max_dots_per_idea=form.max_dots_per_idea.data,
        assignment=form.assignment.data,
        premoderation=form.premoderation.data,
        participants_cluster=form.participants_cluster.data,
        stakeholder_roles=_lines(form.stakeholder_roles.data),
        voting_mode=form.voting_mode.data,
        criteria=_lines(form.criteria.data),
        schedule=workshops.Schedule(
            starts_at=form.starts.data,
            ends_at=form.ends.data,
            time_zones=_lines(form.time_zones.data),
            organizers=_lines(form.organizers.data),
        ),
        language=form.language.data or "",
    )


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines()]


@bp.route("/")
@login_required
def index():
    """List the workshops this account runs."""
    return render_template("organize/index.html", workshops=workshops.workshops_of(current_user.id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_workshop():
    """Create a workshop with its breakout rooms."""
    form = NewWorkshopForm()
    if not form.is_submitted():
        form.stakeholder_roles.data = "\n".join(workshops.default_roles())
        form.criteria.data = "\n".join(workshops.default_criteria())
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        try:
            workshop_id = workshops.create_workshop(
                current_user.id, _settings(form), parse_rooms(form.rooms.data)
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The workshop is ready. Open the console to run it."), "info")
            return redirect(url_for("organize.moderate", workshop_id=workshop_id))
    return render_template("organize/new.html", form=form)


@bp.route("/<int:workshop_id>/settings", methods=["GET", "POST"])
@login_required
def settings(workshop_id: int):
    """Change a workshop's question, rules and rooms."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    form = WorkshopForm(obj=workshop)
    if not form.is_submitted():
        form.starts.data, form.ends.data = workshops.local_schedule(workshop)
    if form.validate_on_submit():
        try:
            workshops.update_workshop(current_user.id, workshop_id, _settings(form))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("organize.settings", workshop_id=workshop_id))
    rooms = [room for room in workshop.rooms if not room.removed and not room.is_plenary]
    synthesis.warm_up()  # the download links are on this page
    return render_template(
        "organize/settings.html",
        workshop=workshop,
        form=form,
        voting_fixed=workshops.voting_opened(workshop),
        rooms=rooms,
        room_forms={room.id: RoomForm(obj=room, prefix=f"room{room.id}") for room in rooms},
        new_room=RoomForm(prefix="new"),
        remove_form=EmptyForm(),
        moderators=workshops.moderators_of(current_user.id, workshop_id),
        invite_form=InviteForm(prefix="invite"),
        tags_form=TagsForm(data=tags.tag_lists(current_user.id, workshop_id), prefix="tags"),
        synthesis_formats=synthesis.available_formats(),
    )


@bp.route("/<int:workshop_id>/rooms", methods=["POST"])
@login_required
def add_room(workshop_id: int):
    """Add a breakout room."""
    form = RoomForm(prefix="new")
    if form.validate_on_submit():
        workshops.add_room(current_user.id, workshop_id, form.name.data, form.topic.data or "")
        flash(_("Room added."), "info")
    else:
        flash(_("A room needs a name of at most 80 characters."), "error")
    return redirect(url_for("organize.settings", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/rooms/<int:room_id>", methods=["POST"])
@login_required
def update_room(workshop_id: int, room_id: int):
    """Rename a breakout room or change its topic."""
    form = RoomForm(prefix=f"room{room_id}")
    if form.validate_on_submit():
        workshops.update_room(current_user.id, room_id, form.name.data, form.topic.data or "")
        flash(_("Room saved."), "info")
    else:
        flash(_("A room needs a name of at most 80 characters."), "error")
    return redirect(url_for("organize.settings", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/rooms/<int:room_id>/remove", methods=["POST"])
@login_required
def remove_room(workshop_id: int, room_id: int):
    """Remove a breakout room; its people go back to the plenary."""
    if EmptyForm().validate_on_submit():
        workshops.remove_room(current_user.id, room_id)
        flash(_("Room removed; its participants are back in the plenary."), "info")
    return redirect(url_for("organize.settings", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/moderate")
@login_required
def moderate(workshop_id: int):
    """The live console: every room, its people, ideas and votes."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    link = join_url(workshop.join_code)
    return render_template(
        "organize/moderate.html",
        workshop=workshop,
        join_url=link,
        code=workshops.format_code(workshop.join_code),
        phone_hint=phone_address_hint(link),
    )


@bp.route("/<int:workshop_id>/qr.svg")
@login_required
def qr_code(workshop_id: int):
    """The join link as a QR code (SVG), for the projector."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    buffer = io.BytesIO()
    segno.make(join_url(workshop.join_code), error="m").save(
        buffer, kind="svg", scale=8, border=2, title=_("Scan to join the workshop")
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/<int:workshop_id>/screen")
@login_required
def screen(workshop_id: int):
    """The projector: join code and count in the lobby, live results, the report-back."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    languages.workshop_default(workshop.language)
    return render_template(
        "organize/screen.html",
        workshop=workshop,
        join_url=join_url(workshop.join_code),
        code=workshops.format_code(workshop.join_code),
    )


@bp.route("/<int:workshop_id>/rooms/<int:room_id>/view")
@login_required
def room_view(workshop_id: int, room_id: int):
    """Step into a room: see it live as its participants do (read-only)."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    room = access.room_in_workshop(workshop.id, room_id, breakout_only=True)
    return render_template("organize/room_view.html", workshop=workshop, room=room)


@bp.route("/<int:workshop_id>/participation")
@login_required
def participation(workshop_id: int):
    """Who is taking part, per room and stakeholder role: counts only, never who wrote what."""
    workshop = access.workshop_for_moderator(current_user.id, workshop_id)
    return render_template(
        "organize/participation.html",
        workshop=workshop,
        rows=snapshots.participation(current_user.id, workshop_id),
    )


@bp.route("/<int:workshop_id>/moderators", methods=["POST"])
@login_required
def invite_moderator(workshop_id: int):
    """The owner invites another account to moderate."""
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        try:
            invited = workshops.invite_moderator(current_user.id, workshop_id, form.email.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s can now moderate this workshop.", name=invited["name"]), "info")
    return redirect(url_for("organize.settings", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/moderators/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_moderator(workshop_id: int, user_id: int):
    """The owner takes a co-moderator off the workshop."""
    if EmptyForm().validate_on_submit():
        try:
            workshops.remove_moderator(current_user.id, workshop_id, user_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Removed from the workshop's moderators."), "info")
    return redirect(url_for("organize.settings", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/tags", methods=["POST"])
@login_required
def update_tags(workshop_id: int):
    """Save the workshop's human-rights tag lists (a line taken off removes its tag softly)."""
    # Left-out lists stay as they are: the form starts from the workshop's own.
    form = TagsForm(data=tags.tag_lists(current_user.id, workshop_id), prefix="tags")
    if form.validate_on_submit():
        try:
            tags.update_tags(
                current_user.id,
                workshop_id,
                {kind: _lines(getattr(form, kind).data) for kind in TAG_KINDS},
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Tags saved."), "info")
    else:
        flash(_("A list of tags is too long."), "error")
    return redirect(url_for("organize.settings", workshop_id=workshop_id, _anchor="tags-heading"))
