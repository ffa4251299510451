"""Form helpers shared by every page (the sign-in form is ``ecomops.org.login``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.users import person_name

# Django's blank choice of a select; pages say 请选择 instead (a field's own empty label stays).
DJANGO_BLANK = "---------"
BLANK_LABEL = gettext_lazy("请选择")


def choose_label(field: forms.Field) -> None:
    """Say 请选择 instead of Django's "---------" on a select's blank choice (its value stays "");
    and show people by name in a picker of user accounts (周静怡, not the login)."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = BLANK_LABEL
        queryset = field.queryset
        if (queryset is not None and queryset.model is get_user_model()
                and "label_from_instance" not in vars(field)
                and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance):
            field.label_from_instance = person_name
    elif isinstance(field, forms.ChoiceField) and not isinstance(field.choices, CallableChoiceIterator):
        choices = list(field.choices)
        if any(value == "" and str(label) == DJANGO_BLANK for value, label in choices):
            field.choices = [(value, BLANK_LABEL if value == "" and str(label) == DJANGO_BLANK else label)
                             for value, label in choices]


class StyledFormMixin:
    """Give every widget its Bootstrap class, and mark fields with errors as invalid.

    ``compact = True`` gives the small controls used in search bars above lists.
    """

    compact = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choose_label(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if self.compact and css != "form-check-input":
                css += " " + css.replace("-control", "-control-sm").replace("-select", "-select-sm")
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


def add_business_error(form: forms.BaseForm, error: BusinessError) -> None:
    """Show an action's refusal on the field it names (or above the form when it names none)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if field is not None:
        widget = form.fields[field].widget
        if "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def submit(form: forms.BaseForm, action, *args, **kwargs):
    """Run an action for a valid form. A refusal for lack of rights is a 403; any other refusal is
    shown on the field it names and gives None, so the view renders the form again."""
    try:
        return action(*args, **kwargs)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as error:
        add_business_error(form, error)
        return None
