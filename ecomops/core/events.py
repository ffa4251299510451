"""One shape for the event rows of every document: what happened, from which state to which, who,
when, a note and structured data.

A module's event table subclasses :class:`Event`, adds the foreign key to its document and narrows
``kind`` (and the two states) to its own choices; its ``events.py`` holds one small function per
kind of event that writes the row (Saleor's style), so callers never build event rows by hand.
Rows are append-only: written once, never changed or deleted through the product.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import BusinessError


class Event(models.Model):
    kind = models.CharField(_("事件"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", help_text=_("空表示系统"))
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise BusinessError(_("%(what)s不能修改") % {"what": self._meta.verbose_name})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise BusinessError(_("%(what)s不能删除") % {"what": self._meta.verbose_name})

    @classmethod
    def write(cls, *, kind: str, user=None, before: str = "", after: str = "", note: str = "",
              data: dict | None = None, at=None, **document) -> Event:
        """Append one row. ``document`` names the row's own foreign key(s), e.g. ``order=order``. The
        note is cut to the table's own ``note`` length (a subclass may allow more than 500)."""
        limit = cls._meta.get_field("note").max_length or 500
        return cls.objects.create(kind=kind, from_state=before or "", to_state=after or "", actor=user,
                                  note=str(note or "")[:limit], data=data or {}, at=at or timezone.now(),
                                  **document)
