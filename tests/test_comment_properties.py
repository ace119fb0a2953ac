"""Property: whatever a reader can type is stored exactly and rendered escaped."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Comment
from app.text import render_paragraphs

from .conftest import csrf_token_from

# What a keyboard can produce: any character but surrogates and control characters, plus
# newlines and tabs. (Other control characters are stripped on purpose; tested elsewhere.)
typed_text = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
        st.sampled_from(
            ["\n", "\t", "\n\n", "<script>", "&amp;", '"', "'", "http://a.example/?q=<x>"]
        ),
    ),
    min_size=1,
    max_size=12,
).map("".join)
AUTHORS = itertools.count(1)
UNESCAPED_TAG = re.compile(r"<(?!/?(p|br|a)\b)[a-zA-Z/!?]")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=typed_text)
def test_any_typed_comment_round_trips(app, client, make_post, text):
    assume(text.strip())
    slug = "prop"
    if client.get(f"/posts/{slug}/").status_code == 404:
        make_post(slug=slug)
    number = next(AUTHORS)
    page = client.get(f"/posts/{slug}/")
    response = client.post(
        f"/posts/{slug}/comments",
        data={
            "csrf_token": csrf_token_from(page.text),
            "body": text,
            "author_name": f"Reader {number}",
            "author_email": f"reader{number}@example.com",
        },
    )
    assert response.status_code == 302, response.text[:500]
    comment_id = int(response.headers["Location"].rsplit("-", 1)[1])
    with app.app_context():
        stored = db.session.get(Comment, comment_id)
        assert stored.body == text.strip()
        expected_html = str(render_paragraphs(stored.body))

    html = client.get(f"/posts/{slug}/").text
    assert expected_html in html
    assert not UNESCAPED_TAG.search(expected_html)
