from django.urls import path

from . import views

urlpatterns = [
    path("me/training/", views.my_training, name="my_training"),
    path("me/training/transcript.pdf", views.transcript_pdf, name="my_transcript"),
    path("training/", views.compliance_home, name="training_home"),
    path("training/regions/<int:pk>/", views.compliance_region, name="training_region"),
    path(
        "training/regions/<int:pk>/behind.xlsx", views.behind_export, name="training_behind_export"
    ),
    path("training/schools/<int:pk>/", views.compliance_school, name="training_school"),
    path("training/teachers/<int:pk>/", views.teacher_ledger, name="training_teacher"),
    path(
        "training/teachers/<int:pk>/transcript.pdf",
        views.transcript_pdf,
        name="training_transcript",
    ),
    path("training/records/<int:pk>/", views.record_evidence, name="training_record"),
    path(
        "training/records/<int:pk>/reverse/", views.record_reverse, name="training_record_reverse"
    ),
    path("training/review/", views.review, name="training_review"),
    path("training/rules/", views.rule_sets, name="training_rules"),
]
