from django.urls import path
from rest_framework.routers import DefaultRouter

from ..imports.api import ImportJobViewSet
from . import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet)
router.register("schools", views.SchoolViewSet)
router.register("teachers", views.TeacherViewSet)
router.register("imports", ImportJobViewSet)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
