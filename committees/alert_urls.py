"""The chain of an alert, below the alert's own address (the alerts app's pages come first;
neither of these addresses is one of theirs)."""

from django.urls import path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from .views import chain

app_name = "alert_chain"

urlpatterns = [
    path("<int:alert_id>/alert-chain/", chain.alert_chain, name="national"),
    path(
        "<int:alert_id>/<ods:ods_code>/alert-chain/",
        chain.organisation_chain,
        name="organisation",
    ),
]
