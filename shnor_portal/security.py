"""Small pieces of the deployment's security that settings refer to by name."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def address_in(address: str | None, entries) -> bool:
    """Whether the address is one of the entries (addresses or networks, as in TRUSTED_PROXIES)."""
    return bool(address) and _is_trusted(address, _networks(tuple(entries)))


def client_ip(request) -> str | None:
    """The address a request came from, for django-axes and the per-address limits.

    X-Forwarded-For is believed only as far as it was written by the proxies of TRUSTED_PROXIES (addresses or
    networks): starting from REMOTE_ADDR, while the address at hand is a trusted proxy, step to the entry that proxy
    appended (the rightmost not yet read). So a client that reaches gunicorn directly is counted by its own
    REMOTE_ADDR whatever header it sends, and behind nginx whatever the client put in front of the chain is ignored.
    """
    address = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks:
        return address
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    while chain and address and _is_trusted(address, networks):
        address = chain.pop()
    return address
