"""One date input across the portal: a text box "jj/mm/aaaa" (numeric keypad on phones),
read as dd/mm/yyyy, or yyyy-mm-dd (the form links and saved views write)."""

from typing import Any

from django import forms

INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_FORMAT = "%d/%m/%Y"
DATE_ATTRS = {"placeholder": "jj/mm/aaaa", "inputmode": "numeric"}


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs=DATE_ATTRS, format=DATE_FORMAT)


class FrenchDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", INPUT_FORMATS)
        kwargs.setdefault("widget", date_widget())
        super().__init__(**kwargs)
