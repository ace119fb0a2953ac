"""The seed command loads the Secret Speech post and its comment exactly once."""

from __future__ import annotations

from app.extensions import db
from app.models import Comment, CommentStatus, Post
from app.transfer.seed import load_seed_data


def test_seed_loads_the_post_and_its_approved_comment(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Seeded 1 post(s) and 1 comment(s)." in result.output
    with app.app_context():
        post = db.session.scalars(db.select(Post)).one()
        assert post.title == "The Secret Speech on Stalin’s Cult of Personality, 1956"
        assert post.author_name == "Student"
        paragraphs = post.body.split("\n\n")
        assert len(paragraphs) == 3
        assert paragraphs == load_seed_data()["post"]["paragraphs"]
        comment = db.session.scalars(db.select(Comment)).one()
        assert comment.status is CommentStatus.APPROVED
        assert comment.author_name == "Reader"
        assert comment.body.startswith("This post does a good job of contextualizing")
        assert comment.body.endswith(
            "what parts of the Stalinist system Khrushchev did not critique…"
        )


def test_seed_text_keeps_the_students_quirks():
    paragraphs = load_seed_data()["post"]["paragraphs"]
    assert "Joesph Stalin" in paragraphs[0]
    assert "Soviet Union.\u00a0 Three years" in paragraphs[0]  # her no-break space and space
    assert "“Secret Speech”" in paragraphs[0]
    assert "“revisionist”" in paragraphs[1]
    assert "full on on violent" in paragraphs[1]
    assert paragraphs[2].startswith("I’m sure")


def test_seed_twice_creates_nothing_twice(app, runner):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "already there" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1
