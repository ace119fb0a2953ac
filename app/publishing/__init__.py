"""Posts as a domain: the post editor's use cases, Markdown and sanitising, feeds' data.

Posts come from the seed (``transfer``) until the post editor lands here; ``posts`` holds what
the instructor changes about a post today (opening and closing its comments)."""
