"""One way to attach the audit history to a model: ``history = audited()``.

Each historical row keeps who (history_user), when (history_date), what (history_type and a full copy
of the row, so before/after is the difference to the previous row) and the address it came from.
"""

from simple_history.models import HistoricalRecords

from .models import HistoryContext


def audited(**kwargs) -> HistoricalRecords:
    kwargs.setdefault("bases", [HistoryContext])
    return HistoricalRecords(**kwargs)
