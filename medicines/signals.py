"""Sent when a dm+d release has been loaded (not on a dry run), inside its transaction. A
receiver that keeps medicines by dm+d code (the high-risk medicines list) resolves what it lists
against the release, and may return a line saying what it did: import_dmd prints it."""

from django.dispatch import Signal

release_loaded = Signal()
