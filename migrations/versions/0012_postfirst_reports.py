"""post first and comment reports: a per-post "post before seeing replies" switch, readers'
reports of comments, and how many reports hold a comment

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Reviewed by hand: one column on posts and one on discussion_settings, each with a server default
so existing rows need no update, and the new comment_reports table.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("post_first", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reports_to_hold", sa.Integer(), server_default="3", nullable=False)
        )
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "none",
                "off-topic",
                "unkind",
                "personal",
                "other",
                name="report_reason",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("reporter_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_reports_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reports")),
    )
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.create_index(
            "uq_comment_reports_comment_reporter", ["comment_id", "reporter_hash"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_comment_reports_resolved_at"), ["resolved_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_reports_resolved_at"))
        batch_op.drop_index("uq_comment_reports_comment_reporter")
    op.drop_table("comment_reports")
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("reports_to_hold")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("post_first")
