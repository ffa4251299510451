"""Real-browser tests run the Debian chromium (never a downloaded browser), headless and offline."""

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


PASSWORD = "Browser-Passw0rd!"  # every browser test's users have it


@pytest.fixture
def log_in(page, live_server):
    """Sign in through the login form and land on the home page: ``log_in(user_or_username)``; whoever
    was signed in before is signed out first. ``open_page=False`` when the test already stands on the
    login page."""

    def sign_in(user, *, password: str = PASSWORD, open_page: bool = True) -> None:
        if open_page:
            page.context.clear_cookies()
            page.goto(live_server.url + "/login/")
        page.fill("#id_username", getattr(user, "username", user))
        page.fill("#id_password", password)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_url(live_server.url + "/")

    return sign_in


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving static files through the staticfiles finders (node_modules
    included) as with ``django.contrib.staticfiles``. pytest-django looks for that exact name in
    INSTALLED_APPS; the project installs it as ``core.apps.StaticAssetsConfig``, so without this the
    server would look for the files in STATIC_ROOT (not collected in a test run) and answer 404."""
    import os
    from unittest import mock

    import django.test.testcases
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with mock.patch.object(django.test.testcases, "_StaticFilesHandler", StaticFilesHandler):
        server = LiveServer(addr)
    yield server
    server.stop()
