"""Finding a medicine in the dm+d by words of its name (medicines/search.py), its suggestions
as JSON for the report's picker, and the find page that does without JavaScript: a brand finds
its VMP's name and schedule, every word must be in the name, only current codes are found, and
the best names come first, in three queries."""

import os
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from medicines.models import Amp, Vmp
from medicines.search import Match, search

pytestmark = pytest.mark.django_db

ORAMORPH = "9992001000001108"


@pytest.fixture(autouse=True)
def release():
    call_command("import_dmd", "medicines/sample_release")


def names(query, **options) -> list[str]:
    return [match.name for match in search(query, **options)]


class TestSearch:
    def test_a_brand_finds_its_vmp_and_the_vmps_schedule(self):
        [oramorph] = search("oramor")
        assert oramorph == Match(
            ORAMORPH,
            "AMP",
            "Oramorph 10mg/5ml oral solution",
            vmp_name="Morphine sulfate 10mg/5ml oral solution",
            cd_schedule="5",
        )
        assert oramorph.label == (
            "Oramorph 10mg/5ml oral solution (morphine sulfate 10mg/5ml oral solution)"
        )

    def test_every_word_must_be_in_the_name_in_any_order_or_case(self):
        [injection] = search("INJ codeine")
        assert injection.name == "Codeine phosphate 60mg/1ml solution for injection ampoules"
        assert (injection.level, injection.cd_schedule) == ("VMP", "2")
        assert names("codeine tablets") == ["Codeine phosphate 30mg tablets"]

    def test_morphine_sulfate_does_not_find_hydromorphone(self):
        found = names("morphine sulfate")
        assert found and all(name.startswith("Morphine sulfate") for name in found)
        assert not any("ydromorphone" in name for name in names("morphine sulfate", limit=50))

    def test_the_name_itself_comes_first_then_names_starting_with_it_shorter_first(self):
        found = [(m.level, m.name) for m in search("morphine", limit=50)]
        assert found[0] == ("VTM", "Morphine")
        starting = [name for _level, name in found[1:] if name.startswith("Morphine")]
        assert len(starting) >= 3 and starting == sorted(starting, key=len)
        assert [name for _level, name in found[1 : len(starting) + 1]] == starting
        # Hydromorphone's name does not hold "morphine" ("hydromorphone"): a word is whole.
        assert not any(name.startswith("Hydromorphone") for _level, name in found)

    def test_invalid_codes_are_not_found(self):
        assert Vmp.objects.filter(invalid=True, name__icontains="old code").exists()
        assert names("old code") == []
        assert "Morphine sulfate 10mg modified-release tablets" in names("modified-release")
        assert not any("old code" in name for name in names("morphine modified", limit=50))

    def test_a_generic_amp_named_as_its_vmp_is_left_to_the_vmp(self):
        vmp = Vmp.objects.get(name="Codeine phosphate 30mg tablets")
        Amp.objects.create(id="9992999000001108", name=vmp.name, vmp_id=vmp.pk)
        assert [(m.level, m.code) for m in search("codeine phosphate 30mg tablets")] == [
            ("VMP", vmp.pk)
        ]

    def test_a_substance_has_no_schedule_and_a_product_without_one_has_none(self):
        assert search("losartan")[0] == Match("9990004000001101", "VTM", "Losartan", "", None)
        assert search("cozaar")[0].cd_schedule == ""

    @pytest.mark.parametrize("query", ["", " ", "m", " m ", "\x00", "\x00m"])
    def test_fewer_than_two_characters_find_nothing(self, query):
        assert search(query) == []

    def test_a_nul_character_or_a_long_query_is_read_safely(self):
        assert names("oram\x00orph") == ["Oramorph 10mg/5ml oral solution"]  # NUL dropped
        assert names("oramorph " + "x" * 50_000) == []
        assert names("oramorph   10MG") == ["Oramorph 10mg/5ml oral solution"]

    def test_the_limit_holds(self):
        assert len(search("m", limit=3)) == 0
        assert len(search("in", limit=3)) == 3

    def test_it_costs_one_query_for_each_level(self, django_assert_num_queries):
        with django_assert_num_queries(3):
            search("morphine")


class TestSuggestions:
    def test_it_answers_with_the_matches_as_json(self, assert_access, staff):
        url = reverse("medicines:search") + "?q=oramor"
        response = assert_access(url, allowed=staff)
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "results": [
                {
                    "code": ORAMORPH,
                    "level": "AMP",
                    "name": "Oramorph 10mg/5ml oral solution",
                    "label": (
                        "Oramorph 10mg/5ml oral solution (morphine sulfate 10mg/5ml oral solution)"
                    ),
                    "schedule": "5",
                }
            ]
        }

    def test_a_substance_has_a_null_schedule(self, staff_client):
        response = staff_client.get(reverse("medicines:search"), {"q": "morphine"})
        assert response.json()["results"][0] == {
            "code": "9990001000001101",
            "level": "VTM",
            "name": "Morphine",
            "label": "Morphine",
            "schedule": None,
        }

    def test_a_query_shorter_than_two_characters_finds_nothing(self, staff_client):
        for query in ({}, {"q": ""}, {"q": "m"}):
            response = staff_client.get(reverse("medicines:search"), query)
            assert response.json() == {"results": []}

    def test_anonymous_people_are_sent_to_sign_in(self, client):
        response = client.get(reverse("medicines:search"), {"q": "oramor"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_the_access_log_cannot_tie_what_is_typed_to_anyone(self, staff_client):
        """The picker asks while a report is written, anonymous or not (ADR 18)."""
        response = staff_client.get(reverse("medicines:search"), {"q": "oramor"})
        assert response["Referrer-Policy"] == "strict-origin"
        assert reverse("medicines:search") in untraced_paths()


def untraced_paths() -> set[str]:
    from core.logging import untraced_route

    return {
        path
        for path in (reverse("medicines:search"), reverse("medicines:find"))
        if untraced_route(path)
    }


def rows_of(page: str) -> list[str]:
    body = page.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return body.split("</tr>")[:-1]


def cells_of(row: str) -> list[str]:
    """Each cell's text, without the heading a small screen shows in it."""
    heading = r'<span class="nhsuk-table__heading"[^>]*>.*?</span>'
    return [
        " ".join(re.sub(rf"{heading}|<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


class TestFindPage:
    def test_it_lists_the_medicines_found(self, assert_access, staff):
        url = reverse("medicines:find") + "?q=morphine+oral"
        response = assert_access(url, allowed=staff)
        page = response.content.decode()
        assert "<h1>Find a medicine in the dm+d</h1>" in page
        [row] = rows_of(page)
        assert "Morphine sulfate 10mg/5ml oral solution" in row
        assert "Generic product (VMP)" in row and "Schedule 5" in row
        assert "9991001000001105" in row

    def test_a_brand_is_shown_with_its_vmp_and_a_substance_without_a_schedule(self, staff_client):
        page = staff_client.get(reverse("medicines:find"), {"q": "oramorph"}).content.decode()
        [row] = rows_of(page)
        assert "Brand of Morphine sulfate 10mg/5ml oral solution" in row
        assert "Branded product (AMP)" in row and "Schedule 5" in row and ORAMORPH in row
        page = staff_client.get(reverse("medicines:find"), {"q": "losartan"}).content.decode()
        assert [cells_of(row) for row in rows_of(page)][:2] == [
            ["Losartan", "Substance (VTM)", "Depends on the product", "9990004000001101"],
            ["Losartan potassium 50mg tablets", "Generic product (VMP)", "No", "9991007000001105"],
        ]

    def test_the_query_is_escaped(self, staff_client):
        query = '<script>alert("x")</script>'
        page = staff_client.get(reverse("medicines:find"), {"q": query}).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert "No current medicine in the dm+d" in page

    def test_a_query_too_short_is_explained(self, staff_client):
        response = staff_client.get(reverse("medicines:find"), {"q": "m"})
        assert "Enter 2 or more characters of the medicine" in response.content.decode()
        assert "<table" not in response.content.decode()

    def test_without_a_query_it_shows_the_search_only(self, staff_client):
        page = staff_client.get(reverse("medicines:find")).content.decode()
        assert 'name="q"' in page and "<table" not in page

    def test_it_is_untraced(self, staff_client):
        response = staff_client.get(reverse("medicines:find"), {"q": "oramorph"})
        assert response["Referrer-Policy"] == "strict-origin"
        assert reverse("medicines:find") in untraced_paths()


class TestThePickerOnTheReport:
    def test_the_name_fields_are_marked_for_the_picker_and_name_their_code_field(
        self, staff_client
    ):
        page = staff_client.get(reverse("incidents:report")).content.decode()
        [field] = re.findall(r'<input[^>]*name="medicines-0-name"[^>]*>', page)
        assert f'data-medicine-picker="{reverse("medicines:search")}"' in field
        assert 'data-medicine-code="medicines-0-dmd_code"' in field
        assert 'aria-describedby="id_medicines-0-name-hint"' in field
        assert 'name="medicines-0-dmd_code"' in page
        assert "js/medicine-picker.js" in page
        assert "accessible-autocomplete/accessible-autocomplete.min.css" in page
        assert reverse("medicines:find") in page


class TestTheTrigramIndexes:
    def test_the_migration_adds_the_indexes_on_postgresql_only(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trigram%'")
            else:
                cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trigram%'")
            found = sorted(row[0] for row in cursor.fetchall())
        expected = ["amp_name_trigram", "vmp_name_trigram", "vtm_name_trigram"]
        assert found == ([] if connection.vendor == "sqlite" else expected)

    @pytest.mark.parametrize("model", [Amp, Vmp])
    def test_on_postgresql_name_icontains_can_read_the_trigram_index(self, model):
        if connection.vendor != "postgresql":
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                pytest.fail("CI checks the trigram indexes on PostgreSQL (DATABASE_URL)")
            pytest.skip("the trigram indexes are PostgreSQL's: set DATABASE_URL")
        with connection.cursor() as cursor:
            # A sample this small is read whole: the plan is to show that the index fits.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = model.objects.filter(name__icontains="oramor").explain()
        assert f"{model._meta.model_name}_name_trigram" in plan
