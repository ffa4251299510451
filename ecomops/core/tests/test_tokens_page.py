"""The token page: create a personal API token (shown once), use it, revoke it; others' tokens are 404."""

from ecomops.core.models import APIToken


def test_create_use_and_revoke_a_token_from_the_page(org, client):
    client.force_login(org.user_a)
    page = client.post("/me/tokens/", {"name": "ERP 同步脚本"})
    assert page.status_code == 200
    plain = page.context["issued"].plain
    assert plain in page.content.decode()
    token = APIToken.objects.get(user=org.user_a)
    assert plain not in str(APIToken.objects.filter(pk=token.pk).values().first())  # only the digest is kept

    api = client.__class__()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    listing = client.get("/me/tokens/").content.decode()
    assert plain not in listing and token.prefix in listing  # shown once only

    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_token_name_is_required_with_a_chinese_message(org, client):
    client.force_login(org.user_a)
    page = client.post("/me/tokens/", {"name": ""})
    assert "这个字段是必填项" in page.content.decode()
    assert not APIToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(org, client):
    from ecomops.apiutil.tokens import issue_token

    other = issue_token(user=org.user_b, name="乙的令牌").token
    client.force_login(org.user_a)
    assert client.post(f"/me/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
