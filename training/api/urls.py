from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("training/rule-sets", views.RuleSetViewSet)
router.register("training/courses", views.CourseViewSet)
router.register("training/records", views.TrainingRecordViewSet)

urlpatterns = [
    path(
        "training/compliance/<int:teacher_id>/",
        views.ComplianceView.as_view(),
        name="api-training-compliance",
    ),
    path("training/summaries/", views.SummaryView.as_view(), name="api-training-summaries"),
    path("me/training/", views.MyTrainingView.as_view(), name="api-me-training"),
    *router.urls,
]
