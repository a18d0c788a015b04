"""A network's library: documents and links shared by its members, checked by content and
size, stored under random names and sent only to members, as attachments."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from networks.models import Resource, Tag
from tests.factories import CONFIRMED
from tests.networks.conftest import join
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


def ooxml(part="word/document.xml"):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return data.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def share(client, network, **fields):
    data = {
        "title": "Insulin safety audit tool",
        "shape": "file",
        "tags": "Insulin, audit",
        **fields,
    }
    return client.post(reverse("networks:resource_create", args=[network.slug]), data)


@pytest.fixture
def shared(client_for, national, member_mso):
    share(client_for(member_mso), national, file=upload("audit tool.pdf", PDF))
    return Resource.objects.get()


class TestAccess:
    def test_members_share_and_download(
        self, assert_access, national, shared, member_mso, other_mso, staff
    ):
        slug = national.slug
        for url in (
            reverse("networks:resources", args=[slug]),
            reverse("networks:resource_create", args=[slug]),
            reverse("networks:resource_download", args=[slug, shared.pk]),
        ):
            assert_access(url, allowed=member_mso, wrong_role=other_mso, other_organisation=staff)
        assert_access(
            reverse("networks:resource_create", args=[slug]),
            method="post",
            data={"title": "NPSA archive", "shape": "link", "link": "https://www.england.nhs.uk"},
            allowed=member_mso,
            wrong_role=other_mso,
            other_organisation=staff,
            ok=302,
        )

    def test_the_sharer_or_a_lead_removes(
        self, assert_access, client_for, national, shared, network_head, staff, other_mso
    ):
        someone = join(national, other_mso)
        url = reverse("networks:resource_remove", args=[national.slug, shared.pk])
        assert client_for(someone).post(url).status_code == 403
        asked = client_for(network_head).post(url)
        assert f"Remove “{shared.title}” from the library?" in asked.text
        assert Resource.objects.exists()  # asked first
        assert_access(
            url,
            method="post",
            data=CONFIRMED,
            allowed=network_head,
            wrong_role=someone,
            other_organisation=staff,
            ok=302,
        )
        assert not Resource.objects.exists()

    def test_a_resource_of_another_network_is_not_found_here(
        self, client_for, national, london, shared, member_mso
    ):
        join(london, member_mso)
        url = reverse("networks:resource_download", args=[london.slug, shared.pk])
        assert client_for(member_mso).get(url).status_code == 404


class TestSharing:
    def test_a_document_is_stored_under_a_random_name_and_sent_as_an_attachment(
        self, client_for, national, shared, member_mso
    ):
        assert shared.filename == "audit_tool.pdf"
        assert shared.content_type == "application/pdf" and shared.size == len(PDF)
        assert "audit" not in shared.file.name and shared.file.name.startswith("resources/")
        assert {tag.name for tag in shared.tags.all()} == {"insulin", "audit"}
        response = client_for(member_mso).get(
            reverse("networks:resource_download", args=[national.slug, shared.pk])
        )
        assert response["Content-Disposition"] == 'attachment; filename="audit_tool.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF

    @pytest.mark.parametrize(
        ("name", "content", "kind"),
        [
            ("minutes.docx", ooxml(), "docx"),
            ("tracker.xlsx", ooxml("xl/workbook.xml"), "xlsx"),
            ("chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "png"),
            ("list.csv", b"medicine,harm\ninsulin,moderate\n", "csv"),
        ],
    )
    def test_each_accepted_kind(self, client_for, national, member_mso, name, content, kind):
        response = share(client_for(member_mso), national, file=upload(name, content))
        assert response.status_code == 302
        assert Resource.objects.get().filename.endswith(kind)

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "This one looks like a .exe file"),
            ("report.pdf", b"<html><script>alert(1)</script></html>", "like a .html file"),
            ("report.pdf", ooxml(), "ends .pdf but it is a Word document"),
            ("photo.jpg", PDF, "ends .jpg but it is a PDF"),
            ("archive.pdf", ooxml("other/thing.xml"), "This one looks like a ZIP archive"),
            ("empty.pdf", b"", "The file is empty"),
        ],
    )
    def test_a_disguised_or_unwanted_file_is_refused(
        self, client_for, national, member_mso, name, content, message
    ):
        response = share(client_for(member_mso), national, file=upload(name, content))
        assert response.status_code == 200
        assert message in response.context["form"].errors["file"][0]
        assert 'value="Insulin safety audit tool"' in response.text  # nothing typed is lost
        assert not Resource.objects.exists()

    def test_an_oversized_file_is_refused_before_it_is_stored(
        self, client_for, national, member_mso, settings
    ):
        settings.RESOURCE_MAX_BYTES = 1024
        response = share(client_for(member_mso), national, file=upload("big.pdf", PDF * 100))
        assert response.context["form"].errors["file"] == [
            "The file must be smaller than 0 MB"
        ] or ("The file must be smaller than" in response.context["form"].errors["file"][0])
        assert not Resource.objects.exists()

    def test_a_link_or_a_file_is_needed(self, client_for, national, member_mso):
        client = client_for(member_mso)
        response = share(client, national)
        assert response.context["form"].errors["file"] == ["Select the document to share"]
        response = share(client, national, shape="link", link="http://example.com")
        assert response.context["form"].errors["link"] == ["The web address must begin https://"]

    def test_the_library_is_searched_by_words_and_tags(
        self, client_for, national, shared, member_mso
    ):
        client = client_for(member_mso)
        share(
            client,
            national,
            title="Opioid conversion chart",
            shape="link",
            link="https://example.nhs.uk/opioids",
            tags="opioids",
        )
        url = reverse("networks:resources", args=[national.slug])
        assert client.get(url).context["page"].paginator.count == 2
        assert [r.title for r in client.get(url, {"q": "opioid"}).context["page"]] == [
            "Opioid conversion chart"
        ]
        assert [r.title for r in client.get(url, {"tag": "insulin"}).context["page"]] == [
            "Insulin safety audit tool"
        ]
        assert Tag.objects.count() == 3

    def test_removing_a_document_deletes_its_file(
        self, client_for, national, shared, member_mso, django_capture_on_commit_callbacks
    ):
        storage, name = shared.file.storage, shared.file.name
        assert storage.exists(name)
        with django_capture_on_commit_callbacks(execute=True):
            client_for(member_mso).post(
                reverse("networks:resource_remove", args=[national.slug, shared.pk]), CONFIRMED
            )
        assert not storage.exists(name)


def test_an_archive_that_unpacks_to_gigabytes_is_not_unpacked(client_for, national, member_mso):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\0" * 50_000_000)  # 50 MB of zeros, ~50 KB packed
    response = share(client_for(member_mso), national, file=upload("minutes.odt", data.getvalue()))
    assert response.status_code == 200
    assert "This one looks like an unknown archive" in response.content.decode()
    assert not Resource.objects.exists()


def test_someone_who_is_not_a_member_cannot_send_a_file(client_for, national, other_mso):
    response = share(client_for(other_mso), national, file=upload("a.pdf", PDF))
    assert response.status_code == 403
    assert not Resource.objects.exists()
