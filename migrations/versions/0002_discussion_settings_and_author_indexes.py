"""discussion settings and author indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discussion_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manual_approval", sa.Boolean(), nullable=False),
        sa.Column("require_prior_approval", sa.Boolean(), nullable=False),
        sa.Column("max_links", sa.Integer(), nullable=False),
        sa.Column("moderation_words", sa.Text(), nullable=False),
        sa.Column("disallowed_words", sa.Text(), nullable=False),
        sa.Column("close_after_days", sa.Integer(), nullable=True),
        sa.Column("notify_email", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_settings")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_author_email", ["author_email"], unique=False)
        batch_op.create_index("ix_comments_author_ip", ["author_ip"], unique=False)


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_author_ip")
        batch_op.drop_index("ix_comments_author_email")

    op.drop_table("discussion_settings")
