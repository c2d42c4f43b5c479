"""Token authentication for the data API: `Authorization: Bearer <key>` (decision 0026).

The key's prefix finds the token (an index); its digest is compared in constant
time. A missing, malformed, wrong, revoked or expired key, or an owner who can
no longer sign in, is 401 with a WWW-Authenticate header. One query (the token
and its owner), and an UPDATE of its last use at most once a minute.
"""

from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import LAST_USED_EVERY, ApiToken
from api.services import KEY_START, digests_match, prefix_of

SCHEME = "Bearer"
# Anything longer is not one of ours; refused before hashing.
LONGEST_KEY = 100


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != SCHEME.lower():
            return None  # no credentials: NotAuthenticated (401) from the permission
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer <token>'."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That is not a valid API token.") from None
        if not key.startswith(KEY_START) or len(key) > LONGEST_KEY:
            raise exceptions.AuthenticationFailed("That is not a valid API token.")
        now = timezone.now()
        candidates = (
            ApiToken.objects.live_on(now).filter(prefix=prefix_of(key)).select_related("owner")
        )
        token = next(
            (candidate for candidate in candidates if digests_match(key, candidate.digest)), None
        )
        if token is None or not token.owner.is_active:
            # One message for wrong, revoked and expired: nothing to learn from the difference.
            raise exceptions.AuthenticationFailed(
                "That API token is not valid, or has expired or been revoked."
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.owner, token

    def authenticate_header(self, request):
        return f'{SCHEME} realm="api"'
