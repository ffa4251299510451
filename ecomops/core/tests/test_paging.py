"""Issue 15: ``KeyPaginator`` gives Django's pages (same rows, order, counts, orphans) from a key-only
first query."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator

from ecomops.core.paging import KeyPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orphans", [0, 2])
def test_key_pages_are_django_s_pages(orphans, django_assert_num_queries):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{n:02d}", first_name=str(n % 3)) for n in range(11)])
    users = User.objects.filter(username__startswith="u").order_by("-first_name", "-pk")
    plain, keyed = Paginator(users, 3, orphans=orphans), KeyPaginator(users, 3, orphans=orphans)
    assert keyed.count == plain.count == 11 and keyed.num_pages == plain.num_pages
    for number in plain.page_range:
        a, b = plain.page(number), keyed.page(number)
        assert [u.pk for u in b.object_list] == [u.pk for u in a.object_list]
        assert (b.start_index(), b.end_index(), b.has_next()) == (a.start_index(), a.end_index(), a.has_next())
    with django_assert_num_queries(2):  # the keys, then the rows (the count is cached)
        list(keyed.page(2).object_list)
    assert list(KeyPaginator(users.none(), 3).get_page(1).object_list) == []
