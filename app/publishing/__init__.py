"""Posts as a domain: the post editor's use cases, Markdown and sanitising, feeds' data.

Empty for now: posts come from the seed (``transfer``) until the post editor lands here."""
