from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("honour-types", views.HonourTypeViewSet)
router.register("honour-candidates", views.CandidateViewSet)
router.register("awards", views.AwardViewSet)

urlpatterns = router.urls
