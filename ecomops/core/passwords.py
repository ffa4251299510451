"""Password rules in the interface's language. Django's minimum-length message changed its wording in
5.2 and its Chinese catalogue has not caught up, so a too-short password was refused in English."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength
from django.utils.translation import gettext as _


class MinimumLengthValidator(DjangoMinimumLength):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(n)d 个字符") % {"n": self.min_length}
