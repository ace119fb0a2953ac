"""Signing helpers shared by our signed links (the instructor's one-click links, the author's
private page, unsubscribing)."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import TimestampSigner


def signer_stamping(issued_at: datetime) -> type[TimestampSigner]:
    """A signer that stamps ``issued_at`` instead of the clock (itsdangerous documents
    ``get_timestamp`` as the method to override): a link made then, as a test needs one."""

    class StampedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(issued_at.timestamp())

    return StampedSigner
