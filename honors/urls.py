from django.urls import path

from . import views

urlpatterns = [
    path("honours/", views.candidate_list, name="honours_candidates"),
    path("honours/scan/", views.scan_now, name="honours_scan"),
    path("honours/nominate/", views.nominate, name="honours_nominate"),
    path("honours/awards/", views.award_list, name="honours_awards"),
    path(
        "honours/awards/<int:pk>/certificate.pdf",
        views.award_certificate,
        name="honours_certificate",
    ),
    path("honours/awards/<int:pk>/revoke/", views.award_revoke, name="honours_revoke"),
    path(
        "honours/batches/<int:pk>/certificates.pdf",
        views.batch_certificates,
        name="honours_batch",
    ),
    path("verify/", views.verify, name="honours_verify_form"),
    path("verify/<str:code>/", views.verify, name="honours_verify"),
]
