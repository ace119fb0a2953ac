"""edit and return: authors' edits and revisions kept, the instructor's note, the edit window

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

Reviewed by hand: a new table of comment revisions (each change to a comment's text, before and
after), the note kept with a "returned for revision" status change, and the minutes authors may
edit for. Server defaults fill existing rows. The new "returned" comment status needs no schema
change: statuses are stored as short strings without a CHECK constraint.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("edit", "revision", name="revision_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("body_before", sa.Text(), nullable=False),
        sa.Column("body_after", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_revisions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["instructors.id"],
            name=op.f("fk_comment_revisions_instructor_id_instructors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
    )
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_revisions_comment_id"), ["comment_id"], unique=False
        )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_minutes", sa.Integer(), server_default="30", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("edit_minutes")
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_revisions_comment_id"))
    op.drop_table("comment_revisions")
