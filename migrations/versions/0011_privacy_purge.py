"""privacy mode and the purge of commenters' addresses

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Reviewed by hand: two discussion settings (privacy mode, off; how many days IP addresses and
browsers are kept, 30), each with a server default so the existing row needs no update, and the
small table where the daily purge records its last run.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("privacy_mode", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_retention_days", sa.Integer(), server_default="30", nullable=False)
        )
    op.create_table(
        "scheduled_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_runs")),
    )


def downgrade():
    op.drop_table("scheduled_runs")
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("address_retention_days")
        batch_op.drop_column("privacy_mode")
