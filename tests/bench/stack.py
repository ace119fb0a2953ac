"""Reference routes for the bench: the blog's own application (every extension and hook), doing
nothing, or only the one query a cached post page makes. They show where the time goes."""

from app import create_app
from app.blog import queries

app = create_app()


@app.get("/bench/empty")
def empty() -> str:
    return "Hello, World!"


@app.get("/bench/version-read/<slug>")
def version_read(slug: str) -> str:
    head = queries.post_head(slug)
    return str(head.page_version if head else 0)
