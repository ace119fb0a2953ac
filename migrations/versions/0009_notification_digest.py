"""notification digest: held comments after the first go out together

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Reviewed by hand: two columns on outbox_messages (which held comments a message tells about;
whether it is a digest still gathering) and the instructor's digest interval, each with a server
default so existing rows need no update.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_comment_ids", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_digest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest_minutes", sa.Integer(), server_default="15", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("digest_minutes")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("is_digest")
        batch_op.drop_column("held_comment_ids")
