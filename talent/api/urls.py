from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("targets", views.TargetViewSet)
router.register("attainment", views.AttainmentViewSet)
router.register("programmes", views.ProgrammeViewSet)
router.register("enrolments", views.EnrolmentViewSet)
router.register("titles", views.TitleViewSet)

urlpatterns = router.urls
