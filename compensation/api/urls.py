from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("pay-reports", views.PayReportViewSet)
router.register("pay-adjustments", views.PayAdjustmentViewSet)

urlpatterns = [
    path("pay-checks/", views.PayChecksView.as_view(), name="api-pay-checks"),
    *router.urls,
]
