"""A medicine named in a report, coded from the dm+d: by the code given, or by a name that is a
dm+d name written in full (any case, any spacing: "10 mg/5 ml" is the dm+d's "10mg/5ml"). The
controlled-drug schedule of a VMP is its dm+d category's; an AMP's is its VMP's; a VTM (the
substance alone) has none, as its products' schedules differ (morphine injection is Schedule 2,
its 10mg/5ml oral solution Schedule 5)."""

import re
from dataclasses import dataclass

from .models import Amp, Vmp, Vtm


@dataclass(frozen=True)
class Coded:
    code: str
    level: str  # "VTM", "VMP" or "AMP"
    name: str
    cd_schedule: str | None  # "" for none; None where the level has no schedule (a VTM)
    vmp: str = ""  # the VMP's code, for a VMP or an AMP
    vtm: str = ""  # the VTM's code, where the product has one

    @property
    def codes(self) -> set[str]:
        """The codes a list kept by dm+d code may name it by: its own, its VMP's and VTM's."""
        return {code for code in (self.code, self.vmp, self.vtm) if code}

    @property
    def substance(self) -> str:
        """What national figures count it under: its VTM, or its VMP where the dm+d gives the
        product no VTM (a product of several substances), or its own code."""
        return self.vtm or self.vmp or self.code

    @property
    def product(self) -> str:
        """The product (VMP) it is or is a brand of: "" for a substance alone."""
        return self.vmp


def _vmp(vmp: Vmp, level="VMP", code=None, name=None) -> Coded:
    return Coded(code or vmp.pk, level, name or vmp.name, vmp.cd_schedule, vmp.pk, vmp.vtm_id)


def by_code(code: str) -> Coded | None:
    code = (code or "").strip()
    if not code:
        return None
    if vmp := Vmp.objects.filter(pk=code).first():
        return _vmp(vmp)
    if amp := Amp.objects.filter(pk=code).first():
        vmp = Vmp.objects.filter(pk=amp.vmp_id).first()
        return _vmp(vmp, "AMP", amp.pk, amp.name) if vmp else Coded(amp.pk, "AMP", amp.name, None)
    if vtm := Vtm.objects.filter(pk=code).first():
        return Coded(vtm.pk, "VTM", vtm.name, None, vtm=vtm.pk)
    return None


def written_as_the_dmd_writes(name: str) -> str:
    """``name`` with single spaces and none between a number and its unit, as dm+d names are
    written ("10 mg/5 ml" -> "10mg/5ml")."""
    name = " ".join((name or "").split())
    return re.sub(r"(\d)\s+(?=[a-zA-Zµ%])", r"\1", name)


def by_name(name: str) -> Coded | None:
    """The dm+d product or substance with exactly this name (current codes first): as written
    (single spaces), or else written as the dm+d writes units ("10 mg" as "10mg"; a name such
    as "adrenaline 1 in 1,000" keeps its spaces)."""
    spaced = " ".join((name or "").split())
    if not spaced:
        return None
    for candidate in dict.fromkeys((spaced, written_as_the_dmd_writes(spaced))):
        for model in (Vmp, Amp, Vtm):
            found = model.objects.filter(name__iexact=candidate).order_by("invalid", "pk").first()
            if found is not None:
                return by_code(found.pk)
    return None


def code(name: str, dmd_code: str = "") -> Coded | None:
    """The medicine coded: by its code when one is given, else by its name."""
    return by_code(dmd_code) if dmd_code else by_name(name)
