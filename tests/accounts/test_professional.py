"""An MSO's professional registration and training, recorded on their own account page: the
number checked against its regulator's format, a number nobody else holds, a date completed
not in the future; each change audited; a person sees and changes only their own."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import ProfessionalRegistration, Regulator, SyllabusTraining, Training
from accounts.validators import registration_number_errors
from tests.factories import CONFIRMED, member, post_holder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.mark.parametrize(
    ("regulator", "number", "valid"),
    [
        (Regulator.GPHC, "2071234", True),
        (Regulator.GPHC, "207123", False),
        (Regulator.GPHC, "2071234X", False),
        (Regulator.GMC, "7012345", True),
        (Regulator.GMC, "70123456", False),
        (Regulator.NMC, "12A3456E", True),
        (Regulator.NMC, "123456E", False),
        (Regulator.NMC, "12A34567", False),
        (Regulator.HCPC, "PA12345", True),
        (Regulator.HCPC, "PH123456", True),
        (Regulator.HCPC, "ODP12345", True),
        (Regulator.HCPC, "ZZ12345", False),  # no profession has these letters
        (Regulator.HCPC, "PA1234", False),
    ],
)
def test_registration_numbers_in_each_regulators_format(regulator, number, valid):
    assert (registration_number_errors(regulator, number) == "") is valid


def registration_url():
    return reverse("account_registration")


class TestRegistration:
    def test_only_the_person_themselves(self, assert_access, mso, other_mso):
        assert_access(registration_url(), allowed=mso)
        assert_access(reverse("account_training_add"), allowed=mso)
        answers = {"profession": "pharmacist", "number": "2071234", "pharmacy_team": "inside"}
        assert_access(registration_url(), allowed=mso, method="post", data=answers, ok=302)
        course = {
            "title": "Induction",
            "completed_on_day": "1",
            "completed_on_month": "3",
            "completed_on_year": "2026",
        }
        add = reverse("account_training_add")
        assert_access(add, allowed=mso, method="post", data=course, ok=302)
        mine = Training.objects.get(user=mso)
        assert_access(
            reverse("account_training_remove", args=[mine.pk]),
            allowed=mso,
            other_organisation=other_mso,  # someone else: their training is not there for them
            method="post",
            data=CONFIRMED,
            ok=302,
        )
        assert not Training.objects.exists()

    def test_recorded_with_the_professions_regulator(self, client_for, mso):
        client = client_for(mso)
        response = client.post(
            registration_url(),
            {"profession": "nurse", "number": " 12a 3456e ", "pharmacy_team": "outside"},
        )
        assert response.status_code == 302
        registration = ProfessionalRegistration.objects.get(user=mso)
        assert (registration.regulator, registration.number) == (Regulator.NMC, "12A3456E")
        page = client.get(reverse("account")).content.decode()
        assert "Nursing and Midwifery Council (NMC), 12A3456E" in page
        assert "Outside the pharmacy team" in page
        assert LogEntry.objects.get_for_object(registration).count() == 1

    def test_changed_not_added_again(self, client_for, mso):
        client = client_for(mso)
        for number in ("2071234", "2079999"):
            client.post(
                registration_url(),
                {"profession": "pharmacist", "number": number, "pharmacy_team": "inside"},
            )
        assert list(ProfessionalRegistration.objects.values_list("number", flat=True)) == [
            "2079999"
        ]

    def test_a_number_not_in_the_regulators_format_is_said_so(self, client_for, mso):
        response = client_for(mso).post(
            registration_url(),
            {"profession": "doctor", "number": "12A3456E", "pharmacy_team": "outside"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "number": ["A GMC reference number is 7 numbers, like 7012345"]
        }
        assert not ProfessionalRegistration.objects.exists()

    def test_a_number_someone_else_holds_is_refused(self, client_for, mso, trust):
        other = member(trust)
        ProfessionalRegistration.objects.create(
            user=other,
            profession="pharmacist",
            regulator="gphc",
            number="2071234",
            pharmacy_team="inside",
        )
        response = client_for(mso).post(
            registration_url(),
            {"profession": "pharmacy-technician", "number": "2071234", "pharmacy_team": "inside"},
        )
        assert response.context["form"].errors == {
            "number": ["This registration number is recorded for someone else: check it"]
        }
        assert not ProfessionalRegistration.objects.filter(user=mso).exists()

    def test_every_answer_is_asked_for(self, client_for, mso):
        response = client_for(mso).post(registration_url(), {})
        assert response.context["form"].errors == {
            "profession": ["Select your profession"],
            "number": ["Enter your registration number"],
            "pharmacy_team": ["Select whether you work inside or outside the pharmacy team"],
        }


def test_the_pages_cost_a_fixed_number_of_queries(client_for, mso, django_assert_max_num_queries):
    client = client_for(mso)
    for page in ("account", "account_registration", "account_training_add", "account_syllabus"):
        client.get(reverse(page))
        with django_assert_max_num_queries(10):
            assert client.get(reverse(page)).status_code == 200


class TestTraining:
    def test_added_and_shown_latest_first(self, client_for, mso):
        client = client_for(mso)
        for title, day in (("Syllabus level 1", "1"), ("MSO induction", "20")):
            response = client.post(
                reverse("account_training_add"),
                {
                    "title": title,
                    "provider": "NHS England",
                    "completed_on_day": day,
                    "completed_on_month": "3",
                    "completed_on_year": "2026",
                },
            )
            assert response.status_code == 302
        assert [t.title for t in Training.objects.filter(user=mso)] == [
            "MSO induction",
            "Syllabus level 1",
        ]
        page = client.get(reverse("account")).content.decode()
        listed = page[page.index("<h2>Your MSO training</h2>") :]
        assert listed.index("MSO induction") < listed.index("Syllabus level 1")

    def test_a_date_in_the_future_is_refused(self, client_for, mso):
        response = client_for(mso).post(
            reverse("account_training_add"),
            {
                "title": "Induction",
                "completed_on_day": "1",
                "completed_on_month": "1",
                "completed_on_year": "2027",
            },
        )
        assert response.context["form"].errors == {
            "completed_on": ["Date completed must be today or in the past"]
        }
        assert not Training.objects.exists()

    def test_only_ones_own_is_removed(self, client_for, mso, trust):
        mine = Training.objects.create(
            user=mso, title="Induction", completed_on=datetime.date(2026, 1, 1)
        )
        someone = post_holder(trust, "deputy-mso")
        theirs = Training.objects.create(
            user=someone, title="Syllabus", completed_on=datetime.date(2026, 1, 1)
        )
        client = client_for(mso)
        remove = "account_training_remove"
        assert client.post(reverse(remove, args=[theirs.pk])).status_code == 404
        assert client.get(reverse(remove, args=[mine.pk])).status_code == 405
        asked = client.post(reverse(remove, args=[mine.pk]))
        assert "Take Induction off your training?" in asked.content.decode()
        assert Training.objects.count() == 2  # asked, not yet taken off
        assert client.post(reverse(remove, args=[mine.pk]), CONFIRMED).status_code == 302
        assert list(Training.objects.all()) == [theirs]


class TestSyllabus:
    def level(self, level="2", day="1", month="3", year="2026"):
        return {
            "level": level,
            "completed_on_day": day,
            "completed_on_month": month,
            "completed_on_year": year,
        }

    def test_only_the_person_themselves(self, assert_access, mso, other_mso):
        url = reverse("account_syllabus")
        assert_access(url, allowed=mso)
        assert_access(url, allowed=mso, method="post", data=self.level(), ok=302)
        mine = SyllabusTraining.objects.get(user=mso)
        assert_access(
            reverse("account_syllabus_remove", args=[mine.pk]),
            allowed=mso,
            other_organisation=other_mso,  # someone else: the level is not there for them
            method="post",
            data=CONFIRMED,
            ok=302,
        )
        assert not SyllabusTraining.objects.exists()

    def test_recorded_once_a_level_and_shown(self, client_for, mso):
        client = client_for(mso)
        assert client.post(reverse("account_syllabus"), self.level("1")).status_code == 302
        assert client.post(reverse("account_syllabus"), self.level("2")).status_code == 302
        # The same level again takes the new date.
        assert client.post(reverse("account_syllabus"), self.level("2", day="9")).status_code == 302
        assert [(r.level, r.completed_on) for r in SyllabusTraining.objects.filter(user=mso)] == [
            ("1", datetime.date(2026, 3, 1)),
            ("2", datetime.date(2026, 3, 9)),
        ]
        page = client.get(reverse("account")).content.decode()
        assert "Level 2: Access to practice</strong>, 9 March 2026" in page

    def test_a_level_and_a_past_date_are_asked_for(self, client_for, mso):
        response = client_for(mso).post(
            reverse("account_syllabus"), self.level("", day="1", month="1", year="2999")
        )
        assert response.context["form"].errors == {
            "level": ["Select the level you completed"],
            "completed_on": ["Date completed must be today or in the past"],
        }
        assert not SyllabusTraining.objects.exists()

    def test_only_ones_own_is_removed(self, client_for, mso, trust):
        someone = post_holder(trust, "deputy-mso")
        theirs = SyllabusTraining.objects.create(
            user=someone, level="1", completed_on=datetime.date(2026, 1, 1)
        )
        response = client_for(mso).post(reverse("account_syllabus_remove", args=[theirs.pk]))
        assert response.status_code == 404
        assert SyllabusTraining.objects.get() == theirs
