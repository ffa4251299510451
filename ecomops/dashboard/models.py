"""The dashboard's permission (DAT-01). The figures are read from the orders, stock and ledger tables
(``figures``); this app keeps no data of its own."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """Holds ``dashboard.view_dashboard`` (no table: ``managed = False``): who sees the management
    dashboard as the home page. Given to the manager positions and the client users in the org seed;
    a client user sees their own client's stores only (DAT-02)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("可查看数据看板"))]
        verbose_name = _("数据看板")
        verbose_name_plural = _("数据看板")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
