from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("facility/<str:code>/", views.facility, name="facility"),
    path("completeness/", views.completeness, name="completeness"),
    path("briefing.pdf", views.briefing, name="briefing"),
]
