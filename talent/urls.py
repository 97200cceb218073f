from django.urls import path

from . import views

urlpatterns = [
    path("talent/", views.plans, name="talent_home"),
    path("talent/regions/<int:pk>/", views.region_plans, name="talent_region"),
    path(
        "talent/targets/<int:pk>/regions/<int:region_pk>/",
        views.target_detail,
        name="talent_target",
    ),
    path(
        "talent/targets/<int:pk>/regions/<int:region_pk>/export.xlsx",
        views.target_export,
        name="talent_target_export",
    ),
    path("talent/programmes/", views.programme_list, name="talent_programmes"),
    path("talent/programmes/<int:pk>/", views.programme_detail, name="talent_programme"),
    path("talent/enrolments/<int:pk>/move/", views.enrolment_move, name="talent_enrolment_move"),
]
