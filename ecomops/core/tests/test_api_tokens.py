"""Issue 2 §7, DAT-02: personal API tokens are created and revoked by their user, stored only as a
SHA-256 digest, shown once, refused once revoked or expired, and never written to a log."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from ecomops.audit.models import AuthEvent, AuthEventKind
from ecomops.core.models import APIToken

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_token_is_shown_once_and_only_its_digest_is_stored(org, session_api):
    api = session_api(org.user_a)
    response = api.post("tokens", {"name": "ERP 同步"})
    assert response.status_code == 201, response.content
    body = response.json()
    plain = body["token"]
    assert plain.startswith("ecm_") and len(plain) > 40
    assert body["prefix"] == plain[:12] and body["state"] == "active"

    stored = APIToken.objects.get(pk=body["id"])
    assert stored.digest == hashlib.sha256(plain.encode()).hexdigest()
    row = APIToken.objects.filter(pk=stored.pk).values().get()
    assert not any(plain in str(value) for value in row.values())
    history = stored.history.values().first()
    assert "digest" not in history and not any(plain in str(value) for value in history.values())

    listed = api.get("tokens").json()
    assert listed["count"] == 1
    assert "token" not in listed["items"][0] and "digest" not in listed["items"][0]
    assert plain not in api.get("tokens").content.decode()


def test_token_authenticates_its_user_with_the_same_scope(org, session_api, token_api):
    api = token_api(org.user_a)
    me = api.get("me").json()
    assert me["username"] == "user_a" and me["auth"] == "token"
    assert [c["code"] for c in api.get("clients").json()["items"]] == ["CA"]
    assert APIToken.objects.get(pk=api.record.pk).last_used_at is not None


def test_token_requests_need_no_csrf_token(org, token_api):
    api = token_api(org.user_a)
    api.client = type(api.client)(enforce_csrf_checks=True)
    response = api.patch(f"stores/{org.store_a1.pk}", {"main_category": "女装"})
    assert response.status_code == 200, response.content


def test_revoked_token_is_401(org, session_api, token_api):
    api = token_api(org.user_a)
    assert api.get("me").status_code == 200
    response = session_api(org.user_a).delete(f"tokens/{api.record.pk}")
    assert response.status_code == 204
    assert_error(api.get("me"), 401, "unauthenticated", None)
    assert APIToken.objects.get(pk=api.record.pk).revoked_at is not None
    listed = session_api(org.user_a).get("tokens").json()["items"]
    assert listed[0]["state"] == "revoked"


def test_a_token_may_revoke_itself(org, token_api):
    api = token_api(org.user_a)
    assert api.delete(f"tokens/{api.record.pk}").status_code == 204
    assert_error(api.get("me"), 401, "unauthenticated")


def test_revoking_someone_elses_token_is_404(org, session_api, token_api):
    other = token_api(org.user_b)
    assert_error(session_api(org.user_a).delete(f"tokens/{other.record.pk}"), 404, "not_found", None)
    assert other.get("me").status_code == 200
    assert session_api(org.user_a).get("tokens").json()["count"] == 0


def test_expired_token_is_401(org, token_api):
    api = token_api(org.user_a, expires_on=timezone.localdate())
    assert api.get("me").status_code == 200
    APIToken.objects.filter(pk=api.record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(api.get("me"), 401, "unauthenticated")


def test_token_of_an_inactive_user_is_401(org, token_api):
    api = token_api(org.user_a)
    org.user_a.is_active = False
    org.user_a.save(update_fields=["is_active"])
    assert_error(api.get("me"), 401, "unauthenticated")


def test_session_of_a_deactivated_user_is_401(org, session_api):
    api = session_api(org.user_a)
    assert api.get("me").status_code == 200
    type(org.user_a).objects.filter(pk=org.user_a.pk).update(is_active=False)
    assert_error(api.get("me"), 401, "unauthenticated")


def test_unknown_revoked_and_malformed_tokens_get_the_same_answer(org, session_api, token_api):
    revoked = token_api(org.user_a)
    session_api(org.user_a).delete(f"tokens/{revoked.record.pk}")
    answers = set()
    for value in [revoked.plain, "ecm_" + "x" * 43, "garbage", "ecm_" + "y" * 5000]:
        response = revoked.get("me", headers={"Authorization": f"Bearer {value}"})
        error = assert_error(response, 401, "unauthenticated", None)
        answers.add(error["message"])
    assert len(answers) == 1


def test_a_token_cannot_create_tokens(org, token_api):
    # A leaked token must not be able to mint fresh ones that outlive its revocation.
    assert_error(token_api(org.user_a).post("tokens", {"name": "再来一个"}), 403, "session_required", None)


def test_token_input_is_validated(org, session_api):
    api = session_api(org.user_a)
    assert_error(api.post("tokens", {"name": ""}), 422, "invalid", "name")
    assert_error(api.post("tokens", {"name": "x" * 61}), 422, "invalid", "name")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert_error(api.post("tokens", {"name": "旧", "expires_on": yesterday}), 400, "invalid", "expires_on")


def test_failed_token_is_recorded_without_the_token_and_throttles_the_address(org, token_api, settings):
    """DAT-02: a bad token is a failed sign-in from that address; enough of them and the address waits."""
    from ecomops.policy import registry

    limit = registry.value("DAT-02.login_max_failures_per_address")
    bad = "ecm_" + "z" * 43
    api = token_api(org.user_a)
    for _ in range(limit):
        assert_error(api.get("me", headers={"Authorization": f"Bearer {bad}"}), 401, "unauthenticated")
    failures = AuthEvent.objects.filter(kind=AuthEventKind.FAILED, channel="api")
    assert failures.count() == limit
    assert not any(bad in str(v) for row in failures.values() for v in row.values())
    response = api.get("me", headers={"Authorization": f"Bearer {bad}"})
    assert_error(response, 429, "throttled", None)
    assert int(response["Retry-After"]) > 0
    # A valid token is not guessed: it still works from the throttled address.
    assert api.get("me").status_code == 200


def test_tokens_never_appear_in_logs(org, token_api, caplog, settings):
    settings.DEBUG = True  # django-ninja's own bearer class would log the header in DEBUG
    api = token_api(org.user_a)
    with caplog.at_level(logging.DEBUG):
        api.get("me")
        api.get("me", headers={"Authorization": f"Bearer {api.plain}x"})
        api.get("me", headers={"Authorization": f"Token {api.plain}"})
        api.get("no-such-endpoint")
    assert caplog.records
    assert api.plain not in caplog.text
    assert api.plain[12:] not in caplog.text


def test_an_administrator_revokes_a_leaked_token_from_the_admin(org, token_api, client):
    api = token_api(org.user_a)
    client.force_login(org.admin)
    response = client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [api.record.pk]})
    assert response.status_code == 302
    assert_error(api.get("me"), 401, "unauthenticated")
    revoked = APIToken.objects.get(pk=api.record.pk).history.first()
    assert revoked.revoked_at is not None and revoked.history_user == org.admin  # DAT-02: who did it


def test_nobody_else_revokes_a_token_without_the_permission(org, token_api):
    from ecomops.apiutil.tokens import revoke_token
    from ecomops.core.errors import NotAllowed

    api = token_api(org.user_a)
    with pytest.raises(NotAllowed):
        revoke_token(api.record, user=org.user_b)
    assert api.get("me").status_code == 200
