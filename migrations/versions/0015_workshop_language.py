"""Languages (issue 12): the workshop's language, which the projector and the synthesis
speak unless a viewer chose their own.

Existing workshops get English, the only language before this revision. Going down drops
the column.

Revision ID: 0015_workshop_language
Revises: 0014_pathways
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_workshop_language"
down_revision = "0014_pathways"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=16), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("language")
