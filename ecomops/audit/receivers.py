"""Infrastructure hooks (not business logic): sign-in records and the address on history rows."""

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from . import throttle
from .middleware import client_ip, current_request
from .models import AuthEventKind


def stamp_last_login(sender, user, **kwargs):
    """Django's own last-login stamp, written without a history row: a sign-in is in the sign-in
    log already, and the account's audit history keeps only real changes (last_login is not tracked)."""
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)


user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
user_logged_in.connect(stamp_last_login, dispatch_uid="ecomops_stamp_last_login")


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    throttle.record(AuthEventKind.LOGIN, username=user.get_username(), request=request, user=user,
                    channel=getattr(request, "auth_channel", "web"))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        throttle.record(AuthEventKind.LOGOUT, username=user.get_username(), request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; we keep only the user name.
    if getattr(request, "_ecomops_throttled", False):
        return
    username = credentials.get("username", "")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username__iexact=str(username)[:150]).first()
    throttle.record(AuthEventKind.FAILED, username=username, request=request, user=user)


@receiver(pre_create_historical_record)
def stamp_address(sender, history_instance, **kwargs):
    if hasattr(history_instance, "ip_address") and history_instance.ip_address is None:
        history_instance.ip_address = client_ip(current_request())
