"""roster and assignment windows: students, comments linked by hand, posts' opens/due/closes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

The window columns are nullable (a post without dates behaves as before), so existing posts need
no backfill. Students are matched to comments by email, not by a key on comments: removing a
student leaves their comments alone, and only a hand-made link goes when its student goes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
# Another branch adds 0006; the merge re-chains this one onto it.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=245), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
        sa.UniqueConstraint("email", name=op.f("uq_students_email")),
    )
    op.create_table(
        "student_comment_links",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_student_comment_links_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_student_comment_links_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_student_comment_links")),
    )
    with op.batch_alter_table("student_comment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_student_comment_links_student_id"), ["student_id"], unique=False
        )

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("closes_at")
        batch_op.drop_column("due_at")
        batch_op.drop_column("opens_at")

    with op.batch_alter_table("student_comment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_comment_links_student_id"))

    op.drop_table("student_comment_links")
    op.drop_table("students")
