"""Finding a medicine in the dm+d by words of its name, as a reporter types it: the picker on
the report's medicine field and the find page (medicines/views.py) ask this.

Every word must appear in the name, in any case; only current codes are found. The names
ranked first are the query itself, then those that start with it, then the rest, shorter
names first. A brand (an AMP) comes with its VMP's name and its VMP's controlled-drug
schedule; an AMP named as its VMP is (a generic's) is left out, as the VMP stands for it.

One query for each level, each limited. On PostgreSQL each word's ``name__icontains`` is read
from a trigram index on the upper-case name (migration 0003, ADR 22)."""

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Length

from .models import CD_SCHEDULES, Amp, Vmp, Vtm

# Fewer characters than this find nothing: one letter matches most of the dm+d.
MIN_LENGTH = 2
# What is read of a query: a medicine's name is rarely longer, and each word is one more
# condition on the index.
MAX_LENGTH = 100
MAX_WORDS = 8
LEVELS = ("VTM", "VMP", "AMP")


@dataclass(frozen=True)
class Match:
    code: str
    level: str  # "VTM", "VMP" or "AMP"
    name: str
    vmp_name: str = ""  # an AMP's VMP's name; "" otherwise
    cd_schedule: str | None = ""  # "" none, "1" to "5"; None where unknown (a VTM's products vary)

    @property
    def label(self) -> str:
        """The name, and for a brand the generic product it is: "Oramorph 10mg/5ml oral
        solution (morphine sulfate 10mg/5ml oral solution)"."""
        return f"{self.name} ({_in_a_sentence(self.vmp_name)})" if self.vmp_name else self.name


def _in_a_sentence(name: str) -> str:
    """A dm+d name as it reads inside a sentence: its first letter in lower case, unless its
    first word is an abbreviation ("EMLA", "pH")."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def words_of(query: str) -> list[str]:
    """The words searched for: NUL characters (which PostgreSQL refuses) dropped, and the
    query cut to ``MAX_LENGTH`` characters and ``MAX_WORDS`` words."""
    return (query or "").replace("\x00", "")[:MAX_LENGTH].split()[:MAX_WORDS]


def search(query: str, limit: int = 10) -> list[Match]:
    """The current dm+d medicines whose names hold every word of ``query``, best first."""
    words = words_of(query)
    phrase = " ".join(words)
    if len(phrase) < MIN_LENGTH or limit < 1:
        return []
    ranked = [
        (rank, length, Match(code, "VTM", name, cd_schedule=None))
        for rank, length, code, name in _matching(Vtm.objects.all(), words, phrase).values_list(
            "rank", "length", "pk", "name"
        )[:limit]
    ]
    ranked += [
        (rank, length, Match(code, "VMP", name, cd_schedule=_schedule(category)))
        for rank, length, code, name, category in _matching(
            Vmp.objects.all(), words, phrase
        ).values_list("rank", "length", "pk", "name", "cd_category")[:limit]
    ]
    ranked += _amps(words, phrase, limit)
    level = {name: position for position, name in enumerate(LEVELS)}
    ranked.sort(key=lambda r: (r[0], r[1], r[2].name.casefold(), level[r[2].level], r[2].code))
    return [match for _rank, _length, match in ranked[:limit]]


def _matching(rows, words, phrase):
    """The current ``rows`` whose names hold every word, with their rank and length, in
    order."""
    holds_every_word = Q()
    for word in words:
        holds_every_word &= Q(name__icontains=word)
    return (
        rows.filter(holds_every_word, invalid=False)
        .annotate(
            rank=Case(
                When(name__iexact=phrase, then=Value(0)),
                When(name__istartswith=phrase, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            length=Length("name"),
        )
        .order_by("rank", "length", "name", "pk")
    )


def _amps(words, phrase, limit) -> list[tuple]:
    """The brands found, each with its VMP's name and schedule. An AMP of the same name as its
    VMP (a generic's) is left out, as the VMP stands for it; of several AMPs of one name and
    VMP (parallel imports) the first by code is kept."""
    vmp = Vmp.objects.filter(pk=OuterRef("vmp_id")).order_by()
    brands = Amp.objects.exclude(Exists(vmp.filter(name=OuterRef("name")))).annotate(
        vmp_name=Subquery(vmp.values("name")[:1]),
        vmp_category=Subquery(vmp.values("cd_category")[:1]),
    )
    rows = _matching(brands, words, phrase).values_list(
        "rank", "length", "pk", "name", "vmp_id", "vmp_name", "vmp_category"
    )[: limit * 2]
    found, seen = [], set()
    for rank, length, code, name, vmp_id, vmp_name, category in sorted(
        rows, key=lambda row: (row[0], row[1], row[3], row[2])
    ):
        if (name, vmp_id) not in seen:
            seen.add((name, vmp_id))
            schedule = _schedule(category) if vmp_name is not None else None
            found.append((rank, length, Match(code, "AMP", name, vmp_name or "", schedule)))
    return found[:limit]


def _schedule(category: str | None) -> str:
    return CD_SCHEDULES.get(category or "", "")
