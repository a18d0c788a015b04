"""An email backend for tests run in a separate worker process: each message is written to a
file in MAILBOX_DIR. So that a test can kill the worker in the middle of a send, sending hangs
(after writing a "started" marker) while one of these files exists:

- MAILBOX_DIR/hold: before the message is written (the mail server has not taken it);
- MAILBOX_DIR/hold-after: once it is written (the mail server has taken it, and the worker
  dies before it records so)."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class Mailbox(BaseEmailBackend):
    def send_messages(self, messages):
        folder = Path(os.environ["MAILBOX_DIR"])
        for message in messages:
            _hang_while(folder / "hold", message)
            (folder / f"{uuid.uuid4().hex}.eml").write_text(message.message().as_string())
            _hang_while(folder / "hold-after", message)
        return len(messages)


def _hang_while(path: Path, message) -> None:
    if path.exists():
        (path.parent / "started").write_text(message.subject)
        while path.exists():  # until the test kills this worker
            time.sleep(0.05)
