"""Issue 15: a page shows a link only when the viewer may open it. Every demo login crawls the demo
company from its home page (tests/crawl.py): no link it is shown may answer 403, 404 or a server error.
"""

from __future__ import annotations

import pytest

from ecomops.demo import org as demo

from .crawl import crawl, refused_buttons, sign_in
from .test_walk_demo import company  # noqa: F401, F811  (the demo company, built once for this module)


def one_login_per_role() -> list[str]:
    """The README's logins, then the first person of every other combination of positions and kind of
    scope (all clients, some clients, some stores, none) in the demo roster."""
    chosen = [username for username, *_ in demo.LOGINS]
    roles = {}
    for person in demo.ROSTER:
        scope = "stores" if person.stores else ("all" if len(person.clients) > 1 else len(person.clients))
        roles.setdefault((person.positions, scope), person.username)
    return chosen + [username for username in roles.values() if username not in chosen]


LOGINS = one_login_per_role()


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_every_link_a_login_is_shown_opens(company, username):  # noqa: F811
    seen = crawl(sign_in(username, demo.DEMO_PASSWORD), per_view=2)
    broken = seen.broken()
    assert len(seen.pages) > 1, seen.status
    assert not broken, "\n".join(f"{code} {path}  (linked from {source})"
                                 for path, (code, source) in sorted(broken.items()))
    # Buttons too: a form that posts to an action the user's permissions refuse is not shown.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    refused = refused_buttons(seen, user)
    assert not refused, "\n".join(f"{action}  (on {source})" for action, source in sorted(refused.items()))
