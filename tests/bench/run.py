"""`make bench`: requests per second and latency of the blog's pages, against hello-world Flask.

Builds one SQLite database (200 posts: the Secret Speech post copied with 10, 100 and 1,000 approved
comments, and 10,000 pending comments in the moderation queue), serves it with gunicorn (2 workers)
on 127.0.0.1, loads each page with wrk, and measures a hello-world Flask route under the same
gunicorn settings in the same run. Prints a table and writes it to tests/bench/results.md.

Not part of `make test`: it takes about a minute and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from app.classroom.accounts import save_instructor
from app.extensions import db
from app.models import Comment, CommentStatus, Post
from app.transfer.seed import load_seed_data, seed_database

from ..live_server import CSRF_FIELD, ROOT, Browser, Server, free_port, wait_until_serving

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
README = ROOT / "README.md"
README_MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
SIZES = (10, 100, 1_000)
PENDING = 10_000
# The front page and the feeds are measured on a blog of this many posts.
POSTS = 200
WORKERS = 2
MAX_DEPTH = 5
PASSWORD = "bench-password-1"  # a throwaway account in a throwaway database
TARGETS = {
    "post page, 10 comments": 0.6,
    "post page, 100 comments": 0.4,
    "post page, 1,000 comments": 0.2,
    "front page": 0.6,
    "posts feed (/feed/)": 0.5,
    "comments feed (/comments/feed/)": 0.5,
    "moderation queue (10,000 pending)": 0.3,
    "comment submission, new reader (held, emailed)": 0.12,
    "comment submission, returning reader (published)": 0.12,
}
MEMORY_TARGET_MB = 150
# Every page is asked for as a browser asks: accepting gzip.
BROWSER = {"Accept-Encoding": "gzip, deflate"}
# A first-time reader's comment is held and emailed to the instructor; a reader with an approved
# comment is published at once (and the post's cached page is renewed).
RETURNING = ("Returning Reader", "returning@example.com")
SUBMITTERS = [
    ("comment submission, new reader (held, emailed)", "Bench Reader", "bench@example.com"),
    ("comment submission, returning reader (published)", *RETURNING),
]


@dataclass
class Measurement:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def comment_bodies(count: int, rng: random.Random) -> list[str]:
    """About 300 characters each, cut from the post's own text."""
    words = " ".join(load_seed_data()["post"]["paragraphs"]).split()
    bodies = []
    for _ in range(count):
        start = rng.randrange(len(words) - 80)
        body = ""
        for word in words[start:]:
            if len(body) + len(word) > 300:
                break
            body = f"{body} {word}".strip()
        bodies.append(body)
    return bodies


def thread_parents(count: int, rng: random.Random) -> list[int | None]:
    """For each comment, the index of the comment it answers: a third are replies, and replies
    often answer the comment just before, so chains grow; the first replies always form one
    chain under the first comment, so every thread big enough has one five deep."""
    reply_count = count // 3
    chain = range(1, min(MAX_DEPTH, reply_count + 1))
    rest = rng.sample(range(len(chain) + 1, count), reply_count - len(chain)) if count > 1 else []
    replies = {*chain, *rest}
    parents: list[int | None] = []
    depth: list[int] = []
    for index in range(count):
        parent = None
        if index in replies:
            previous = index - 1
            if index in chain or (depth[previous] < MAX_DEPTH and rng.random() < 0.7):
                parent = previous
            else:
                parent = rng.choice([i for i in range(index) if depth[i] == 1])
        parents.append(parent)
        depth.append(1 if parent is None else depth[parent] + 1)
    return parents


def add_post_copy(seed_post: Post, comment_count: int, rng: random.Random) -> str:
    slug = f"{seed_post.slug}-{comment_count}-comments"
    post = Post(
        title=seed_post.title,
        slug=slug,
        author_name=seed_post.author_name,
        published_at=datetime.now(UTC) - timedelta(days=3),
        body=seed_post.body,
    )
    db.session.add(post)
    db.session.flush()
    first_id = (db.session.scalar(select(func.max(Comment.id))) or 0) + 1
    started = post.published_at
    rows = []
    for index, (parent, body) in enumerate(
        zip(thread_parents(comment_count, rng), comment_bodies(comment_count, rng), strict=True)
    ):
        rows.append(
            {
                "id": first_id + index,
                "post_id": post.id,
                "parent_id": None if parent is None else first_id + parent,
                "author_name": f"Reader {index + 1}",
                "author_email": f"reader{index + 1}@example.com",
                "author_url": "https://example.com/" if index % 4 == 0 else "",
                "body": body,
                "status": CommentStatus.APPROVED,
                "created_at": started + timedelta(minutes=index),
            }
        )
    db.session.execute(insert(Comment).execution_options(changes_pages={post.id}), rows)
    return slug


def build_database(path: Path) -> dict[int, str]:
    """The bench database; returns each size's post slug."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "bench",
        }
    )
    rng = random.Random(1956)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_database()
        seed_post = db.session.scalar(select(Post).order_by(Post.id))
        slugs = {size: add_post_copy(seed_post, size, rng) for size in SIZES}
        # More posts, older than the rest, so the front page and the feeds choose among POSTS.
        db.session.execute(
            insert(Post).execution_options(changes_pages=()),
            [
                {
                    "title": f"An earlier post {n}",
                    "slug": f"earlier-{n}",
                    "author_name": "Student",
                    "published_at": seed_post.published_at - timedelta(days=n),
                    "body": seed_post.body,
                }
                for n in range(1, POSTS - 1 - len(SIZES) + 1)
            ],
        )
        now = datetime.now(UTC)
        bodies = comment_bodies(PENDING, rng)
        db.session.execute(
            insert(Comment).execution_options(changes_pages={seed_post.id}),
            [
                {
                    "post_id": seed_post.id,
                    "author_name": f"Spammer {index}",
                    "author_email": f"spam{index}@example.net",
                    "body": body,
                    "status": CommentStatus.PENDING,
                    "created_at": now - timedelta(seconds=index),
                    "author_ip": f"10.0.{index // 250}.{index % 250}",
                }
                for index, body in enumerate(bodies)
            ],
        )
        db.session.add(
            Comment(
                post_id=seed_post.id, author_name=RETURNING[0], author_email=RETURNING[1],
                body="An earlier, approved comment.", status=CommentStatus.APPROVED,
            )
        )  # fmt: skip
        save_instructor("prof", PASSWORD, "Professor")
        db.session.commit()
    return slugs


class Gunicorn:
    """gunicorn with the bench's settings, serving ``target`` until stopped."""

    def __init__(self, target: str, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port(24000)
        log = log_path.open("wb")
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS),
             "-b", f"127.0.0.1:{self.port}", "--no-control-socket", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.server = Server(self.port, process, log_path)
        wait_until_serving(self.server)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mb(self) -> float:
        """Resident memory of the largest worker."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.server.process.pid)], capture_output=True, text=True
        ).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return max(sizes)

    def stop(self) -> None:
        self.server.stop()


def parse_duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    name: str, url: str, seconds: int, *, headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> tuple[Measurement, str]:  # fmt: skip
    command = ["wrk", "-t2", "-c10", f"-d{seconds}s", "--latency"]
    for header, value in (headers or {}).items():
        command += ["-H", f"{header}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    # The latency distribution's own lines ("     50%    4.02ms"), not a "+/- Stdev" column
    # that happens to end in 50%.
    p50 = parse_duration_ms(re.search(r"^\s+50%\s+(\S+)$", output, re.MULTILINE).group(1))
    p99 = parse_duration_ms(re.search(r"^\s+99%\s+(\S+)$", output, re.MULTILINE).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"  {name}: socket errors: {socket_errors.group(1)}")
    return Measurement(name, rps, p50, p99, int(errors.group(1)) if errors else 0), output


def submission_script(work: Path, **settings: str) -> Path:
    """submit.lua with its settings (PATH, TOKEN, COOKIE, AUTHOR, EMAIL) prepended."""
    script = work / "submit.lua"
    lines = [f"{name} = {json.dumps(value)}" for name, value in settings.items()]
    script.write_text("\n".join(lines) + "\n" + (HERE / "submit.lua").read_text())
    return script


def count_comments(database: Path, prefix: str) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench"})
    with app.app_context():
        return db.session.scalar(
            select(func.count(Comment.id)).where(Comment.body.startswith(prefix))
        )


def versions() -> str:
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    packages = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("flask", "jinja2", "sqlalchemy", "flask-sqlalchemy", "flask-caching",
                     "gunicorn")
    )  # fmt: skip
    return f"Python {platform.python_version()}, {packages}, wrk {wrk_version}"


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu})"


def table(results: list[Measurement], baseline: Measurement) -> str:
    lines = [
        "| Page | Requests/s | p50 (ms) | p99 (ms) | × hello world | Target | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in [baseline, *results]:
        ratio = result.requests_per_second / baseline.requests_per_second
        target = TARGETS.get(result.name)
        mark = "" if target is None else (f"≥ {target}× " + ("✓" if ratio >= target else "✗"))
        lines.append(
            f"| {result.name} | {result.requests_per_second:,.0f} | {result.p50_ms:.2f} "
            f"| {result.p99_ms:.2f} | {ratio:.2f} | {mark} | {result.errors} |"
        )
    return "\n".join(lines)


def update_readme(report: str) -> None:
    """Put the report (without its title) between the README's bench markers."""
    text = README.read_text()
    start, end = README_MARKERS
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    body = report.split("\n", 2)[2].strip()
    README.write_text(f"{before}{start}\n{body}\n{end}{after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--no-write", action="store_true", help="print only; keep results.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench does this as root)")

    work = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    database = work / "bench.sqlite3"
    started = time.monotonic()
    slugs = build_database(database)
    print(f"Built the bench database in {time.monotonic() - started:.1f} s ({work})")

    hello = Gunicorn("tests.bench.hello:app", {}, work / "hello.log")
    try:
        run_wrk("warm-up", hello.url("/"), 1, headers=BROWSER)
        baseline, _ = run_wrk(
            "hello world (baseline)", hello.url("/"), args.seconds, headers=BROWSER
        )
    finally:
        hello.stop()

    blog_env = {
        "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "FLASK_SECRET_KEY": "bench",
        "FLASK_OUTBOX_DIR": str(work / "outbox"),
        "FLASK_COMMENT_FLOOD_SECONDS": "0",
        # The rate limit stays in the path, with a limit the load never reaches.
        "FLASK_COMMENT_RATE_LIMIT": "1000000 per minute",
    }
    results: list[Measurement] = []
    # Where the time goes: the blog's application with its extensions but no work, then with
    # only the version read that every cached post page makes.
    stack = Gunicorn("tests.bench.stack:app", blog_env, work / "stack.log")
    try:
        for name, path in (
            ("reference: the blog app, empty route", "/bench/empty"),
            ("reference: the blog app, one version read", f"/bench/version-read/{slugs[10]}"),
        ):
            run_wrk("warm-up", stack.url(path), 1, headers=BROWSER)
            results.append(run_wrk(name, stack.url(path), args.seconds, headers=BROWSER)[0])
    finally:
        stack.stop()

    blog = Gunicorn("wsgi:app", blog_env, work / "blog.log")
    try:
        for size in SIZES:
            url = blog.url(f"/posts/{slugs[size]}/")
            run_wrk("warm-up", url, 1, headers=BROWSER)
            result, _ = run_wrk(f"post page, {size:,} comments", url, args.seconds, headers=BROWSER)
            results.append(result)
        # A reader coming back: the browser sends the session cookie it got on the first visit.
        returning = Browser(blog.port)
        smallest = f"/posts/{slugs[SIZES[0]]}/"
        returning.request("GET", smallest)
        with_cookie = {
            **BROWSER,
            "Cookie": "; ".join(f"{k}={v}" for k, v in returning.cookies.items()),
        }
        results.append(
            run_wrk(
                f"post page, {SIZES[0]:,} comments, returning reader", blog.url(smallest),
                args.seconds, headers=with_cookie,
            )[0]
        )  # fmt: skip
        # ... whose browser still holds the page: it asks If-None-Match and gets a 304.
        _, headers, _ = returning.request("GET", smallest, headers=BROWSER)
        results.append(
            run_wrk(
                f"post page, {SIZES[0]:,} comments, returning reader, unchanged (304)",
                blog.url(smallest), args.seconds,
                headers={**with_cookie, "If-None-Match": headers["etag"]},
            )[0]
        )  # fmt: skip
        largest = blog.url(f"/posts/{slugs[SIZES[-1]]}/")
        results.append(
            run_wrk(f"post page, {SIZES[-1]:,} comments, uncompressed", largest, args.seconds)[0]
        )
        rss_mb = blog.worker_rss_mb()
        results.append(run_wrk("front page", blog.url("/"), args.seconds, headers=BROWSER)[0])
        for name, path in (
            ("posts feed (/feed/)", "/feed/"),
            ("comments feed (/comments/feed/)", "/comments/feed/"),
        ):
            run_wrk("warm-up", blog.url(path), 1, headers=BROWSER)
            results.append(run_wrk(name, blog.url(path), args.seconds, headers=BROWSER)[0])

        instructor = Browser(blog.port)
        _, _, page = instructor.request("GET", "/login")
        token = CSRF_FIELD.search(page).group(1)
        status, _, _ = instructor.request(
            "POST", "/login", {"csrf_token": token, "username": "prof", "password": PASSWORD}
        )
        assert status == 302, "the bench instructor could not log in"
        instructor.request("GET", "/moderation")  # shows (and so clears) the login message
        cookie = "; ".join(f"{k}={v}" for k, v in instructor.cookies.items())
        logged_in = {**BROWSER, "Cookie": cookie}
        run_wrk("warm-up", blog.url("/moderation"), 1, headers=logged_in)
        results.append(
            run_wrk(
                "moderation queue (10,000 pending)", blog.url("/moderation"), args.seconds,
                headers=logged_in,
            )[0]
        )  # fmt: skip
        # The same queue rendered on every request: what its cache buys.
        stack = Gunicorn("tests.bench.stack:app", blog_env, work / "stack-queue.log")
        try:
            run_wrk("warm-up", stack.url("/bench/queue-uncached"), 1, headers=logged_in)
            results.append(
                run_wrk(
                    "reference: moderation queue rendered on every request",
                    stack.url("/bench/queue-uncached"), args.seconds, headers=logged_in,
                )[0]
            )  # fmt: skip
        finally:
            stack.stop()

        acknowledged = 0
        for name, author, email in SUBMITTERS:
            reader = Browser(blog.port)
            post_path = f"/posts/{slugs[10]}/"
            _, _, page = reader.request("GET", post_path)
            script = submission_script(
                work, PATH=f"{post_path}comments", TOKEN=CSRF_FIELD.search(page).group(1),
                COOKIE="; ".join(f"{k}={v}" for k, v in reader.cookies.items()),
                AUTHOR=author, EMAIL=email,
            )  # fmt: skip
            submitted, output = run_wrk(
                name, blog.url(f"{post_path}comments"), args.seconds, script=script
            )
            results.append(submitted)
            acknowledged += int(re.search(r"ACKNOWLEDGED (\d+)", output).group(1))
    finally:
        blog.stop()

    stored = count_comments(database, "Bench comment ")
    report = "\n".join(
        [
            "# Benchmark results",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {machine()}",
            f"- Versions: {versions()}",
            f"- Load: wrk -t2 -c10 -d{args.seconds}s on the same machine; gunicorn -w {WORKERS} "
            "(sync workers); SQLite. Pages are asked for with `Accept-Encoding: gzip`, as "
            "browsers do (one row without), and without cookies, as on a first visit, so each "
            "post page also creates the session that holds its CSRF token (one row sends the "
            "cookie back, as a returning reader's browser does).",
            "",
            table(results, baseline),
            "",
            f"- Largest gunicorn worker after serving the 1,000-comment page: {rss_mb:.0f} MB "
            f"resident (target < {MEMORY_TARGET_MB} MB).",
            f"- Comment submissions acknowledged (302): {acknowledged:,}; stored: {stored:,}"
            + (" (none lost)." if stored >= acknowledged else " — SOME WERE LOST."),
            "",
        ]
    )
    print(report)
    if not args.no_write:
        RESULTS.write_text(report)
        update_readme(report)
        print(f"Written to {RESULTS.relative_to(ROOT)} and README.md")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if stored >= acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
