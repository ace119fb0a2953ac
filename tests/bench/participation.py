"""`python -m tests.bench.participation`: how long the participation report takes for a big class.

Builds one SQLite database with 200 students in 4 sections, 20 posts with due dates and 4,000
comments (a third of them replies, a few late, held, spam or trash, some from guests, a few
linked by hand), then times each class page through the test client, rendering included,
logged in as the instructor. Prints the median and the slowest of the timed runs, and the
number of SQL statements each page ran.

Not part of `make test`: the figures depend on the machine. The target is "well under a second".
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, insert

from app import create_app
from app.classroom.accounts import save_instructor
from app.extensions import db
from app.models import Comment, CommentStatus, Post, Student, StudentCommentLink

from ..live_server import ROOT

STUDENTS, POSTS, COMMENTS = 200, 20, 4_000
PASSWORD = "bench-password-1"  # a throwaway account in a throwaway database
START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def build(app: Flask, rng: random.Random) -> int:
    """The class, its posts and its comments, inserted in bulk; returns the busiest post's id."""
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(
            insert(Student),
            [
                {"name": f"Student {n:03}", "email": f"student{n}@school.example",
                 "section": f"Section {n % 4 + 1}"}
                for n in range(STUDENTS)
            ],
        )  # fmt: skip
        db.session.execute(
            insert(Post),
            [
                {"title": f"Week {n + 1} reading", "slug": f"week-{n + 1}", "author_name": "T",
                 "body": "Read and discuss.", "published_at": START + timedelta(days=7 * n),
                 "opens_at": START + timedelta(days=7 * n),
                 "due_at": START + timedelta(days=7 * n + 5),
                 "closes_at": START + timedelta(days=7 * n + 9)}
                for n in range(POSTS)
            ],
        )  # fmt: skip
        post_ids = list(db.session.scalars(db.select(Post.id).order_by(Post.id)))
        rows: list[dict[str, object]] = []
        by_post: dict[int, list[int]] = {post_id: [] for post_id in post_ids}
        statuses = [CommentStatus.APPROVED] * 85 + [CommentStatus.PENDING] * 8
        statuses += [CommentStatus.SPAM] * 4 + [CommentStatus.TRASH] * 3
        for number in range(1, COMMENTS + 1):
            post_index = rng.randrange(POSTS)
            post_id = post_ids[post_index]
            guest = rng.random() < 0.05
            who = rng.randrange(STUDENTS)
            email = f"visitor{who}@mail.example" if guest else f"Student{who}@School.example "
            siblings = by_post[post_id]
            rows.append(
                {
                    "id": number,
                    "post_id": post_id,
                    "parent_id": rng.choice(siblings) if siblings and rng.random() < 0.35 else None,
                    "author_name": f"Visitor {who}" if guest else f"Student {who:03}",
                    "author_email": email,
                    "body": " ".join(rng.choices(WORDS, k=rng.randint(20, 120))),
                    "status": rng.choice(statuses),
                    # Mostly before the due time (day 5), some up to the closing time (day 9).
                    "created_at": START + timedelta(days=7 * post_index, hours=rng.uniform(0, 210)),
                    "author_ip": "192.0.2.1",
                }
            )
            siblings.append(number)
        db.session.execute(insert(Comment), rows)
        db.session.execute(
            insert(StudentCommentLink),
            [{"comment_id": n, "student_id": n % STUDENTS + 1} for n in range(5, COMMENTS, 400)],
        )
        save_instructor("prof", PASSWORD)
        db.session.commit()
        busiest = max(by_post, key=lambda post_id: len(by_post[post_id]))
    return busiest


# What the comments are made of (their word counts are what matters here).
WORDS = (
    "the", "speech", "Khrushchev", "Stalin", "party", "congress", "secret", "cult",
    "personality", "reform", "thaw", "leak", "west", "power", "fear", "history", "memory",
    "purge", "terror", "socialism", "legacy", "why", "because", "however", "perhaps",
)  # fmt: skip


def timed(app: Flask, client, url: str, runs: int) -> tuple[float, float, int]:
    """Median and slowest wall time of ``runs`` GETs (after one warm-up), and its queries."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_args: object) -> None:
        statements.append("")

    assert client.get(url).status_code == 200, url
    event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times), max(times), len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="blog-bench-class-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'class.sqlite3'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    started = time.perf_counter()
    busiest = build(app, random.Random(1956))
    print(
        f"Built {STUDENTS} students, {POSTS} posts, {COMMENTS:,} comments "
        f"in {time.perf_counter() - started:.1f} s ({work})"
    )
    client = app.test_client()
    response = client.post("/login", data={"username": "prof", "password": PASSWORD})
    assert response.status_code == 302, "the bench instructor could not log in"
    pages = [
        ("Participation, all posts", "/class/participation"),
        ("Participation, all posts, sorted by words", "/class/participation?sort=words&dir=desc"),
        ("Participation, one post", f"/class/participation?post={busiest}"),
        ("Participation, one section", "/class/participation?section=Section+2"),
        ("Grading CSV, all posts", "/class/participation.csv"),
        ("CSV of every comment", "/class/participation/comments.csv"),
        ("Printable discussion, one post", f"/class/print?post={busiest}"),
        ("Class screen", "/class"),
    ]
    print(f"\n| Page ({STUDENTS} students × {POSTS} posts × {COMMENTS:,} comments) "
          "| median (ms) | slowest (ms) | queries |")  # fmt: skip
    print("|---|---:|---:|---:|")
    for name, url in pages:
        median, slowest, queries = timed(app, client, url, args.runs)
        print(f"| {name} | {median * 1000:.0f} | {slowest * 1000:.0f} | {queries} |")


if __name__ == "__main__":
    main()
