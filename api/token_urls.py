"""The person's API tokens, among their account pages."""

from django.urls import path

from .views import tokens

urlpatterns = [
    path("", tokens.token_list, name="api_tokens"),
    path("new/", tokens.token_create, name="api_token_create"),
    path("<int:pk>/revoke/", tokens.token_revoke, name="api_token_revoke"),
]
