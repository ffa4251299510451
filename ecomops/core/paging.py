"""Paging long lists (issue 15: the order list at 100,000+ orders).

``KeyPaginator`` is Django's ``Paginator`` (same page numbers, same ``page_obj`` for the templates)
with a cheaper page: it first reads the page's primary keys alone, in the list's order (the offset is
walked on an index holding the order columns and the key, never on the rows), then fetches the page's
rows by key (a "deferred join"). A deep page (page 2,000 of 50) then costs an index scan, not 100,000
rows read with every joined table. The count is the queryset's ``count()`` (ordering and
``select_related`` dropped, so it is answered from an index too).
"""

from __future__ import annotations

from django.core.paginator import Paginator


class KeyPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in queryset.filter(pk__in=keys)} if keys else {}
        return self._get_page([found[key] for key in keys if key in found], number, self)
