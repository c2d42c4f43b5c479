"""Requests per token (decision 0026): counted in the shared cache (Redis in production),
so every app instance counts the same token's requests together."""

from rest_framework.throttling import SimpleRateThrottle


class PerTokenThrottle(SimpleRateThrottle):
    """`DEFAULT_THROTTLE_RATES["api-token"]` requests per token; 429 with Retry-After past it."""

    scope = "api-token"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            return None  # not authenticated: the 401 comes first
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
