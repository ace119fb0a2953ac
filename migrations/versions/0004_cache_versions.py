"""cache versions: posts.page_version and the cache_versions counters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    cache_versions = op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )
    op.bulk_insert(cache_versions, [{"name": "moderation", "version": 1}])
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("page_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    op.drop_table("cache_versions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("page_version")
