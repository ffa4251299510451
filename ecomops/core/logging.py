"""A logging filter that removes passwords, tokens and personal data from log records."""

import logging
import re

# key=value or "key": "value" pairs whose key looks secret or personal.
_SECRET_KEYS = (
    r"(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|sessionid|csrftoken"
    r"|phone|mobile|id_?card|address)"
)
_PAIR = re.compile(
    r"(?i)(?P<key>[\"']?\b\w*" + _SECRET_KEYS + r"\w*[\"']?\s*[=:]\s*)(?P<val>\"[^\"]*\"|'[^']*'|[^\s,&;}]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|token)\s+[A-Za-z0-9._\-]{8,}")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = _BEARER.sub(lambda m: m.group(1) + " [REDACTED]", text)
    text = _PAIR.sub(lambda m: m.group("key") + "[REDACTED]", text)
    return _MOBILE.sub("[REDACTED]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the log line
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
