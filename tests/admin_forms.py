"""Post an admin change form back as a browser would: the values it shows, plus changes."""

from django import forms


def _put(data: dict, name: str, field: forms.Field, value: object) -> None:
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
    elif isinstance(widget, forms.MultiWidget):  # split date and time
        parts = value if isinstance(value, list) else widget.decompress(value)
        for index, (subwidget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
            data[f"{name}_{index}"] = subwidget.format_value(part) or ""
    elif isinstance(value, list | tuple):
        data[name] = [str(item) for item in value]
    elif value is not None:
        data[name] = str(value)


def _form_data(data: dict, form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if not field.disabled:
            _put(data, form.add_prefix(name), field, form[name].value())


def admin_form_data(response, **changes) -> dict:
    """The change page's form and inline formsets as posted data, with `changes` applied
    (a value of None leaves the field out: an unticked box, an emptied list)."""
    data: dict = {}
    _form_data(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(data, formset.management_form)
        for form in formset.forms:
            _form_data(data, form)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
