"""Import benchmark: a WordPress export of 1,000 posts with 20,000 comments (threaded, every
status), into a fresh SQLite database, as ``flask import-wxr`` does it. Prints the time and the
process's peak memory (max RSS), then imports the same file again (updates only).

    python -m tests.bench.wxr_import [--posts 1000] [--comments 20000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import utcnow
from app.publishing.wordpress import import_wxr

from ..wxr_files import comment_xml, item_xml, wxr

STATUSES = ("1", "1", "1", "1", "0", "spam", "trash")


def write_export(path: Path, posts: int, comments: int) -> None:
    per_post = comments // posts
    items = []
    comment_id = 0
    for post_id in range(1, posts + 1):
        thread = []
        first = comment_id + 1
        for n in range(per_post):
            comment_id += 1
            # Every fourth comment answers the one before it: threads several levels deep.
            parent = comment_id - 1 if n % 4 and comment_id > first else 0
            thread.append(
                comment_xml(
                    comment_id,
                    parent=parent,
                    approved=STATUSES[comment_id % len(STATUSES)],
                    content=f"<p>Comment {comment_id} with <em>some</em> text.</p>" * 3,
                )
            )
        items.append(
            item_xml(
                post_id,
                title=f"Post {post_id}",
                slug=f"post-{post_id}",
                content="<p>" + "A paragraph of the post. " * 40 + "</p>",
                comments="".join(thread),
            )
        )
    path.write_text(wxr("".join(items)), encoding="utf-8")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xml"
        write_export(export, args.posts, args.comments)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            }
        )
        with app.app_context():
            upgrade()
            before = peak_mb()
            print(f"File: {export.stat().st_size / 1e6:.1f} MB; peak RSS before: {before:.0f} MB")
            for run in ("first import", "second import"):
                started = time.perf_counter()
                with export.open("rb") as file:
                    summary = import_wxr(file, now=utcnow())
                elapsed = time.perf_counter() - started
                print(f"{run}: {elapsed:.1f} s, peak RSS {peak_mb():.0f} MB")
                for line in summary.lines():
                    print("  " + line)
                db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
