from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .api.schema import DocsView, SchemaView
from .forms import LoginForm
from .imports import views as import_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz/", include("portal.health")),  # the production settings answer it earlier
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/<int:pk>/", views.region_detail, name="region_detail"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("teachers/export/", views.teacher_export, name="teacher_export"),
    path("teachers/<int:pk>/", views.teacher_detail, name="teacher_detail"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/template/<slug:kind>.xlsx", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path(
        "imports/<int:pk>/errors.xlsx",
        import_views.import_error_workbook,
        name="import_error_workbook",
    ),
    path("teachers/<int:pk>/reveal/", views.teacher_reveal, name="teacher_reveal"),
    path("me/", views.my_record, name="my_record"),
    path("audit/", views.audit_log, name="audit_log"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/approve/", views.transfer_approve, name="transfer_approve"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
    path("", include("training.urls")),
    path("", include("talent.urls")),
    path("", include("honors.urls")),
    path("", include("compensation.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/", include("training.api.urls")),
    path("api/v1/", include("talent.api.urls")),
    path("api/v1/", include("honors.api.urls")),
    path("api/v1/", include("compensation.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its script as a file: no inline script for the CSP to refuse.
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
]

# Uploaded files are never served from MEDIA_URL, not even locally: a training certificate
# is served only through the scoped view ``training_record``.

handler500 = "portal.views.server_error"
handler404 = "portal.views.not_found"
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
