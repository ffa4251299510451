"""The shell of the product, mounted at the site root: home page, sign in and out, my password, my API
tokens (they name org's scope and apiutil's tokens, so they live here rather than in core)."""

from django.urls import path

from . import home_views, password_views, tokens_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", home_views.LoginView.as_view(), name="login"),
    path("logout/", home_views.LogoutView.as_view(), name="logout"),
    path("me/password/", password_views.password_change, name="password_change"),
    path("me/tokens/", tokens_views.token_list, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", tokens_views.token_revoke, name="token-revoke"),
]
