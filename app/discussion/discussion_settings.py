"""Reading and saving the instructor's discussion settings."""

from __future__ import annotations

from ..extensions import db
from ..models import DiscussionSettings
from .rules import Rules, parse_word_list

SETTINGS_ID = 1


def load_settings() -> DiscussionSettings:
    """The stored settings row, or an unsaved one holding the defaults declared on the model."""
    settings = db.session.get(DiscussionSettings, SETTINGS_ID)
    if settings is None:
        defaults = {
            column.key: column.default.arg
            for column in DiscussionSettings.__table__.columns
            if column.default is not None
        }
        settings = DiscussionSettings(id=SETTINGS_ID, **defaults)
    return settings


def save_settings(
    *,
    manual_approval: bool,
    require_prior_approval: bool,
    max_links: int,
    moderation_words: str,
    disallowed_words: str,
    close_after_days: int | None,
    notify_email: str | None,
    comments_per_page: int | None,
    newest_comments_first: bool,
    digest_minutes: int,
    privacy_mode: bool = False,
    address_retention_days: int = 30,
    reports_to_hold: int = 3,
    edit_minutes: int = 30,
    site_name: str | None = "",
    site_tagline: str | None = "",
) -> DiscussionSettings:
    """Store the instructor's discussion settings (the one row, created on the first save);
    commits. The form has checked each value; an empty notification address is stored as "".
    An empty course name means the ``BLOG_TITLE`` setting. Saving moves the moderation version
    (the cached queue shows the name); the reader pages' keys hold the name and tagline."""
    settings = load_settings()
    settings.manual_approval = manual_approval
    settings.require_prior_approval = require_prior_approval
    settings.max_links = max_links
    settings.moderation_words = moderation_words
    settings.disallowed_words = disallowed_words
    settings.close_after_days = close_after_days
    settings.notify_email = notify_email or ""
    settings.comments_per_page = comments_per_page
    settings.newest_comments_first = newest_comments_first
    settings.digest_minutes = digest_minutes
    # Turning privacy mode on or off moves every page version (discussion.page_versions).
    settings.privacy_mode = privacy_mode
    settings.address_retention_days = address_retention_days
    settings.reports_to_hold = reports_to_hold
    settings.edit_minutes = edit_minutes
    settings.site_name = site_name or ""
    settings.site_tagline = site_tagline or ""
    db.session.add(settings)
    db.session.commit()
    return settings


def rules_from(settings: DiscussionSettings) -> Rules:
    return Rules(
        manual_approval=settings.manual_approval,
        require_prior_approval=settings.require_prior_approval,
        max_links=settings.max_links,
        moderation_words=parse_word_list(settings.moderation_words),
        disallowed_words=parse_word_list(settings.disallowed_words),
        close_after_days=settings.close_after_days,
    )


def load_rules() -> Rules:
    return rules_from(load_settings())
