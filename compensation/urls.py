from django.urls import path

from . import views

urlpatterns = [
    path("pay/", views.pay_home, name="pay_home"),
    path("pay/regions/<int:pk>/", views.pay_region, name="pay_region"),
    path("pay/regions/<int:pk>/export.xlsx", views.pay_export, name="pay_export"),
    path("pay/adjustments/<int:pk>/delete/", views.adjustment_delete, name="pay_adjustment_delete"),
]
