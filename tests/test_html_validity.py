"""Every kind of page is valid HTML, by the Nu HTML Checker (vnu.jar, run on Debian's Java).

`make test` installs the checker with npm into .tools/ (see the Makefile's html-checker target).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.models import CommentStatus

from .conftest import AuthActions, csrf_token_from
from .live_server import ROOT

VNU_JAR = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
CHECKER_READY = VNU_JAR.exists() and JAVA is not None

if not CHECKER_READY and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("the Nu HTML Checker is missing under CI: `make html-checker` installs it")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHECKER_READY, reason="vnu.jar or Java is missing (make html-checker installs them)"
    ),
    pytest.mark.sqlite_only("the HTML does not depend on the database; one JVM run is enough"),
]

POST = "/posts/the-secret-speech-on-stalins-cult-of-personality-1956/"


def collect_pages(app, instructor_client, make_comment) -> dict[str, str]:
    from app.extensions import db
    from app.models import Comment

    with app.app_context():
        seed_comment = db.session.scalar(db.select(Comment))
        post_id, comment_id = seed_comment.post_id, seed_comment.id
    make_comment(post_id, status=CommentStatus.PENDING, author_name="Held", parent_id=comment_id)

    reader = app.test_client()
    page = reader.get(POST).text
    refused = reader.post(f"{POST}comments", data={"csrf_token": csrf_token_from(page)})
    assert refused.status_code == 400
    with_held = app.test_client()
    with_held.post(
        f"{POST}comments",
        data={
            "csrf_token": csrf_token_from(with_held.get(POST).text),
            "body": "Mine, waiting.",
            "author_name": "Me",
            "author_email": "me@example.com",
            "remember": "y",
        },
    )
    # The page the reader lands on, with the confirmation and the comment's private link.
    confirmed = with_held.get(POST).text
    check_link = re.search(r'href="(/my-comment/[^"]+)"', confirmed).group(1)
    confirm = instructor_client.post(
        f"/moderation/comments/{comment_id}/delete",
        data={"csrf_token": csrf_token_from(instructor_client.get("/moderation").text)},
    )
    queue_before_undo = instructor_client.get("/moderation").text
    pending = make_comment(post_id, status=CommentStatus.PENDING, author_name="Later")
    instructor_client.post(
        f"/moderation/comments/{pending}/spam",
        data={"csrf_token": csrf_token_from(queue_before_undo), "next": "/moderation"},
    )
    pages = {
        "queue-with-undo": instructor_client.get("/moderation?status=all").text,
        "front-page": reader.get("/").text,
        "post-page": reader.get(POST).text,
        "post-page-replying": reader.get(f"{POST}?replytocom={comment_id}").text,
        "post-page-form-errors": refused.text,
        "post-page-held-comment": with_held.get(POST).text,
        "post-page-confirmation": confirmed,
        "my-comment": with_held.get(check_link).text,
        "my-comment-bad-link": with_held.get("/my-comment/forged/").text,
        "login": app.test_client().get("/login").text,
        "not-found": reader.get("/posts/no-such-post/").text,
        "queue": instructor_client.get("/moderation").text,
        "queue-all": instructor_client.get("/moderation?status=all").text,
        "post-page-instructor": instructor_client.get(POST).text,
        "settings": instructor_client.get("/moderation/settings").text,
        "edit": instructor_client.get(f"/moderation/comments/{comment_id}/edit").text,
        "confirm-delete": confirm.text,
        "posts-list": instructor_client.get("/editor/").text,
        "editor-new": instructor_client.get("/editor/new").text,
        "editor-seeded": instructor_client.get(f"/editor/{post_id}").text,
        "editor-preview": instructor_client.post(
            "/editor/new",
            data={
                "csrf_token": csrf_token_from(instructor_client.get("/editor/new").text),
                "title": "Preview",
                "author_name": "Prof",
                "body": "# H\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1]\n\n[^1]: n",
                "preview": "Preview",
            },
        ).text,
        **class_pages(app, instructor_client, post_id, comment_id),
        **privacy_pages(app, reader, instructor_client),
        **report_pages(app, instructor_client, comment_id),
        **unsubscribe_pages(app, make_comment, post_id),
        **author_pages(instructor_client, with_held, check_link),
    }
    assert all(html.lstrip().startswith("<!doctype html>") for html in pages.values())
    return pages


def report_pages(app, instructor_client, comment_id: int) -> dict[str, str]:
    """Reporting a comment (the form, the thanks, a refusal), the Reported view, and a
    post-first post as a reader who has not posted sees it."""
    from app.extensions import db
    from app.models import Comment, Post

    reader = app.test_client()
    form = reader.get(f"/comments/{comment_id}/report")
    data = {"csrf_token": csrf_token_from(form.text), "reason": "other", "note": "Spoils it"}
    done = reader.post(f"/comments/{comment_id}/report", data=data)
    again = reader.post(f"/comments/{comment_id}/report", data=data)
    assert (done.status_code, again.status_code) == (200, 409)
    with app.app_context():
        post = Post(title="Think first", slug="think-first", author_name="Prof", body="Why?")
        post.post_first = True
        post.comments.append(Comment(author_name="A", author_email="a@example.com", body="Hm."))
        post.comments[0].status = CommentStatus.APPROVED
        db.session.add(post)
        db.session.commit()
    return {
        "report-form": form.text,
        "report-done": done.text,
        "report-refused": again.text,
        "queue-reported": instructor_client.get("/moderation?status=reported").text,
        "post-page-hidden-thread": app.test_client().get("/posts/think-first/").text,
    }


def unsubscribe_pages(app, make_comment, post_id: int) -> dict[str, str]:
    """The unsubscribe page: asking, done, and a second visit."""
    from app.discussion.unsubscribe import make_unsubscribe_token
    from app.extensions import db
    from app.models import Comment

    subscribed = make_comment(post_id, notify_author=True, author_email="sub@example.com")
    with app.app_context():
        comment = db.session.get_one(Comment, subscribed)
        url = f"/unsubscribe/{make_unsubscribe_token(app.config['SECRET_KEY'], comment)}"
    browser = app.test_client()
    asking = browser.get(url).text
    done = browser.post(url, data={"csrf_token": csrf_token_from(asking), "scope": "comment"})
    return {
        "unsubscribe": asking,
        "unsubscribe-done": done.text,
        "unsubscribe-again": browser.get(url).text,
    }


def author_pages(instructor_client, author, check_link: str) -> dict[str, str]:
    """The author's edit and revise pages, the return-note form, the returned comment on the
    private page and in the thread, and the queue with a revision's diff."""
    edit_url = f"{check_link}edit"
    edit_page = author.get(edit_url).text
    token = csrf_token_from(edit_page)
    author.post(
        edit_url, data={"csrf_token": token, "body": "Mine, edited.", "seen_status": "pending"}
    )
    queue = instructor_client.get("/moderation").text
    comment_id = re.search(r'id="mod-comment-(\d+)"', queue).group(1)
    return_form = instructor_client.get(
        f"/moderation/comments/{comment_id}/return?next=/moderation"
    )
    refused_return = instructor_client.post(
        f"/moderation/comments/{comment_id}/return",
        data={"csrf_token": csrf_token_from(queue), "note": "", "next": "/moderation"},
    )
    instructor_client.post(
        f"/moderation/comments/{comment_id}/return",
        data={"csrf_token": csrf_token_from(queue), "note": "Say <why>.", "next": "/moderation"},
    )
    pages = {
        "my-comment-edit": edit_page,
        "return-form": return_form.text,
        "return-form-error": refused_return.text,
        "my-comment-returned": author.get(check_link).text,
        "post-page-returned": author.get(POST).text,
    }
    author.post(
        edit_url,
        data={"csrf_token": token, "body": "Mine, revised.", "seen_status": "returned"},
    )
    pages["queue-revised"] = instructor_client.get("/moderation").text
    return pages


def class_pages(app, instructor_client, post_id: int, comment_id: int) -> dict[str, str]:
    """The Class and Participation screens, with a roster, a due date and a preview."""
    import io

    from app.extensions import db
    from app.models import Post, Student

    with app.app_context():
        db.session.add_all(
            [
                Student(name="Zoë Martín", email="zoe@example.com", section="A"),
                Student(name="Reader", email="reader@example.invalid", section="B"),
            ]
        )
        db.session.get(Post, post_id).due_at = db.session.get(Post, post_id).published_at
        db.session.commit()
        student_id = db.session.scalar(db.select(Student.id))
    token = csrf_token_from(instructor_client.get("/class").text)
    preview = instructor_client.post(
        "/class/import",
        data={
            "csrf_token": token,
            "roster_file": (io.BytesIO(b"name,email\nNew,new@example.com\nBad,bad\n"), "c.csv"),
        },
        content_type="multipart/form-data",
    )
    remove = instructor_client.post(
        f"/class/students/{student_id}/remove", data={"csrf_token": token}
    )
    return {
        "class": instructor_client.get("/class").text,
        "class-preview": preview.text,
        "participation": instructor_client.get(f"/class/participation?post={post_id}").text,
        "participation-all": instructor_client.get("/class/participation?sort=words").text,
        "printable": instructor_client.get(f"/class/print?post={post_id}").text,
        "window": instructor_client.get(f"/class/posts/{post_id}/window").text,
        "link": instructor_client.get(f"/class/comments/{comment_id}/link").text,
        "student-edit": instructor_client.get(f"/class/students/{student_id}/edit").text,
        "student-remove": remove.text,
    }


def privacy_pages(app, reader, instructor_client) -> dict[str, str]:
    """The post page in privacy mode, as a reader and as the instructor (names marked private)."""
    from app.discussion.discussion_settings import load_settings
    from app.extensions import db

    with app.app_context():
        settings = load_settings()
        settings.privacy_mode = True
        db.session.add(settings)
        db.session.commit()
    return {
        "post-page-privacy": reader.get(POST).text,
        "post-page-privacy-instructor": instructor_client.get(POST).text,
    }


def test_every_page_is_valid_html(app, seeded, instructor, make_comment, tmp_path: Path):
    instructor_client = app.test_client()
    assert AuthActions(instructor_client).login().status_code == 302
    pages = collect_pages(app, instructor_client, make_comment)
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
    assert len(files) == len(pages) == 46
