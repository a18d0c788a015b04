"""The invitation links emailed to new members: outside the organisations' addresses, since the
person opening one may not have an account yet."""

from django.urls import path

from .views import invitation_accept, invitation_open

urlpatterns = [
    path("accept/", invitation_accept, name="invitation_accept"),
    path("<str:token>/", invitation_open, name="invitation_open"),
]
