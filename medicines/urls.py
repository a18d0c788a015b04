from django.urls import path

from . import views

app_name = "medicines"

urlpatterns = [
    path("", views.find, name="find"),
    path("search/", views.suggestions, name="search"),
]
