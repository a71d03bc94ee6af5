"""The second factor of the load runs: the production profile asks a department (and the institute and the federal
operator) for the code of an authenticator app after the password (people/second_factor.py).

    python load/authenticator.py USERNAME ...   # enrol an app for each, print {username: key} (the portal's Python)

`enrol` gives each person a confirmed TOTP device whose key the locust journeys hold; `code` computes what the app
would show; `second_factor` types it into the page the login lands on. Used by load/locustfile.py (`make load`) and
load/cluster_locustfile.py (`make load-cluster`).
"""

import hashlib
import hmac
import json
import re
import struct
import sys
import time

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


def enrol(usernames: list[str]) -> dict[str, str]:
    """An authenticator app enrolled now for each person (earlier ones go): username → its key (hex)."""
    import secrets

    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        keys[user.username] = secrets.token_hex(20)
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Нагрузка", key=keys[user.username], confirmed=True)
    return keys


def code(key_hex: str, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238: 30-second steps, 6 digits, HMAC-SHA1), as django-otp's
    TOTPDevice checks it."""
    counter = int(at if at is not None else time.time()) // 30
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def second_factor(user, page, key_hex: str, name: str = "login (2FA code)") -> bool:
    """Type the app's code into the page the login landed on (`page`: its response) as `user` (a locust HttpUser).
    A code already used in this 30-second step is refused, as django-otp refuses replays: then the next step's."""
    path = page.url.split(user.host)[-1]
    token, after = CSRF.search(page.text or ""), NEXT.search(page.text or "")
    for attempt in range(2):
        if attempt:
            time.sleep(31 - time.time() % 30)
        data = {"code": code(key_hex), "next": after and after.group(1)}
        data["csrfmiddlewaretoken"] = token and token.group(1)
        with user.client.post(
            path, data, name=name, allow_redirects=False, catch_response=True, headers={"Referer": user.host + path}
        ) as sent:
            if sent.status_code == 302:
                return True
            if attempt:
                sent.failure(f"{user.username}: код 2FA не подошёл дважды")
            else:
                sent.success()
    return False


if __name__ == "__main__":
    import os
    from pathlib import Path

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")
    django.setup()
    print(json.dumps(enrol(sys.argv[1:])))
