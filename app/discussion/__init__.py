"""The comment domain, values in and results out: the discussion rules and their settings,
submitting a comment, reply threads, moderation use cases, notifications, signed email links,
and the page versions that keep cached pages current."""
