"""author emails: whose replies an author hears about, once-only records, opted-out addresses

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Reviewed by hand: three columns on comments, each with a server default or nullable so existing
rows need no update (nobody chose "anyone" before the choice existed; no approval or reply email
was sent before these emails existed), and a table of addresses that unsubscribed from every
email of the blog (the address, trimmed and lowercased, is the key).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notify_replies_from_anyone",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("published_email_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reply_email_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "email_opt_outs",
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_email_opt_outs")),
    )


def downgrade():
    op.drop_table("email_opt_outs")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("reply_email_sent_at")
        batch_op.drop_column("published_email_sent_at")
        batch_op.drop_column("notify_replies_from_anyone")
