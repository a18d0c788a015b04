"""Files the tests upload: a small real PDF, and a file the test client can send more than once."""

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"
HTML = b"<html><script>alert(1)</script></html>"


class Rewinding(SimpleUploadedFile):
    """A file the test client can send more than once (each request reads it whole)."""

    def read(self, *args, **kwargs):
        self.seek(0)
        return super().read(*args, **kwargs)


def upload(name, content, content_type="application/pdf"):
    return Rewinding(name, content, content_type=content_type)
