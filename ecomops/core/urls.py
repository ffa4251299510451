from django.urls import path

from . import password_views, tokens_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/password/", password_views.password_change, name="password_change"),
    path("me/tokens/", tokens_views.token_list, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", tokens_views.token_revoke, name="token-revoke"),
]
