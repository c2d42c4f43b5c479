"""Writes for API tokens: making one (its key returned once) and revoking one.

Keyword-only, in a transaction, validated before saving, with the change reason in
the token's history; who may revoke whose token is decided here, once.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from api.models import DEFAULT_LIFETIME, LONGEST_LIFETIME, PREFIX_LENGTH, ApiToken
from localities import access

# Every key starts so: a secret scanner (or a person) can tell it for what it is.
KEY_START = "lc_"


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The key, for the one page that shows it; nowhere else has it.
    key: str


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def digests_match(key: str, digest: str) -> bool:
    """Compare in constant time, so timing tells nothing of how much of a key was right."""
    return hmac.compare_digest(digest_of(key), digest)


def prefix_of(key: str) -> str:
    return key[len(KEY_START) : len(KEY_START) + PREFIX_LENGTH]


@transaction.atomic
def create_token(*, owner, name: str, lifetime: datetime.timedelta = DEFAULT_LIFETIME) -> NewToken:
    """A new token for `owner`, who must be able to read the dashboards."""
    if not access.can_view_dashboards(owner):
        raise access.refuse("create an API token")
    if lifetime > LONGEST_LIFETIME:
        raise ValueError("A token may last a year at most.")
    key = KEY_START + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        name=name.strip(),
        owner=owner,
        prefix=prefix_of(key),
        digest=digest_of(key),
        created_at=now,
        expires_at=now + lifetime,
    )
    token.full_clean()
    token._change_reason = "API token created"
    token.save()
    return NewToken(token=token, key=key)


def may_revoke(user, token: ApiToken) -> bool:
    """Its owner, and the programme office (anyone's)."""
    return token.owner_id == user.pk or access.is_programme_office(user)


@transaction.atomic
def revoke_token(*, token: ApiToken, by) -> ApiToken:
    """Stop `token` working from now on. Revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not may_revoke(by, token):
        raise access.refuse("revoke this API token", token)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.full_clean()
    token._change_reason = (
        "API token revoked"
        if by.pk == token.owner_id
        else "API token revoked by the programme office"
    )
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token
