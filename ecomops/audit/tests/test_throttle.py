"""DAT-02 / OWASP ASVS 2.2.1: sign-in events are recorded with the address, and repeated failures
throttle the account from that address, the address, or (a higher number) the account everywhere.
Limits come from the policy registry, never literals."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from ecomops.audit import throttle
from ecomops.audit.models import AuthEvent, AuthEventKind
from ecomops.core.logging import RedactSecretsFilter, redact
from ecomops.policy import registry


def attempt(rf, username, password, ip="198.51.100.1"):
    """The user on success, None on a wrong password, "throttled" when the password was not even checked."""
    request = rf.post("/login/", REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest")
    before = AuthEvent.objects.filter(kind=AuthEventKind.THROTTLED).count()
    user = authenticate(request, username=username, password=password)
    if AuthEvent.objects.filter(kind=AuthEventKind.THROTTLED).count() > before:
        assert user is None and getattr(request, "_ecomops_throttled", False)
        return "throttled"
    return user


def test_failed_login_is_recorded_without_the_password(org, rf):
    assert attempt(rf, "user_a", "wrong-secret-1") is None
    event = AuthEvent.objects.get(kind=AuthEventKind.FAILED)
    assert (event.username, event.user, event.ip_address) == ("user_a", org.user_a, "198.51.100.1")
    assert "wrong-secret-1" not in str(list(AuthEvent.objects.values()))


def test_login_and_logout_are_recorded_with_address(org, client):
    assert client.login(username="user_a", password=org.password)
    client.logout()
    kinds = list(AuthEvent.objects.filter(user=org.user_a).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [AuthEventKind.LOGIN, AuthEventKind.LOGOUT]


def test_account_is_throttled_from_the_address_of_the_failures(org, rf):
    """DAT-02: the policy number of failures for one account from one address locks that pair."""
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for n in range(limit):
        assert attempt(rf, "user_a", f"bad{n}", ip="198.51.100.1") is None
    # even the right password is not checked now, from that address
    assert attempt(rf, "user_a", org.password, ip="198.51.100.1") == "throttled"
    assert AuthEvent.objects.filter(kind=AuthEventKind.THROTTLED, username="user_a").count() == 1
    # throttled attempts do not extend the lock
    assert AuthEvent.objects.filter(kind=AuthEventKind.FAILED, username="user_a").count() == limit
    # another account from the same address is unaffected
    assert attempt(rf, "user_b", org.password, ip="198.51.100.1") == org.user_b


def test_failures_from_another_address_do_not_lock_the_victim_out(org, rf):
    """DAT-02 (issue 12): someone guessing user_a's password from elsewhere, for as long as the
    per-address limit lets them, cannot keep user_a from signing in at their own desk."""
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for round_ in range(3):
        for n in range(limit + 2):
            attempt(rf, "user_a", f"bad{round_}-{n}", ip="203.0.113.66")
        assert attempt(rf, "user_a", org.password, ip="203.0.113.66") == "throttled"
    assert AuthEvent.objects.filter(kind=AuthEventKind.FAILED, username="user_a").count() == limit
    assert attempt(rf, "user_a", org.password, ip="192.0.2.10") == org.user_a


def test_the_total_for_the_account_still_trips_for_a_guess_spread_over_addresses(org, rf):
    """DAT-02: a guess spread over many addresses (each below its own limit) meets the slower
    account-wide limit, which then holds from every address, the victim's own included."""
    per_address = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    total = registry.value(throttle.MAX_PER_ACCOUNT_TOTAL)
    assert total > per_address
    for n in range(total):
        # per_address - 1 failures from each address: no single address is ever locked
        ip = f"198.51.100.{n // (per_address - 1) + 1}"
        assert attempt(rf, "user_a", f"bad{n}", ip=ip) is None
    assert attempt(rf, "user_a", org.password, ip="192.0.2.10") == "throttled"
    assert attempt(rf, "user_b", org.password, ip="192.0.2.10") == org.user_b


def test_one_below_the_account_total_still_logs_in(org, rf):
    per_address = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    total = registry.value(throttle.MAX_PER_ACCOUNT_TOTAL)
    for n in range(total - 1):
        attempt(rf, "user_a", f"bad{n}", ip=f"198.51.100.{n // (per_address - 1) + 1}")
    assert attempt(rf, "user_a", org.password, ip="192.0.2.10") == org.user_a


def test_one_below_the_limit_still_logs_in(org, rf):
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for n in range(limit - 1):
        attempt(rf, "user_a", f"bad{n}")
    assert attempt(rf, "user_a", org.password) == org.user_a


def test_address_is_throttled_across_accounts(org, rf):
    limit = registry.value(throttle.MAX_PER_ADDRESS)
    for n in range(limit):
        attempt(rf, f"guess{n}", "x", ip="203.0.113.50")
    assert attempt(rf, "user_b", org.password, ip="203.0.113.50") == "throttled"
    assert attempt(rf, "user_b", org.password, ip="203.0.113.51") == org.user_b


def test_throttle_lifts_when_the_window_has_passed(org, rf):
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    window = registry.value(throttle.WINDOW)
    for n in range(limit):
        attempt(rf, "user_a", f"bad{n}")
    state = throttle.check("user_a", "198.51.100.1")
    assert state.blocked and timedelta(0) < state.retry_after <= window
    later = timezone.now() + window + timedelta(seconds=1)
    assert not throttle.check("user_a", "198.51.100.1", now=later).blocked


def test_usernames_are_compared_case_insensitively(org, rf):
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for n in range(limit):
        attempt(rf, "USER_A" if n % 2 else "user_a", f"bad{n}")
    assert throttle.check("User_A", "198.51.100.1").blocked


@pytest.mark.parametrize(
    "message",
    [
        "login password=hunter2 ok",
        'payload {"password": "hunter2"}',
        "Authorization: Bearer abcdef1234567890",
        "token=abcdef1234567890&x=1",
        "buyer phone 13812345678",
    ],
)
def test_secrets_never_reach_the_log(message):
    cleaned = redact(message)
    assert "hunter2" not in cleaned and "abcdef1234567890" not in cleaned and "13812345678" not in cleaned


def test_log_filter_rewrites_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s password=%s", ("a", "s3cr3t"), None)
    RedactSecretsFilter().filter(record)
    assert "s3cr3t" not in record.getMessage()


def test_a_login_leaves_no_empty_change_in_the_account_history(org, client):
    from ecomops.audit import trail

    before = org.user_a.history.count()
    assert client.login(username="user_a", password=org.password)
    org.user_a.refresh_from_db()
    assert org.user_a.last_login is not None
    assert org.user_a.history.count() == before
    assert all(e.changes for e in trail.search(org.admin, model_label="auth.user").entries if e.action == "update")
