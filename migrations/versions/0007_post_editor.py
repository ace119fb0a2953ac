"""post editor: post status, body format, excerpt, edit version, old slugs, WordPress ids

Existing posts stay exactly as they are: published (server default), their bodies "plain" (the
escaped paragraphs they render as today), updated when they were published.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "old_slugs",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_old_slugs_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_old_slugs")),
    )
    with op.batch_alter_table("old_slugs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_old_slugs_post_id"), ["post_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wordpress_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_comments_wordpress_id"), ["wordpress_id"])

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "draft", "published", "trash", name="post_status", native_enum=False, length=16
                ),
                server_default="published",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "body_format",
                sa.Enum(
                    "plain", "markdown", "html", name="body_format", native_enum=False, length=16
                ),
                server_default="plain",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("excerpt", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("edit_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("close_after_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wordpress_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_posts_status_published", ["status", "published_at"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_posts_wordpress_id"), ["wordpress_id"])

    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comments_per_page", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "newest_comments_first", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    # Existing posts were last changed, as far as anyone knows, when they were published.
    op.execute("UPDATE posts SET updated_at = published_at")


def downgrade():
    with op.batch_alter_table("discussion_settings", schema=None) as batch_op:
        batch_op.drop_column("newest_comments_first")
        batch_op.drop_column("comments_per_page")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_posts_wordpress_id"), type_="unique")
        batch_op.drop_index("ix_posts_status_published")
        batch_op.drop_column("wordpress_id")
        batch_op.drop_column("close_after_days")
        batch_op.drop_column("edit_version")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("excerpt")
        batch_op.drop_column("body_format")
        batch_op.drop_column("status")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_comments_wordpress_id"), type_="unique")
        batch_op.drop_column("wordpress_id")

    with op.batch_alter_table("old_slugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_old_slugs_post_id"))

    op.drop_table("old_slugs")
