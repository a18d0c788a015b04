from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.placeholder, name="list"),
    path("switch/", views.placeholder, name="switch"),
    path("<str:ods_code>/", views.placeholder, name="detail"),
    path("<str:ods_code>/members/", views.placeholder, name="members"),
]
