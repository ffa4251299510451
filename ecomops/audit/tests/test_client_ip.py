"""DAT-02: the address recorded for sign-ins and changes (and counted by the login limits) is the one
our own proxy saw, never an X-Forwarded-For entry the caller wrote (issue 12)."""

import json
import os
import subprocess
import sys

import pytest

from ecomops.audit.middleware import client_ip
from ecomops.audit.models import AuthEvent, AuthEventKind

PROXY = "10.0.0.5"


def ip(rf, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(rf.get("/", **extra))


def test_without_a_configured_proxy_the_header_is_ignored(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXIES = []
    settings.ECOMOPS_TRUSTED_PROXY_COUNT = 0
    assert ip(rf, "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_one_proxy_takes_the_entry_it_appended_not_the_forged_first_one(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXY_COUNT = 1
    # The caller sent "X-Forwarded-For: 192.0.2.66"; the proxy appended the address it saw.
    assert ip(rf, PROXY, "192.0.2.66, 203.0.113.7") == "203.0.113.7"
    assert ip(rf, PROXY, "203.0.113.7") == "203.0.113.7"


def test_two_proxies_take_the_second_entry_from_the_right(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXY_COUNT = 2
    assert ip(rf, PROXY, "192.0.2.66, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
    # fewer entries than proxies: the chain was bypassed somewhere, believe only the socket
    assert ip(rf, PROXY, "203.0.113.7") == PROXY


def test_proxy_count_refuses_entries_that_are_not_addresses(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXY_COUNT = 1
    assert ip(rf, PROXY, "203.0.113.7, not-an-address") == PROXY
    assert ip(rf, PROXY, "203.0.113.7, " + "1" * 200) == PROXY


def test_listed_proxies_are_believed_only_when_the_request_comes_from_one(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXIES = [PROXY, "fd00::/64"]
    # straight to the server, past the proxy: the header is the caller's own
    assert ip(rf, "203.0.113.7", "192.0.2.66") == "203.0.113.7"
    # through the proxy: the rightmost entry that is not one of our proxies
    assert ip(rf, PROXY, "192.0.2.66, 203.0.113.7") == "203.0.113.7"
    assert ip(rf, PROXY, "192.0.2.66, 203.0.113.7, fd00::12, 10.0.0.5") == "203.0.113.7"
    assert ip(rf, "fd00::1", "2001:db8::7") == "2001:db8::7"
    # a broken entry ends what can be believed
    assert ip(rf, PROXY, "192.0.2.66, garbage") == PROXY
    # an IPv4 caller seen through an IPv6 socket
    assert ip(rf, PROXY, "::ffff:203.0.113.7") == "203.0.113.7"


def test_listed_proxy_networks(rf, settings):
    settings.ECOMOPS_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert ip(rf, "10.0.0.77", "192.0.2.66, 203.0.113.7, 10.0.0.3") == "203.0.113.7"
    assert ip(rf, "10.0.1.1", "203.0.113.7") == "10.0.1.1"


def test_a_forged_header_neither_hides_nor_frames_anyone_at_sign_in(org, client, settings):
    """The failed sign-in is recorded (and counted, DAT-02) under the address the proxy saw."""
    settings.ECOMOPS_TRUSTED_PROXY_COUNT = 1
    client.post("/login/", {"username": "user_a", "password": "wrong"}, REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.7")
    event = AuthEvent.objects.get(kind=AuthEventKind.FAILED)
    assert event.ip_address == "203.0.113.7"


def _settings_in_a_fresh_process(**environ):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOMOPS_TRUST")}
    env.update(environ, DJANGO_SETTINGS_MODULE="ecomops.settings")
    script = ("import json; from django.conf import settings;"
              "print(json.dumps([settings.ECOMOPS_TRUSTED_PROXIES, settings.ECOMOPS_TRUSTED_PROXY_COUNT]))")
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, [[], 0]),
    ({"ECOMOPS_TRUST_X_FORWARDED_FOR": "1"}, [[], 1]),  # the older switch: one proxy, rightmost entry
    ({"ECOMOPS_TRUSTED_PROXY_COUNT": "2"}, [[], 2]),
    ({"ECOMOPS_TRUSTED_PROXIES": "10.0.0.5, fd00::/64"}, [["10.0.0.5", "fd00::/64"], 0]),
])
def test_proxy_settings_from_the_environment(environ, expected):
    done = _settings_in_a_fresh_process(**environ)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected


@pytest.mark.parametrize("environ", [
    {"ECOMOPS_TRUSTED_PROXIES": "10.0.0.5,proxy.example.com"},
    {"ECOMOPS_TRUSTED_PROXY_COUNT": "one"},
    {"ECOMOPS_TRUSTED_PROXY_COUNT": "-1"},
])
def test_a_wrong_proxy_setting_stops_the_start(environ):
    done = _settings_in_a_fresh_process(**environ)
    assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr


def test_the_older_switch_no_longer_believes_the_first_entry():
    """ECOMOPS_TRUST_X_FORWARDED_FOR=1 used to take the first entry, which the caller writes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOMOPS_TRUST")}
    env.update(ECOMOPS_TRUST_X_FORWARDED_FOR="1", DJANGO_SETTINGS_MODULE="ecomops.settings")
    script = ("import django; django.setup(); from django.test import RequestFactory;"
              "from ecomops.audit.middleware import client_ip;"
              "print(client_ip(RequestFactory().get('/', REMOTE_ADDR='10.0.0.5',"
              " HTTP_X_FORWARDED_FOR='192.0.2.66, 203.0.113.7')))")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "203.0.113.7"
