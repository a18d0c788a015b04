"""The national MSO register, the register of Patient Safety Specialists, and the changes
asked of them, at /register/."""

from django.urls import include, path

from . import views
from .urls import ODSCodeConverter  # noqa: F401 (registers the "ods" path converter)

app_name = "register"

specialists = [
    path("", views.specialist_register, name="specialists"),
    path("export.<slug:fmt>", views.specialist_export, name="specialists_export"),
]

changes = [
    path("", views.change_request_list, name="changes"),
    path("new/", views.change_request_start, name="change_start"),
    path("new/<ods:ods_code>/<slug:kind>/", views.change_request_create, name="change_create"),
    path("<int:pk>/", views.change_request_detail, name="change"),
    path("<int:pk>/withdraw/", views.change_request_withdraw, name="change_withdraw"),
]

urlpatterns = [
    path("", views.register_list, name="list"),
    path("export.<slug:fmt>", views.register_export, name="export"),
    path("specialists/", include(specialists)),
    path("changes/", include(changes)),
]
