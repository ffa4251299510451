"""The event rows of store applications (issue 14: one small function per kind of event; actions
call these, never build rows). Steps that change the state are written by ``core.flow.transition``
through ``application_moved``. The rows keep their audit history, as before."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ecomops.core.history import save_audited

from .enums import ApplicationEventKind
from .models import ApplicationDocument, ApplicationEvent, StoreApplication


def _write(application: StoreApplication, *, kind: str, user, before: str = "", after: str = "", note: str = "",
           document: ApplicationDocument | None = None) -> ApplicationEvent:
    limit = ApplicationEvent._meta.get_field("note").max_length
    event = ApplicationEvent(application=application, kind=kind, from_state=before or "", to_state=after or "",
                             note=str(note or "")[:limit], document=document, actor=user)
    save_audited(event, user=user)
    return event


def application_moved(application: StoreApplication, *, kind: str, user, before: str, after: str,
                      note: str = "") -> ApplicationEvent:
    """A step of the application's flow (submitted, review started, approved, returned, activated)."""
    return _write(application, kind=kind, user=user, before=before, after=after, note=note)


def application_created(application: StoreApplication, *, user, note: str = "") -> ApplicationEvent:
    return _write(application, kind=ApplicationEventKind.CREATED, user=user, after=application.status, note=note)


def document_uploaded(application: StoreApplication, document: ApplicationDocument, *, user,
                      replaced: bool) -> ApplicationEvent:
    what = (_("更换文件：%(name)s") if replaced else _("上传文件：%(name)s")) % {"name": document.original_name}
    return _write(application, kind=ApplicationEventKind.UPLOADED, user=user, note=f"{document.name} · {what}",
                  document=document)


def document_reviewed(application: StoreApplication, document: ApplicationDocument, *, user,
                      comment: str = "") -> ApplicationEvent:
    return _write(application, kind=ApplicationEventKind.DOCUMENT_REVIEWED, user=user, document=document,
                  note=f"{document.name}：{document.get_review_display()}" + (f"（{comment}）" if comment else ""))


def agreement_registered(application: StoreApplication, *, user, signed_on) -> ApplicationEvent:
    return _write(application, kind=ApplicationEventKind.AGREEMENT, user=user, before=application.status,
                  after=application.status, note=_("协议签署日期 %(day)s") % {"day": signed_on.isoformat()})
