from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("", views.dispatch, name="dispatch"),
    path("incidents/<str:code>/", views.incident, name="incident"),
    path("incidents/<str:code>/assign/", views.assign, name="assign"),
    path("incidents/<str:code>/destination/", views.destination, name="destination"),
    path("incidents/<str:code>/status/", views.status, name="status"),
    path("incidents/<str:code>/cancel/", views.cancel, name="cancel"),
    path("beds/", views.beds, name="beds"),
    path("hospitals/<str:code>/diversion/", views.diversion, name="diversion"),
    path("kpis/", views.kpis, name="kpis"),
]
