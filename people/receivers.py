from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import throttle
from .second_factor import remember_at_login


@receiver(user_login_failed, dispatch_uid="people.throttle.failure")
def login_failed(sender, credentials, request=None, **kwargs):
    throttle.record_failure((credentials or {}).get("username") or "")


@receiver(user_logged_in, dispatch_uid="people.throttle.success")
def logged_in(sender, request, user, **kwargs):
    throttle.clear(user.get_username())
    remember_at_login(request, user)
