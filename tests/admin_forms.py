"""What a browser would post back from an admin form page: the values of its main form
and of its inline formsets, as the page shows them (used to build plausible writes)."""

import datetime
import decimal

from django import forms


def _text(value):
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal, int)):
        return str(value)
    return "" if value is None else str(value)


def _widget(field):
    widget = field.widget
    # The admin wraps related-object widgets (the "+" and pencil icons).
    return getattr(widget, "widget", widget)


def form_data(form):
    """{name: value} of a form's fields as rendered (disabled fields are not posted)."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        widget, value = _widget(bound.field), bound.value()
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = _text(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [_text(v) for v in value]
        else:
            data[bound.html_name] = _text(value)
    return data


def formset_data(formset):
    data = form_data(formset.management_form)
    for form in formset.forms:
        data.update(form_data(form))
    return data


def admin_page_data(response):
    """The data an admin add/change/history page would post back, unchanged."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context.get("inline_admin_formsets") or []:
        data.update(formset_data(inline.formset))
    return data
