"""core.bulk.insert_rows: plain dict rows name model attributes; a name the model does not have is an
error, never silently dropped (an event note was lost that way when a column was renamed)."""

import pytest

from ecomops.core.bulk import insert_rows
from ecomops.core.documents import DocumentCounter


@pytest.mark.django_db
def test_dict_rows_are_inserted_and_an_unknown_attribute_is_refused():
    insert_rows(DocumentCounter, [{"prefix": "T", "day": "2026-12-06", "last": 3}])
    assert DocumentCounter.objects.get(prefix="T").last == 3
    with pytest.raises(ValueError, match="lastt"):
        insert_rows(DocumentCounter, [{"prefix": "U", "day": "2026-12-06", "lastt": 3}])
    assert not DocumentCounter.objects.filter(prefix="U").exists()
