from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("submit/", views.submit, name="submit"),
    path("completeness/", views.completeness, name="completeness"),
    path("<str:data_set>/<str:unit>/<str:period>/", views.report_detail, name="detail"),
]
