"""author lookups by index seek: (email, created_at), (ip, created_at), (email, status)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_author_email")
        batch_op.drop_index("ix_comments_author_ip")
        batch_op.create_index(
            "ix_comments_author_email_created", ["author_email", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_comments_author_ip_created", ["author_ip", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_comments_author_email_status", ["author_email", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_author_email_status")
        batch_op.drop_index("ix_comments_author_ip_created")
        batch_op.drop_index("ix_comments_author_email_created")
        batch_op.create_index("ix_comments_author_ip", ["author_ip"], unique=False)
        batch_op.create_index("ix_comments_author_email", ["author_email"], unique=False)
