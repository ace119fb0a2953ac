"""Who may see a page: one guard for the instructor's pages."""

from __future__ import annotations

from collections.abc import Callable, Collection

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import login_manager


def instructor_required(public_endpoints: Collection[str] = ()) -> Callable[[], Response | None]:
    """A ``before_request`` hook for a blueprint: every route but ``public_endpoints`` is for the
    logged-in instructor only; anyone else is sent to the login page (which comes back here)."""

    def require_instructor() -> Response | None:
        if request.endpoint in public_endpoints or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    return require_instructor
