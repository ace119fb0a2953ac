"""site chrome: the course name and tagline in every page's header

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Reviewed by hand: two text columns on the one discussion_settings row, with server defaults so an
existing row needs no update (an empty name shows BLOG_TITLE).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("site_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("site_tagline", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("site_tagline")
        batch_op.drop_column("site_name")
