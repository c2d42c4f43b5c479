"""The address a request came from, as far as this deployment can trust it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    Each reverse proxy appends the address it received the request from to
    X-Forwarded-For, so behind TRUSTED_PROXY_COUNT proxies the client is that
    many entries from the right. Entries further left were written by the client
    and can be anything, so they are never read. With no trusted proxy (the
    default) the header is ignored altogether: anyone can send it.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxy_count:
        # The request did not come through every proxy (or they dropped the header).
        return remote_addr
    candidate = forwarded[-proxy_count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
