"""HTTP plumbing shared by the blueprints, with no business rules: security headers, safe
redirects, the page cache's HTTP half, shared form fields, what a reader's browser remembers,
and the instructor guard."""
