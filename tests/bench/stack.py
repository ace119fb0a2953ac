"""Reference routes for the bench: the blog's own application (every extension and hook), doing
nothing, or only the one query a cached post page makes, or rendering the queue without its
cache. They show where the time goes."""

from flask_login import login_required

from app import create_app
from app.blog import queries
from app.models import utcnow
from app.moderation.views import render_queue

app = create_app()


@app.get("/bench/empty")
def empty() -> str:
    return "Hello, World!"


@app.get("/bench/version-read/<slug>")
def version_read(slug: str) -> str:
    head = queries.post_head(slug, utcnow())
    return str(head.page_version if head else 0)


@app.get("/bench/queue-uncached")
@login_required
def queue_uncached() -> str:
    """The moderation queue as it renders without its cache: with it, the cost of the cache."""
    return render_queue()
