"""Uploaded files (a network's library, an incident's attachments): limited in size
(``RESOURCE_MAX_BYTES``), and accepted by what they contain, not by their name.

``identify(upload)`` reads the first bytes: ``puremagic`` names the kind of file from its magic
numbers (PDF, PNG, JPEG, and the executables, web pages and archives that are refused); an
Office or OpenDocument file is a ZIP archive, told apart by the parts inside it; a CSV or text
file is UTF-8 text with no control characters that is not a web page. The name the person gave
must agree with what the file is, so a program called ``minutes.pdf`` is refused with a clear
message. The name given is made safe and kept to 150 characters, shortened in its stem so
that it keeps its extension (``safe_name``). Files are stored under random names
(networks.models.resource_path, incidents.models.attachment_path) and only ever sent as
attachments, after a permission check.

``LimitedUploadHandler`` stops reading an upload once it passes the limit, so an oversized file
is not written to disk before it is refused.
"""

import zipfile
from functools import wraps

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.views.decorators.csrf import csrf_exempt, csrf_protect

ACCEPTED = {
    "pdf": ("a PDF", "application/pdf"),
    "docx": (
        "a Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "an Excel spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "a PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": ("an OpenDocument text", "application/vnd.oasis.opendocument.text"),
    "ods": ("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
    "png": ("a PNG image", "image/png"),
    "jpg": ("a JPEG image", "image/jpeg"),
    "csv": ("a CSV file", "text/csv"),
    "txt": ("a text file", "text/plain"),
}
SAME = {"jpeg": "jpg"}  # other names for the same kind
OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
PUREMAGIC_KINDS = {".pdf": "pdf", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg"}
HEAD_BYTES = 64 * 1024
NAME_LENGTH = 150  # the longest name a file is kept under
# Longer than any kind of file's (they are 3 or 4): what follows the last full stop of a name
# is its extension only up to this long.
LONGEST_EXTENSION = 10


def max_bytes() -> int:
    return settings.RESOURCE_MAX_BYTES


def limit() -> str:
    return filesizeformat(max_bytes())


def too_big() -> str:
    return f"The file must be smaller than {limit()}"


def accepted_list() -> str:
    return "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV or text"


def extension(name: str) -> str:
    """What follows the last full stop of a name, if that is short enough to be an extension."""
    _stem, dot, after = name.rpartition(".")
    return after if dot and len(after) <= LONGEST_EXTENSION else ""


def safe_name(given: str) -> str:
    """The name an uploaded file is kept (and sent back) under: without its folders, only
    letters, numbers, "-", "_" and ".", and at most NAME_LENGTH characters. A longer name is
    cut in its stem and keeps its extension, which says what the file is."""
    name = get_valid_filename(given.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    if len(name) <= NAME_LENGTH:
        return name
    kept = extension(name)
    if not kept:
        return name[:NAME_LENGTH]
    return f"{name[: NAME_LENGTH - len(kept) - 1]}.{kept}"


def identify(upload) -> tuple[str, str, str]:
    """(extension, content type, safe file name) of an uploaded file, or ValidationError."""
    if upload.size > max_bytes():
        raise ValidationError(too_big(), code="too_big")
    if upload.size == 0:
        raise ValidationError("The file is empty", code="empty")
    name = safe_name(upload.name)
    given = extension(name).lower()
    given = SAME.get(given, given)
    kind = _kind(upload)
    if kind == "text":  # CSV is text: its name says which
        kind = given if given in ("csv", "txt") else "txt"
    if kind not in ACCEPTED:
        raise ValidationError(
            f"The file must be a {accepted_list()} file. This one looks like {kind}.",
            code="not_accepted",
        )
    if given != kind:
        says = f"ends .{given}" if given else "does not say what kind of file it is,"
        raise ValidationError(
            f"The file's name {says} but it is {ACCEPTED[kind][0]}: rename it to end .{kind} "
            "and try again",
            code="disguised",
        )
    return kind, ACCEPTED[kind][1], name


def check(form, upload, *, over_limit: bool, field: str = "file") -> tuple[str, str] | None:
    """A form's uploaded file checked: refused when it passed the limit while it was read
    (``over_limit``: the request's ``upload_too_big``, from ``LimitedUploadHandler``) or is
    not what its name says, the error put on ``field``; else its (content type, name). None
    when there is nothing (or nothing acceptable) to store."""
    if over_limit:
        form._errors.pop(field, None)
        form.add_error(field, too_big())
        return None
    if not upload:
        return None
    try:
        _kind_found, content_type, name = identify(upload)
    except ValidationError as error:
        form.add_error(field, error)
        return None
    return content_type, name


def _kind(upload) -> str:
    """What the file is, by its content: one of ACCEPTED's keys, or a description of it."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _archive_kind(upload)
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    for match in matches:
        if match.extension in PUREMAGIC_KINDS:
            return PUREMAGIC_KINDS[match.extension]
    if matches:
        return f"a {matches[0].extension or 'different kind of'} file"
    return _text_kind(head, whole=len(head) < HEAD_BYTES)


def _archive_kind(upload) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # Read a few bytes only: a tiny archive can unpack to gigabytes.
                with archive.open("mimetype") as part:
                    mimetype = part.read(100).strip()
                return ODF_TYPES.get(mimetype, "an unknown archive")
    except zipfile.BadZipFile:
        return "a damaged archive"
    finally:
        upload.seek(0)
    for prefix, kind in OOXML_PARTS.items():
        if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
            return kind
    return "a ZIP archive"


def _text_kind(head: bytes, *, whole: bool = False) -> str:
    """What the start of a file is, as text: ``head`` may end part way through a character
    (UTF-8 takes up to four bytes for one), unless it is the ``whole`` file."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=whole)
    except UnicodeDecodeError:
        return "not a kind of file we know"
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return "not a kind of file we know"
    if text.lstrip()[:1] == "<":
        return "a web page or other markup"
    return "text"


class LimitedUploadHandler(FileUploadHandler):
    """Stop reading a file once it passes the limit; the form then says it is too big."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            self.request.upload_too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def accepts_upload(check):
    """A view that takes a file. ``check(request, *args, **kwargs)``, who may send one, runs
    first and reads nothing of the body (it raises Http404 or PermissionDenied); then the
    upload is read with its size limit (``LimitedUploadHandler``: an oversized file is never
    written to disk, and the form says it is too big: ``upload_too_big``); then the CSRF
    check, which reads the form; then the view."""

    def decorate(view):
        protected = csrf_protect(view)

        @wraps(view)
        def upload_view(request, *args, **kwargs):
            check(request, *args, **kwargs)
            request.upload_handlers.insert(0, LimitedUploadHandler(request))
            return protected(request, *args, **kwargs)

        return csrf_exempt(upload_view)

    return decorate


def upload_too_big(request) -> bool:
    """Whether the request's file passed the limit while it was read (accepts_upload)."""
    return getattr(request, "upload_too_big", False)


def download(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored file sent as an attachment, never shown in the page: under the name it was
    given and the content type it was found to be, and the browser told not to guess another."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
