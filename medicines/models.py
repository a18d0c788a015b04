"""The dm+d's three levels of medicine (NHSBSA dm+d data model, release 2.3): a VTM is the
substance ("morphine"), a VMP the generic product ("morphine sulfate 10mg/5ml oral solution"),
an AMP a supplier's product of a VMP ("Oramorph 10mg/5ml oral solution"). Codes are SNOMED CT
identifiers, kept as text (they are long and zero-padding matters in lookups). A code that the
dm+d has made invalid, or replaced (``previous_id``), is kept, so that what was coded with it
stays coded."""

from django.db import models
from django.db.models.functions import Upper

# The dm+d's CONTROL_DRUG_CATEGORY lookup (f_lookup2_3, CONTROL_DRUG_CATEGORY) -> the schedule
# of the Misuse of Drugs Regulations 2001 it places a product in ("" for none).
CD_SCHEDULES = {
    "0000": "",  # No Controlled Drug Status
    "0001": "1",  # Schedule 1 (CD Lic)
    "0002": "2",  # Schedule 2 (CD)
    "0003": "2",  # Schedule 2 (CD Exempt Safe Custody)
    "0004": "3",  # Schedule 3 (CD No Register)
    "0005": "3",  # Schedule 3 (CD No Register Exempt Safe Custody)
    "0006": "3",  # Schedule 3 (CD No Register Phenobarbital)
    "0007": "3",  # Schedule 3 (CD No Register Temazepam)
    "0008": "4",  # Schedule 4 (CD Anab): Part 2
    "0009": "4",  # Schedule 4 (CD Benz): Part 1
    "0010": "5",  # Schedule 5 (CD Inv)
}


class Vtm(models.Model):
    """A Virtual Therapeutic Moiety: the substance, whatever its form or strength."""

    id = models.CharField("VTM code", primary_key=True, max_length=20)
    name = models.CharField(max_length=255)
    invalid = models.BooleanField(default=False)
    previous_id = models.CharField("previous code", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "VTM"
        # A name written in full is looked up as any case (lookup.by_name: iexact).
        indexes = [models.Index(Upper("name"), name="vtm_name_any_case")]

    def __str__(self):
        return self.name


class Vmp(models.Model):
    """A Virtual Medicinal Product: the generic product, with its controlled-drug category."""

    id = models.CharField("VMP code", primary_key=True, max_length=20)
    name = models.CharField(max_length=255)
    vtm_id = models.CharField("VTM code", max_length=20, blank=True, db_index=True)
    invalid = models.BooleanField(default=False)
    previous_id = models.CharField("previous code", max_length=20, blank=True)
    cd_category = models.CharField("controlled drug category", max_length=4, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "VMP"
        # A name written in full is looked up as any case (lookup.by_name: iexact).
        indexes = [models.Index(Upper("name"), name="vmp_name_any_case")]

    def __str__(self):
        return self.name

    @property
    def cd_schedule(self) -> str:
        """The schedule ("2" to "5", "1" for Schedule 1), or "" for a medicine that is not a
        controlled drug."""
        return CD_SCHEDULES.get(self.cd_category, "")


class Amp(models.Model):
    """An Actual Medicinal Product: a supplier's (often branded) product of a VMP. Its
    controlled-drug category is its VMP's (the dm+d keeps none at this level)."""

    id = models.CharField("AMP code", primary_key=True, max_length=20)
    name = models.CharField(max_length=255)
    description = models.CharField(max_length=700, blank=True)
    vmp_id = models.CharField("VMP code", max_length=20, db_index=True)
    invalid = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "AMP"
        # A name written in full is looked up as any case (lookup.by_name: iexact).
        indexes = [models.Index(Upper("name"), name="amp_name_any_case")]

    def __str__(self):
        return self.description or self.name
