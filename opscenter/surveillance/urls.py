from django.urls import path

from . import fhir, views

app_name = "surveillance"
urlpatterns = [
    path("", views.epidemic, name="epidemic"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("forecasts/", views.forecasts, name="forecasts"),
    path("fhir/Bundle", fhir.bundle, name="fhir_bundle"),
]
