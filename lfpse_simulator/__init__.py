"""A local stand-in for LFPSE's submission API (Learn from Patient Safety Events, taxonomy
version 5), for development, the demo and the tests: it accepts, checks and keeps AdverseEvent
records as the service is understood to (docs/adr/0030-incidents-submitted-to-lfpse.md). It
stands for a remote service: it imports nothing of the features, and is mounted only when
``LFPSE_SIMULATOR`` is on, never in production."""
