"""NHS.UK form widgets and fields for the ``nhsuk`` crispy-forms template pack.

See docs/adr/0003-nhsuk-template-pack.md.
"""

from .fields import NHSDateField
from .widgets import NHSCheckboxSelectMultiple, NHSDateInput, NHSRadioSelect

__all__ = ["NHSCheckboxSelectMultiple", "NHSDateField", "NHSDateInput", "NHSRadioSelect"]
