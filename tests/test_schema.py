"""The migrations build the whole schema, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db

from .conftest import BASE_TEST_CONFIG


def _fresh_app(database_uri):
    return create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})


def test_upgrade_builds_every_table_on_an_empty_database(empty_database_uri):
    app = _fresh_app(empty_database_uri)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_database_uri):
    app = _fresh_app(empty_database_uri)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """Autogenerate against a freshly migrated database finds nothing to do."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_indexes_for_the_comment_queries_exist(app):
    with app.app_context():
        indexes = {
            ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("comments")
        }
    assert indexes["ix_comments_post_status_created"] == ["post_id", "status", "created_at"]
    assert indexes["ix_comments_status_created"] == ["status", "created_at"]
