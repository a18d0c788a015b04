"""An email backend for tests run in a separate worker process: each message is written to a
file in MAILBOX_DIR; while the file MAILBOX_DIR/hold exists, sending hangs (after writing a
"started" marker), so a test can kill the worker in the middle of a send."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class Mailbox(BaseEmailBackend):
    def send_messages(self, messages):
        folder = Path(os.environ["MAILBOX_DIR"])
        for message in messages:
            if (folder / "hold").exists():
                (folder / "started").write_text(message.subject)
                while (folder / "hold").exists():  # until the test kills this worker
                    time.sleep(0.05)
            (folder / f"{uuid.uuid4().hex}.eml").write_text(message.message().as_string())
        return len(messages)
