"""The private keys of other libraries that app/web/library_state.py reads: each test fails if a
library upgrade moves one, before a page could be served wrong because of it."""

from __future__ import annotations

from flask import flash, g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from app.extensions import db
from app.models import Instructor
from app.web import library_state


def test_flask_login_keeps_the_user_id_where_we_look(app, instructor):
    with app.test_request_context("/"):
        assert not library_state.has_login_session()
        login_user(db.session.get(Instructor, instructor))
        assert session[library_state.LOGIN_USER_KEY] == str(instructor)
        assert library_state.has_login_session()


def test_flask_queues_flashed_messages_where_we_look(app):
    with app.test_request_context("/"):
        assert not library_state.has_flashed_messages()
        flash("Saved.")
        assert library_state.has_flashed_messages()
        assert session[library_state.FLASHES_KEY] == [("message", "Saved.")]


def test_flask_wtf_keeps_the_session_secret_and_the_request_token_where_we_look(app):
    with app.test_request_context("/"):
        assert library_state.session_csrf_secret() is None
        token = generate_csrf()
        field = app.config["WTF_CSRF_FIELD_NAME"]
        assert getattr(g, field) == token
        secret = library_state.session_csrf_secret()
        assert secret is not None and secret == session[field]


def test_a_replaced_token_is_what_every_form_gets_and_the_real_one_comes_back(app):
    with app.test_request_context("/"):
        real = generate_csrf()
        with library_state.csrf_token_replaced("STAND-IN"):
            assert generate_csrf() == "STAND-IN"
        assert generate_csrf() == real
