"""``{% load medicines %}``: the dm+d medicine picker on a form's fields.

``{{ medicine|medicine_picker|crispy }}`` marks the form's ``name`` field for the picker
(static/js/medicine-picker.js): the address it asks for suggestions, and the name of the field
that takes the code of the one picked (``dmd_code``). Other names:
``medicine_picker:"name_field,code_field"``. The page loads the picker with
``{% include "medicines/picker_assets.html" %}`` in its ``head`` block. Without JavaScript the
fields are plain inputs."""

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def medicine_picker(form, fields="name,dmd_code"):
    name, code = (field.strip() for field in fields.split(","))
    # The form's own copy of the field (forms copy their fields when made): this form only.
    attrs = form.fields[name].widget.attrs
    attrs["data-medicine-picker"] = reverse("medicines:search")
    attrs["data-medicine-code"] = form.add_prefix(code)
    return form
