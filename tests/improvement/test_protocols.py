"""Protocols for high-risk medicines: every member reads the current ones and downloads their
documents; the safety team adds, revises, retires and shares them; whoever keeps one is reminded
of its review."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from improvement import reminders, services
from improvement.models import Protocol
from networks.models import NetworkMembership, Resource
from organisations.choices import Role
from tests.factories import NetworkFactory, member
from tests.uploads import EXECUTABLE, PDF, upload

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


def make_protocol(organisation, owner, **fields):
    defaults = {
        "title": "Insulin for adults",
        "medicines": "Insulin",
        "version": "4.2",
        "approved_on": datetime.date(2025, 11, 1),
        "review_on": datetime.date(2027, 11, 1),
    }
    protocol = Protocol(
        organisation=organisation,
        owner=owner,
        filename="insulin.pdf",
        content_type="application/pdf",
        size=len(PDF),
        **{**defaults, **fields},
    )
    protocol.file.save("insulin.pdf", ContentFile(PDF), save=False)
    return services.protocol_save(by=owner, protocol=protocol)


@pytest.fixture
def protocol(trust, mso):
    return make_protocol(trust, mso)


def protocol_data(owner, **fields):
    return {
        "title": "Anticoagulants for adults",
        "medicines": "Warfarin, apixaban",
        "summary": "",
        "version": "3.0",
        "approved_on_day": "1",
        "approved_on_month": "10",
        "approved_on_year": "2026",
        "review_on_day": "1",
        "review_on_month": "10",
        "review_on_year": "2028",
        "owner": str(owner.pk),
        "file": upload("anticoagulants.pdf", PDF),
        **fields,
    }


class TestAccess:
    def test_reading(self, assert_access, trust, mso, staff, other_mso, protocol):
        for url in (
            reverse("improvement:protocols", args=[trust.ods_code]),
            protocol.get_absolute_url(),
            reverse("improvement:protocol_document", args=[trust.ods_code, protocol.pk]),
        ):
            assert_access(url, allowed=staff, other_organisation=other_mso)

    def test_keeping(self, assert_access, trust, mso, staff, other_mso, protocol):
        new = reverse("improvement:protocol_create", args=[trust.ods_code])
        change = reverse("improvement:protocol_update", args=[trust.ods_code, protocol.pk])
        for url in (new, change):
            assert_access(url, allowed=mso, wrong_role=staff, other_organisation=other_mso)
            assert_access(
                url,
                method="post",
                data=protocol_data(mso),
                allowed=mso,
                wrong_role=staff,
                other_organisation=other_mso,
                ok=302,
            )
        assert_access(
            reverse("improvement:protocol_retire", args=[trust.ods_code, protocol.pk]),
            method="post",
            allowed=mso,
            wrong_role=member(trust, Role.COMMITTEE_MEMBER),
            other_organisation=other_mso,
            ok=302,
        )

    def test_sharing(self, assert_access, trust, mso, staff, other_mso, protocol):
        network = NetworkFactory()
        NetworkMembership.objects.create(network=network, user=mso)
        url = reverse("improvement:protocol_share", args=[trust.ods_code, protocol.pk])
        assert_access(url, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            url,
            method="post",
            data={"network": str(network.pk)},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )


class TestReading:
    def test_staff_read_the_current_ones_and_download_the_document(
        self, client_for, trust, staff, protocol
    ):
        client = client_for(staff)
        listed = client.get(reverse("improvement:protocols", args=[trust.ods_code]))
        assert "Insulin for adults" in listed.content.decode()
        page = client.get(protocol.get_absolute_url()).content.decode()
        assert "Record a new version" not in page
        response = client.get(
            reverse("improvement:protocol_document", args=[trust.ods_code, protocol.pk])
        )
        assert response["Content-Disposition"] == 'attachment; filename="insulin.pdf"'
        assert b"".join(response.streaming_content) == PDF

    def test_a_retired_one_leaves_the_staffs_list(self, client_for, trust, mso, staff, protocol):
        client_for(mso).post(
            reverse("improvement:protocol_retire", args=[trust.ods_code, protocol.pk])
        )
        listed = reverse("improvement:protocols", args=[trust.ods_code])
        assert "Insulin for adults" not in client_for(staff).get(listed).content.decode()
        kept = client_for(mso).get(listed).content.decode()
        assert "Retired" in kept and "Insulin for adults" in kept
        page = client_for(staff).get(protocol.get_absolute_url()).content.decode()
        assert "Do not use it" in page

    def test_an_overdue_review_is_said(self, client_for, trust, mso, staff):
        late = make_protocol(trust, mso, title="Opioids")
        Protocol.objects.filter(pk=late.pk).update(review_on=datetime.date(2026, 11, 1))
        page = client_for(staff).get(late.get_absolute_url()).content.decode()
        assert "Review overdue" in page


class TestKeeping:
    def test_the_mso_adds_one(self, client_for, trust, mso):
        response = client_for(mso).post(
            reverse("improvement:protocol_create", args=[trust.ods_code]), protocol_data(mso)
        )
        added = Protocol.objects.get()
        assert response.url == added.get_absolute_url()
        assert (added.filename, added.content_type, added.size) == (
            "anticoagulants.pdf",
            "application/pdf",
            len(PDF),
        )
        assert added.created_by == mso and added.file.name.startswith("protocols/")
        with added.file.open("rb") as stored:
            assert stored.read() == PDF

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"file": ""}, "file", "Select the protocol's document"),
            ({"file": upload("insulin.pdf", EXECUTABLE)}, "file", None),
            ({"review_on_year": "2026", "review_on_month": "9"}, "review_on", None),
            ({"approved_on_year": "2027"}, "approved_on", None),
            ({"title": "", "version": ""}, "version", "Enter the version"),
        ],
    )
    def test_bad_input_is_explained_and_nothing_saved(
        self, client_for, trust, mso, fields, field, message
    ):
        data = protocol_data(mso, **fields)
        if data["file"] == "":
            del data["file"]
        response = client_for(mso).post(
            reverse("improvement:protocol_create", args=[trust.ods_code]), data
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors or "__all__" in errors, errors
        if message:
            assert errors[field] == [message]
        assert not Protocol.objects.exists()
        assert response.context["form"]["medicines"].value() == "Warfarin, apixaban"

    def test_the_review_comes_after_approval(self, client_for, trust, mso):
        response = client_for(mso).post(
            reverse("improvement:protocol_create", args=[trust.ods_code]),
            protocol_data(mso, review_on_year="2026", review_on_month="9"),
        )
        messages = [m for ms in response.context["form"].errors.values() for m in ms]
        assert "The next review is after the date it was approved" in messages

    def test_its_keeper_is_a_member(self, client_for, trust, mso, other_mso):
        response = client_for(mso).post(
            reverse("improvement:protocol_create", args=[trust.ods_code]),
            protocol_data(other_mso),
        )
        assert "owner" in response.context["form"].errors
        assert not Protocol.objects.exists()

    def test_an_oversized_file_is_refused(self, client_for, trust, mso, settings):
        settings.RESOURCE_MAX_BYTES = 10
        response = client_for(mso).post(
            reverse("improvement:protocol_create", args=[trust.ods_code]), protocol_data(mso)
        )
        assert "file" in response.context["form"].errors
        assert not Protocol.objects.exists()

    def test_a_new_version_replaces_the_document(
        self, client_for, trust, mso, protocol, django_capture_on_commit_callbacks
    ):
        url = reverse("improvement:protocol_update", args=[trust.ods_code, protocol.pk])
        old_name = protocol.file.name
        storage = protocol.file.storage
        data = protocol_data(mso, title="Insulin for adults", version="4.3")
        del data["file"]
        client_for(mso).post(url, data)
        protocol.refresh_from_db()
        assert protocol.version == "4.3" and protocol.file.name == old_name
        new = b"%PDF-1.7\n% version 4.4\n%%EOF\n"
        with django_capture_on_commit_callbacks(execute=True):
            client_for(mso).post(
                url, protocol_data(mso, version="4.4", file=upload("insulin-4.4.pdf", new))
            )
        protocol.refresh_from_db()
        assert protocol.filename == "insulin-4.4.pdf" and protocol.file.name != old_name
        assert not storage.exists(old_name)
        with protocol.file.open("rb") as stored:
            assert stored.read() == new


class TestSharing:
    def test_a_copy_of_the_document_goes_to_the_library(self, client_for, trust, mso, protocol):
        network = NetworkFactory(name="National MSO Network", slug="national")
        NetworkMembership.objects.create(network=network, user=mso)
        response = client_for(mso).post(
            reverse("improvement:protocol_share", args=[trust.ods_code, protocol.pk]),
            {"network": str(network.pk), "tags": "insulin"},
        )
        assert response.url == reverse("networks:resources", args=["national"])
        shared = Resource.objects.get()
        assert shared.network == network and shared.filename == "insulin.pdf"
        assert shared.file.name != protocol.file.name
        with shared.file.open("rb") as copy:
            assert copy.read() == PDF
        assert [tag.name for tag in shared.tags.all()] == ["insulin"]

    def test_not_with_a_network_of_others(self, client_for, trust, mso, protocol):
        mine = NetworkFactory()
        NetworkMembership.objects.create(network=mine, user=mso)
        theirs = NetworkFactory()
        response = client_for(mso).post(
            reverse("improvement:protocol_share", args=[trust.ods_code, protocol.pk]),
            {"network": str(theirs.pk)},
        )
        assert response.context["form"].errors["network"] == ["Select one of your networks"]
        assert not Resource.objects.exists()


class TestReminders:
    def test_its_keeper_is_reminded_a_month_before_and_when_overdue(self, trust, mso, protocol):
        Protocol.objects.filter(pk=protocol.pk).update(review_on=datetime.date(2026, 12, 20))
        later = make_protocol(trust, mso, title="Later")
        retired = make_protocol(trust, mso, title="Retired")
        Protocol.objects.filter(pk=retired.pk).update(
            review_on=datetime.date(2026, 12, 1), retired_on=TODAY
        )
        assert later.review_on > TODAY + datetime.timedelta(days=30)
        due = list(reminders.protocol_reviews(TODAY))
        assert [(r.kind, r.recipient_id, r.subject) for r in due] == [
            ("review-in-30-days", mso.pk, f"protocol:{protocol.pk}")
        ]
        overdue = list(reminders.protocol_reviews(datetime.date(2026, 12, 21)))
        assert [r.kind for r in overdue] == ["overdue"]


def test_the_lists_queries_do_not_grow_with_its_rows(client_for, page_queries, trust, mso):
    client = client_for(mso)
    url = reverse("improvement:protocols", args=[trust.ods_code])
    make_protocol(trust, mso)
    before = page_queries(client, url)
    for i in range(3):
        make_protocol(trust, mso, title=f"Protocol {i}")
    assert page_queries(client, url) == before
