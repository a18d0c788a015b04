"""Protocols for high-risk medicines: every member reads the current ones and downloads their
documents; the safety team adds, revises, retires and shares them (a copy of the document goes
to a network's library in one step); whoever keeps one is reminded of its review."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from improvement import reminders, services
from improvement.models import Protocol
from networks.models import Network, NetworkMembership, Resource
from notifications.registry import PROVIDERS
from organisations.choices import Role
from tests.factories import CONFIRMED, NetworkFactory, member
from tests.uploads import EXECUTABLE, PDF, upload

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
NEW_PDF = b"%PDF-1.7\n% version 4.3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


def make_protocol(organisation, owner, *, by=None, content=PDF, **fields):
    """A protocol saved through the service, as the safety team would add it."""
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
        file=ContentFile(content, name="insulin.pdf"),
        filename="insulin.pdf",
        content_type="application/pdf",
        size=len(content),
        **{**defaults, **fields},
    )
    return services.protocol_save(by=by or owner, protocol=protocol)


@pytest.fixture
def protocol(trust, mso):
    return make_protocol(trust, mso)


def protocol_data(owner, **fields):
    """What the form posts: a new protocol, approved in October 2026 and reviewed in 2028."""
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


def stored(folder="protocols") -> list[str]:
    """The files kept in storage under ``folder``."""
    where = Path(settings.MEDIA_ROOT) / folder
    return sorted(p.name for p in where.iterdir()) if where.exists() else []


def read(field_file) -> bytes:
    with field_file.open("rb") as f:
        return f.read()


def download(response) -> bytes:
    """A download's body, read to its end (which closes the stored file)."""
    return b"".join(response.streaming_content)


def url(name, protocol):
    return reverse(f"improvement:{name}", args=[protocol.organisation.ods_code, protocol.pk])


def listed_url(organisation):
    return reverse("improvement:protocols", args=[organisation.ods_code])


def new_url(organisation):
    return reverse("improvement:protocol_create", args=[organisation.ods_code])


@pytest.fixture
def network(mso):
    """A network the MSO is a member of."""
    network = NetworkFactory(name="National MSO Network", slug="national")
    NetworkMembership.objects.create(network=network, user=mso)
    return network


class TestAccess:
    def test_every_member_reads_the_list_a_protocol_and_its_document(
        self, assert_access, trust, staff, other_mso, protocol
    ):
        assert_access(listed_url(trust), allowed=staff, other_organisation=other_mso)
        assert_access(url("protocol", protocol), allowed=staff, other_organisation=other_mso)
        response = assert_access(
            url("protocol_document", protocol), allowed=staff, other_organisation=other_mso
        )
        assert b"".join(response.streaming_content) == PDF

    def test_the_committee_reads_them_too(self, client_for, trust, protocol):
        client = client_for(member(trust, Role.COMMITTEE_MEMBER))
        assert client.get(listed_url(trust)).status_code == 200
        page = client.get(url("protocol", protocol))
        assert page.status_code == 200 and "Record a new version" not in page.text
        assert download(client.get(url("protocol_document", protocol))) == PDF

    def test_adding_one(self, assert_access, trust, mso, staff, other_mso):
        new = new_url(trust)
        assert_access(new, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            new,
            allowed=mso,
            wrong_role=member(trust, Role.COMMITTEE_MEMBER),
            other_organisation=other_mso,
        )
        assert_access(
            new,
            method="post",
            data=protocol_data(mso),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        # Only the allowed request added one, and stored one file.
        assert Protocol.objects.get().created_by == mso
        assert len(stored()) == 1

    def test_changing_one(self, assert_access, mso, staff, other_mso, protocol):
        change = url("protocol_update", protocol)
        assert_access(change, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            change,
            method="post",
            data=protocol_data(mso, version="4.3"),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        protocol.refresh_from_db()
        assert protocol.version == "4.3"

    def test_retiring_one(self, assert_access, trust, mso, staff, other_mso, protocol):
        retire = url("protocol_retire", protocol)
        assert_access(
            retire,
            method="post",
            data=CONFIRMED,
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(
            retire,
            method="post",
            data=CONFIRMED,
            allowed=mso,
            wrong_role=member(trust, Role.COMMITTEE_MEMBER),
            other_organisation=other_mso,
            ok=302,
        )
        protocol.refresh_from_db()
        assert protocol.retired_on == TODAY

    def test_retiring_is_a_post(self, client_for, mso, protocol):
        assert client_for(mso).get(url("protocol_retire", protocol)).status_code == 405
        protocol.refresh_from_db()
        assert protocol.retired_on is None

    def test_sharing_one(self, assert_access, mso, staff, other_mso, protocol, network):
        NetworkMembership.objects.create(network=NetworkFactory(), user=staff)
        share = url("protocol_share", protocol)
        assert_access(share, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            share,
            method="post",
            data={"network": str(network.pk), "tags": "insulin"},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        assert Resource.objects.get().shared_by == mso

    def test_a_protocol_of_another_organisation_is_not_there(
        self, client_for, trust, mso, other_trust, other_mso
    ):
        theirs = make_protocol(other_trust, other_mso)
        client = client_for(mso)
        for ods in (other_trust.ods_code, trust.ods_code):
            for name in ("protocol", "protocol_document", "protocol_update", "protocol_share"):
                address = reverse(f"improvement:{name}", args=[ods, theirs.pk])
                assert client.get(address).status_code == 404, (ods, name)
            address = reverse("improvement:protocol_retire", args=[ods, theirs.pk])
            assert client.post(address).status_code == 404
        theirs.refresh_from_db()
        assert theirs.retired_on is None
        assert client.get(listed_url(trust)).context["current"] == []


class TestReading:
    def test_staff_read_the_current_ones(self, client_for, trust, staff, protocol):
        response = client_for(staff).get(listed_url(trust))
        assert response.context["current"] == [protocol]
        assert response.context["retired"] == [] and not response.context["can_manage"]
        assert "Insulin for adults" in response.text and "Add a protocol" not in response.text
        page = client_for(staff).get(url("protocol", protocol)).text
        assert "Insulin for adults" in page and "4.2, approved 1 November 2025" in page
        assert "Record a new version" not in page and "Retire it" not in page

    def test_staff_download_the_document_as_an_attachment(self, client_for, staff, protocol):
        response = client_for(staff).get(url("protocol_document", protocol))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="insulin.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert download(response) == PDF

    def test_the_document_is_sent_under_the_name_it_was_given(self, client_for, trust, mso):
        named = make_protocol(trust, mso)
        Protocol.objects.filter(pk=named.pk).update(filename="Insulin protocol v4.pdf")
        response = client_for(mso).get(url("protocol_document", named))
        assert "attachment" in response["Content-Disposition"]
        assert 'filename="Insulin protocol v4.pdf"' in response["Content-Disposition"]
        assert download(response) == PDF

    def test_a_retired_one_leaves_the_staffs_list_and_stays_on_the_teams(
        self, client_for, trust, mso, staff, protocol
    ):
        current = make_protocol(trust, mso, title="Opioids for adults", medicines="Morphine")
        asked = client_for(mso).post(url("protocol_retire", protocol))
        assert f"Retire “{protocol}”?" in asked.text
        protocol.refresh_from_db()
        assert protocol.retired_on is None  # asked first
        response = client_for(mso).post(url("protocol_retire", protocol), CONFIRMED, follow=True)
        assert response.redirect_chain[-1][0] == listed_url(trust)
        assert "is retired: staff no longer see it" in response.text
        protocol.refresh_from_db()
        assert protocol.retired_on == TODAY

        for_staff = client_for(staff).get(listed_url(trust))
        assert for_staff.context["current"] == [current] and for_staff.context["retired"] == []
        assert "Insulin for adults" not in for_staff.text
        assert "<h2>Retired</h2>" not in for_staff.text

        for_team = client_for(mso).get(listed_url(trust))
        assert for_team.context["current"] == [current]
        assert for_team.context["retired"] == [protocol]
        page = for_team.text
        assert "<h2>Retired</h2>" in page
        assert page.index("<h2>Retired</h2>") < page.index("Insulin for adults")
        assert page.index("Opioids for adults") < page.index("<h2>Retired</h2>")

    def test_a_retired_ones_page_says_not_to_use_it(self, client_for, mso, staff, protocol):
        services.protocol_retire(by=mso, protocol=protocol)
        page = client_for(staff).get(url("protocol", protocol)).text
        assert "Do not use it" in page and "retired on 23 November 2026" in page
        # No button to retire it again.
        assert "Retire it" not in client_for(mso).get(url("protocol", protocol)).text

    def test_a_current_ones_page_does_not(self, client_for, mso, staff, protocol):
        assert "Do not use it" not in client_for(staff).get(url("protocol", protocol)).text
        assert "Retire it" in client_for(mso).get(url("protocol", protocol)).text

    def test_an_overdue_review_is_said(self, client_for, trust, mso, staff):
        late = make_protocol(trust, mso, title="Opioids", review_on=datetime.date(2026, 11, 1))
        make_protocol(trust, mso, title="Insulin")
        assert "Review overdue" in client_for(staff).get(url("protocol", late)).text
        assert client_for(staff).get(listed_url(trust)).text.count("Review overdue") == 1


class TestAdding:
    def test_the_mso_adds_one_with_its_document(self, client_for, trust, mso, staff):
        response = client_for(mso).post(new_url(trust), protocol_data(staff), follow=True)
        added = Protocol.objects.get()
        assert response.redirect_chain[-1][0] == added.get_absolute_url()
        assert "is saved" in response.text
        assert (added.title, added.version, added.owner, added.created_by) == (
            "Anticoagulants for adults",
            "3.0",
            staff,
            mso,
        )
        assert (added.approved_on, added.review_on) == (
            datetime.date(2026, 10, 1),
            datetime.date(2028, 10, 1),
        )
        assert (added.filename, added.content_type, added.size) == (
            "anticoagulants.pdf",
            "application/pdf",
            len(PDF),
        )
        # Stored under a random name, not the one it was sent with.
        assert added.file.name.startswith("protocols/")
        assert "anticoagulants" not in added.file.name
        assert read(added.file) == PDF

    def test_the_form_offers_the_organisations_members_to_keep_it(
        self, client_for, trust, mso, staff, other_mso
    ):
        form = client_for(mso).get(new_url(trust)).context["form"]
        keepers = set(form.fields["owner"].queryset)
        assert {mso, staff} <= keepers and other_mso not in keepers

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            pytest.param({"file": None}, "file", "Select the protocol's document", id="no-file"),
            pytest.param(
                {"file": upload("protocol.pdf", EXECUTABLE)},
                "file",
                "The file must be a PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, "
                "CSV or text file. This one looks like",
                id="disguised",
            ),
            pytest.param(
                {"file": upload("protocol.pdf", b"")}, "file", "The file is empty", id="empty"
            ),
            pytest.param(
                {"review_on_year": "2026", "review_on_month": "9"},
                "__all__",
                "The next review is after the date it was approved",
                id="review-before-approval",
            ),
            pytest.param(
                {"review_on_year": "2026", "review_on_month": "10"},
                "__all__",
                "The next review is after the date it was approved",
                id="review-on-approval",
            ),
            pytest.param(
                {"approved_on_day": "24", "approved_on_month": "11"},
                "approved_on",
                "must be today or in the past",
                id="approved-tomorrow",
            ),
            pytest.param({"version": ""}, "version", "Enter the version", id="no-version"),
            pytest.param(
                {"summary": "Seen with patient 943 476 5919"},
                "summary",
                "looks like an NHS number",
                id="nhs-number",
            ),
        ],
    )
    def test_a_refusal_saves_nothing_and_keeps_what_was_typed(
        self, client_for, trust, mso, fields, field, message
    ):
        data = {k: v for k, v in protocol_data(mso, **fields).items() if v is not None}
        response = client_for(mso).post(new_url(trust), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert any(message in error for error in errors[field]), errors[field]
        assert escape(message) in response.text  # in the error summary
        assert Protocol.objects.count() == 0
        assert stored() == []
        assert response.context["form"]["title"].value() == "Anticoagulants for adults"
        assert 'value="Anticoagulants for adults"' in response.text

    def test_its_keeper_is_a_member_of_the_organisation(self, client_for, trust, mso, other_mso):
        response = client_for(mso).post(new_url(trust), protocol_data(other_mso))
        assert response.context["form"].errors["owner"] == ["Choose who keeps the protocol"]
        assert Protocol.objects.count() == 0 and stored() == []
        assert response.context["form"]["title"].value() == "Anticoagulants for adults"

    def test_the_service_refuses_a_keeper_from_elsewhere(self, trust, mso, other_mso):
        with pytest.raises(Exception, match="owner"):
            make_protocol(trust, other_mso, by=mso)
        assert Protocol.objects.count() == 0

    def test_an_oversized_file_is_refused_before_it_is_stored(
        self, client_for, trust, mso, settings
    ):
        settings.RESOURCE_MAX_BYTES = 1024
        response = client_for(mso).post(
            new_url(trust), protocol_data(mso, file=upload("big.pdf", PDF * 100))
        )
        assert response.status_code == 200
        errors = response.context["form"].errors["file"]
        assert len(errors) == 1 and errors[0].startswith("The file must be smaller than")
        assert Protocol.objects.count() == 0 and stored() == []
        assert response.context["form"]["title"].value() == "Anticoagulants for adults"

    def test_a_file_just_within_the_limit_is_taken(self, client_for, trust, mso, settings):
        settings.RESOURCE_MAX_BYTES = len(PDF)
        response = client_for(mso).post(new_url(trust), protocol_data(mso))
        assert response.status_code == 302
        assert Protocol.objects.get().size == len(PDF)


class TestChanging:
    def test_without_a_new_file_the_document_stays(self, client_for, mso, protocol):
        name = protocol.file.name
        data = protocol_data(mso, title="Insulin for adults", version="4.3", file=None)
        del data["file"]
        response = client_for(mso).post(url("protocol_update", protocol), data)
        assert response.status_code == 302, response.context["form"].errors
        protocol.refresh_from_db()
        assert protocol.version == "4.3"
        assert (protocol.file.name, protocol.filename, protocol.size) == (
            name,
            "insulin.pdf",
            len(PDF),
        )
        assert read(protocol.file) == PDF
        assert stored() == [Path(name).name]

    def test_a_new_document_replaces_the_old_whose_file_goes_once_committed(
        self, client_for, mso, protocol, django_capture_on_commit_callbacks
    ):
        old = protocol.file.name
        storage = protocol.file.storage
        data = protocol_data(mso, version="4.3", file=upload("insulin-4.3.pdf", NEW_PDF))
        with django_capture_on_commit_callbacks() as callbacks:
            response = client_for(mso).post(url("protocol_update", protocol), data)
        assert response.status_code == 302, response.context["form"].errors
        # Not before the change is committed: a rolled back change keeps its document.
        assert storage.exists(old)
        for callback in callbacks:
            callback()
        assert not storage.exists(old)
        protocol.refresh_from_db()
        assert protocol.file.name != old and protocol.file.name.startswith("protocols/")
        assert (protocol.filename, protocol.size, protocol.version) == (
            "insulin-4.3.pdf",
            len(NEW_PDF),
            "4.3",
        )
        assert read(protocol.file) == NEW_PDF
        assert stored() == [Path(protocol.file.name).name]

    def test_a_refused_change_keeps_the_old_document(
        self, client_for, mso, protocol, django_capture_on_commit_callbacks
    ):
        old = protocol.file.name
        data = protocol_data(
            mso,
            review_on_year="2025",
            review_on_month="1",
            file=upload("insulin-4.3.pdf", NEW_PDF),
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(mso).post(url("protocol_update", protocol), data)
        assert response.status_code == 200
        assert "The next review is after the date it was approved" in response.text
        protocol.refresh_from_db()
        assert (protocol.file.name, protocol.filename) == (old, "insulin.pdf")
        assert read(protocol.file) == PDF
        assert stored() == [Path(old).name]

    def test_a_disguised_replacement_is_refused(self, client_for, mso, protocol):
        old = protocol.file.name
        data = protocol_data(mso, version="9", file=upload("protocol.pdf", EXECUTABLE))
        response = client_for(mso).post(url("protocol_update", protocol), data)
        assert response.status_code == 200
        assert "This one looks like" in response.context["form"].errors["file"][0]
        protocol.refresh_from_db()
        assert (protocol.file.name, protocol.version) == (old, "4.2")
        assert stored() == [Path(old).name]

    def test_the_file_is_optional_when_changing(self, client_for, mso, protocol):
        form = client_for(mso).get(url("protocol_update", protocol)).context["form"]
        assert "leave it out to keep the current one" in form.fields["file"].label
        assert form["title"].value() == "Insulin for adults"


class TestSharing:
    def test_a_copy_of_the_document_goes_to_the_library_in_one_step(
        self, client_for, mso, protocol, network
    ):
        response = client_for(mso).post(
            url("protocol_share", protocol), {"network": str(network.pk), "tags": "insulin"}
        )
        assert response.status_code == 302
        assert response.url == reverse("networks:resources", args=["national"])
        shared = Resource.objects.get()
        assert shared.network == network and shared.shared_by == mso
        assert (shared.filename, shared.content_type, shared.size) == (
            "insulin.pdf",
            "application/pdf",
            len(PDF),
        )
        assert "Insulin for adults" in shared.title and "4.2" in shared.title
        assert [tag.name for tag in shared.tags.all()] == ["insulin"]
        # A copy, under its own name: the protocol's file is untouched.
        assert shared.file.name != protocol.file.name
        assert read(shared.file) == PDF
        assert protocol.file.storage.exists(protocol.file.name)
        assert read(protocol.file) == PDF

    def test_the_copy_outlives_a_new_version(
        self, client_for, mso, protocol, network, django_capture_on_commit_callbacks
    ):
        client = client_for(mso)
        client.post(url("protocol_share", protocol), {"network": str(network.pk)})
        data = protocol_data(mso, file=upload("insulin-4.3.pdf", NEW_PDF))
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url("protocol_update", protocol), data).status_code == 302
        assert read(Resource.objects.get().file) == PDF

    def test_the_form_offers_their_networks_and_the_medicines_as_tags(
        self, client_for, mso, protocol, network
    ):
        NetworkFactory(name="Not theirs")
        form = client_for(mso).get(url("protocol_share", protocol)).context["form"]
        assert form.fields["network"].choices == [(network.pk, "National MSO Network")]
        assert form["tags"].value() == "Insulin"

    def test_not_with_a_network_they_are_not_a_member_of(self, client_for, mso, protocol, network):
        theirs = NetworkFactory(name="Another", slug="another", kind=Network.Kind.SPECIALISED)
        response = client_for(mso).post(
            url("protocol_share", protocol), {"network": str(theirs.pk), "tags": "insulin"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["network"] == ["Select one of your networks"]
        assert not Resource.objects.exists()
        assert stored("resources") == []

    def test_the_service_refuses_a_network_of_others(self, mso, protocol):
        theirs = NetworkFactory(name="Another", slug="another")
        with pytest.raises(Exception, match="Only members of Another"):
            services.protocol_share(by=mso, protocol=protocol, network=theirs, tags=[])
        assert not Resource.objects.exists()

    def test_someone_with_no_networks_cannot_share(self, client_for, mso, protocol):
        client = client_for(mso)
        assert client.get(url("protocol_share", protocol)).status_code == 403
        other = NetworkFactory()
        assert client.post(
            url("protocol_share", protocol), {"network": str(other.pk)}
        ).status_code == (403)
        assert not Resource.objects.exists()


class TestReminders:
    def test_the_provider_is_registered(self):
        assert reminders.protocol_reviews in PROVIDERS

    def test_its_keeper_is_reminded_a_month_before_and_when_overdue(
        self, trust, mso, staff, other_trust, other_mso
    ):
        in_30 = TODAY + datetime.timedelta(days=30)
        soon = make_protocol(trust, staff, by=mso, title="Soon", review_on=in_30)
        make_protocol(trust, staff, by=mso, title="Later", review_on=in_30 + datetime.timedelta(1))
        late = make_protocol(
            other_trust, other_mso, title="Late", review_on=TODAY - datetime.timedelta(days=1)
        )
        retired = make_protocol(trust, mso, title="Retired", review_on=TODAY)
        services.protocol_retire(by=mso, protocol=retired)
        old_retired = make_protocol(
            trust, mso, title="Retired long ago", review_on=datetime.date(2026, 1, 1)
        )
        services.protocol_retire(by=mso, protocol=old_retired)

        due = sorted(reminders.protocol_reviews(TODAY), key=lambda r: r.subject)
        assert [(r.subject, r.kind, r.recipient_id, r.due_on) for r in due] == sorted(
            [
                (f"protocol:{soon.pk}", "review-in-30-days", staff.pk, in_30),
                (f"protocol:{late.pk}", "overdue", other_mso.pk, late.review_on),
            ]
        )
        reminder = next(r for r in due if r.subject == f"protocol:{soon.pk}")
        assert reminder.url == soon.get_absolute_url()
        assert reminder.title == "Review due: Soon"
        assert "23 December 2026" in reminder.body

    def test_once_its_review_date_has_passed_it_is_overdue(self, trust, mso):
        review = datetime.date(2026, 12, 1)
        protocol = make_protocol(trust, mso, review_on=review)
        before = TODAY  # 8 days before
        kinds = {
            on: [r.kind for r in reminders.protocol_reviews(on)]
            for on in (
                review - datetime.timedelta(days=31),
                before,
                review,
                review + datetime.timedelta(days=1),
            )
        }
        assert kinds == {
            review - datetime.timedelta(days=31): [],
            before: ["review-in-30-days"],
            review: ["review-in-30-days"],
            review + datetime.timedelta(days=1): ["overdue"],
        }
        late = list(reminders.protocol_reviews(review + datetime.timedelta(days=1)))
        assert late[0].title == f"Review overdue: {protocol.title}"
        assert late[0].recipient_id == mso.pk

    def test_none_once_it_is_retired(self, trust, mso):
        protocol = make_protocol(trust, mso, review_on=TODAY + datetime.timedelta(days=5))
        assert len(list(reminders.protocol_reviews(TODAY))) == 1
        services.protocol_retire(by=mso, protocol=protocol)
        assert list(reminders.protocol_reviews(TODAY)) == []
        assert list(reminders.protocol_reviews(TODAY + datetime.timedelta(days=60))) == []

    def test_due_for_review(self, trust, mso):
        due = make_protocol(trust, mso, title="Due", review_on=TODAY)
        make_protocol(trust, mso, title="Later", review_on=TODAY + datetime.timedelta(days=1))
        retired = make_protocol(trust, mso, title="Retired", review_on=TODAY)
        services.protocol_retire(by=mso, protocol=retired)
        assert list(Protocol.objects.due_for_review(TODAY)) == [due]


def test_the_lists_queries_do_not_grow_with_its_rows(client_for, page_queries, trust, mso, staff):
    url_ = listed_url(trust)
    first = make_protocol(trust, mso)
    services.protocol_retire(by=mso, protocol=make_protocol(trust, mso, title="Old"))
    clients = [client_for(mso), client_for(staff)]
    before = [page_queries(client, url_) for client in clients]
    for i in range(4):
        owner = member(trust, Role.STAFF)
        added = make_protocol(trust, owner, by=mso, title=f"Protocol {i}")
        if i % 2:
            services.protocol_retire(by=mso, protocol=added)
    assert len(clients[0].get(url_).context["retired"]) == 3
    assert [page_queries(client, url_) for client in clients] == before
    assert first in clients[1].get(url_).context["current"]


class TestRetired:
    def test_a_retired_protocol_is_not_shared(self, client_for, trust, mso):
        protocol = make_protocol(trust, mso)
        network = NetworkFactory()
        NetworkMembership.objects.create(network=network, user=mso)
        services.protocol_retire(by=mso, protocol=protocol)
        page = client_for(mso).get(protocol.get_absolute_url()).content.decode()
        assert "Share it with" not in page
        response = client_for(mso).post(
            reverse("improvement:protocol_share", args=[trust.ods_code, protocol.pk]),
            {"network": str(network.pk)},
        )
        assert response.context["form"].errors["network"] == [
            "A retired protocol is not shared: it must not be used"
        ]
        assert not Resource.objects.exists()

    def test_retiring_again_keeps_the_first_date(self, trust, mso):
        protocol = make_protocol(trust, mso)
        services.protocol_retire(by=mso, protocol=protocol)
        with time_machine.travel("2026-12-20 10:00 +0000", tick=False):
            services.protocol_retire(by=mso, protocol=protocol)
        protocol.refresh_from_db()
        assert protocol.retired_on == TODAY

    def test_due_on_its_review_date_and_overdue_after(self, client_for, trust, mso, staff):
        protocol = make_protocol(trust, mso, review_on=TODAY)
        assert "Review overdue" not in client_for(staff).get(protocol.get_absolute_url()).text
        Protocol.objects.filter(pk=protocol.pk).update(review_on=TODAY - datetime.timedelta(1))
        assert "Review overdue" in client_for(staff).get(protocol.get_absolute_url()).text


def test_a_protocols_page_reads_a_fixed_few_queries(client_for, page_queries, trust, mso, staff):
    """The protocol, its organisation and keeper in one query beside the request's own."""
    first = make_protocol(trust, mso)
    second = make_protocol(trust, mso, title="Opioids", summary="A longer summary " * 20)
    for reader in (mso, staff):
        client = client_for(reader)
        counts = {page_queries(client, p.get_absolute_url()) for p in (first, second)}
        assert len(counts) == 1 and counts.pop() <= 6
