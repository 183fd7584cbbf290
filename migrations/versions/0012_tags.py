"""Human-rights tags: each workshop's lists of rights, groups and domains, and the tags of
ideas and themes.

Every existing workshop gets the default sets, in English, as new workshops do in the
organizer's language. The defaults are written out here rather than read from
cocreate/tagsets.py: a migration must make the same rows whatever that module says later.
Going down drops the tags and every idea's and theme's tags with them.

Revision ID: 0012_tags
Revises: 0011_themes
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_tags"
down_revision = "0011_themes"
branch_labels = None
depends_on = None

#: The default sets as of this revision: (kind, key, label) in display order.
RIGHTS = [
    "Free and equal in dignity and rights",
    "Freedom from discrimination",
    "Life, liberty and security of person",
    "Freedom from slavery and servitude",
    "Freedom from torture and degrading treatment",
    "Recognition as a person before the law",
    "Equality before the law",
    "Effective remedy for rights violated",
    "Freedom from arbitrary arrest, detention or exile",
    "Fair and public hearing",
    "Presumed innocent until proved guilty",
    "Privacy, family, home and correspondence",
    "Freedom of movement and residence",
    "Asylum from persecution",
    "A nationality",
    "Marriage and family",
    "Property",
    "Freedom of thought, conscience and religion",
    "Freedom of opinion and expression",
    "Peaceful assembly and association",
    "Taking part in government; equal access to public service",
    "Social security",
    "Work, fair pay and trade unions",
    "Rest and leisure",
    "Adequate standard of living",
    "Education",
    "Cultural life, arts and science",
    "A social and international order where rights are realised",
    "Duties to the community; limits only by law",
    "No one may destroy these rights",
]
DEFAULTS = [
    *(("rights", f"udhr-{n}", f"Art. {n} {title}") for n, title in enumerate(RIGHTS, start=1)),
    ("groups", "women", "Women"),
    ("groups", "migrants-refugees", "Migrants and refugees"),
    ("groups", "disabilities", "Persons with disabilities"),
    ("groups", "older-persons", "Older persons"),
    ("groups", "children-youth", "Children and youth"),
    ("groups", "lgbtiq", "LGBTIQ+ people"),
    ("groups", "minorities-indigenous", "Ethnic minorities and Indigenous peoples"),
    ("groups", "homelessness", "People experiencing homelessness"),
    ("groups", "low-income", "Low-income households"),
    ("domains", "housing", "Housing"),
    ("domains", "work-income", "Work and income"),
    ("domains", "education-digital", "Education and digital inclusion"),
    ("domains", "mobility-accessibility", "Mobility and accessibility"),
    ("domains", "health-care", "Health and care"),
    ("domains", "safety", "Safety and freedom from violence"),
    ("domains", "participation", "Participation"),
    ("domains", "climate-justice", "Climate justice"),
    ("domains", "culture", "Culture"),
]


def upgrade():
    tags = op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint("kind IN ('rights', 'groups', 'domains')", name="tag_kind"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "kind", "label", name="one_tag_per_label"),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_workshop_id"), ["workshop_id"], unique=False)
    op.create_table(
        "idea_tags",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", "tag_id"),
    )
    with op.batch_alter_table("idea_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_tags_tag_id"), ["tag_id"], unique=False)
    op.create_table(
        "theme_tags",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "tag_id"),
    )
    with op.batch_alter_table("theme_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_tags_tag_id"), ["tag_id"], unique=False)

    bind = op.get_bind()
    workshop_ids = bind.execute(sa.text("SELECT id FROM workshops ORDER BY id")).scalars().all()
    rows = []
    for workshop_id in workshop_ids:
        positions: dict[str, int] = {}
        for kind, key, label in DEFAULTS:
            position = positions[kind] = positions.get(kind, -1) + 1
            rows.append(
                {
                    "workshop_id": workshop_id,
                    "kind": kind,
                    "key": key,
                    "label": label,
                    "position": position,
                    "removed": False,
                }
            )
    if rows:
        op.bulk_insert(tags, rows)


def downgrade():
    with op.batch_alter_table("theme_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_tags_tag_id"))
    op.drop_table("theme_tags")
    with op.batch_alter_table("idea_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_tags_tag_id"))
    op.drop_table("idea_tags")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_workshop_id"))
    op.drop_table("tags")
