"""The one transition helper (issue 14): the map is checked, the state set, saved with who and why,
and the event written, in that order; a refused step changes nothing."""

from types import SimpleNamespace

import pytest

from ecomops.core.errors import BusinessError
from ecomops.core.flow import allowed, transition

FLOW = {"draft": ("submitted", "cancelled"), "submitted": ("approved",), "approved": (), "cancelled": ()}
LABELS = {"draft": "草稿", "submitted": "已提交", "approved": "已批准", "cancelled": "已取消"}


class Doc:
    """Just enough of a model for the helper: a state field with choices, and save()."""

    _meta = SimpleNamespace(verbose_name="测试单",
                            get_field=lambda name: SimpleNamespace(flatchoices=list(LABELS.items())))

    def __init__(self, state="draft"):
        self.state = state
        self.posted_by = None
        self.saves = []

    def save(self, **kwargs):
        self.saves.append((self.state, getattr(self, "_history_user", None),
                           getattr(self, "_change_reason", None), kwargs))

    def __str__(self):
        return "T-1"


def test_allowed_reads_the_map():
    assert allowed(FLOW, "draft", "submitted")
    assert not allowed(FLOW, "draft", "approved")
    assert not allowed(FLOW, "unknown", "draft")


@pytest.mark.django_db
def test_transition_sets_saves_with_user_and_translated_reason_then_writes_the_event():
    doc, events = Doc(), []
    before = transition(doc, "submitted", flow=FLOW, user="clerk", changes={"posted_by": "clerk"},
                        event=lambda d, **kw: events.append((d.state, kw)), event_kwargs={"kind": "submit"})
    assert before == "draft"
    assert doc.state == "submitted" and doc.posted_by == "clerk"
    # No reason given: the history row says the new state's name, not an English token.
    assert doc.saves == [("submitted", "clerk", "已提交", {})]
    assert events == [("submitted", {"before": "draft", "after": "submitted", "user": "clerk", "note": "",
                                     "kind": "submit"})]


def test_refused_step_names_both_states_and_changes_nothing():
    doc = Doc("approved")
    with pytest.raises(BusinessError) as refused:
        transition(doc, "cancelled", flow=FLOW, user="clerk", changes={"posted_by": "x"})
    assert refused.value.code == "wrong_state" and refused.value.field == "state"
    assert "已批准" in refused.value.message and "已取消" in refused.value.message and "T-1" in refused.value.message
    assert doc.state == "approved" and doc.posted_by is None and doc.saves == []


@pytest.mark.django_db
def test_own_check_replaces_the_map_and_update_fields_include_state_and_changes():
    doc = Doc("draft")

    def check(d, to):
        if to == "approved":
            raise BusinessError("需要先付款", code="unpaid")

    with pytest.raises(BusinessError):
        transition(doc, "approved", flow=FLOW, user=None, check=check)
    transition(doc, "approved", flow={}, user=None, reason="手工批准", check=lambda d, to: None,
               changes={"posted_by": "boss"}, update_fields=["note"])
    assert doc.saves == [("approved", None, "手工批准", {"update_fields": ["note", "state", "posted_by"]})]


def test_documents_share_the_base_with_their_own_labels_and_numbers():
    """The document base (issue 14): a receipt, a purchase order and a stock document get number,
    client, who made it and when from core.documents.Document, each field labelled as its users
    know it (the migrations saw no change), and numbers from the one daily series."""
    from ecomops.core.documents import Document
    from ecomops.inventory.models import StockDocument
    from ecomops.receiving.models import Receipt
    from ecomops.supply.models import PurchaseOrder

    for model, label, prefix in [(Receipt, "入库单号", "SH"), (PurchaseOrder, "采购单号", "PO"),
                                 (StockDocument, "单据号", "")]:
        assert issubclass(model, Document)
        assert str(model._meta.get_field("number").verbose_name) == label
        assert str(model._meta.get_field("created_by").verbose_name) == "制单人"
        assert model.number_prefix == prefix
        # simple-history's copy of the table carries the same label.
        assert str(model.history.model._meta.get_field("number").verbose_name) == label


@pytest.mark.django_db
def test_document_numbers_come_from_the_one_gap_free_series():
    from ecomops.receiving.models import Receipt

    first, second = Receipt(), Receipt()
    assert first.assign_number().startswith("SH") and first.number.endswith("-0001")
    assert second.assign_number().endswith("-0002")
    assert first.assign_number() == first.number  # a numbered document keeps its number
