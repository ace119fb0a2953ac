"""author email opt-in: the comments whose authors asked to hear about them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Reviewed by hand: one boolean on comments, false for every existing comment (nobody opted in
before the box existed), so no author is ever written to without having asked.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_author", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("notify_author")
