"""Small pieces of the deployment's security that settings refer to by name."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address a login attempt came from, for django-axes.

    Without a proxy (PROXY_COUNT=0) it is REMOTE_ADDR. Behind PROXY_COUNT reverse proxies, each appends the address it
    saw to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right; whatever the client itself put
    further left is ignored, so it cannot pick an address to dodge or aim a lockout.
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:
        return remote
    return chain[-count]
