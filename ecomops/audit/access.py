"""Log of reads of unmasked personal data (CRM-03, DAT-02)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .middleware import client_ip, current_request
from .models import PersonalDataAccess


def log_personal_read(user, obj, fields: list[str], *, request=None, purpose: str = "") -> PersonalDataAccess:
    return PersonalDataAccess.objects.create(
        user=user,
        ip_address=client_ip(request or current_request()),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        fields=",".join(fields)[:200],
        purpose=purpose[:200],
    )
