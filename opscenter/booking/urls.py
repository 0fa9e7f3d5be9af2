from django.urls import path

from . import figures_views, hospital_views, views

app_name = "booking"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("desk/", hospital_views.desk, name="desk"),
    path("figures/", figures_views.figures, name="figures"),
    path("desk/check-in/", hospital_views.desk_check_in, name="desk_check_in"),
    path("desk/<str:code>/no-show/", hospital_views.desk_no_show, name="desk_no_show"),
    path("time/<int:slot_id>/", views.details, name="details"),
    path("time/<int:slot_id>/code/", views.confirm, name="confirm"),
    path("my/<str:code>/", views.mine, name="mine"),
    path("my/<str:code>/qr.svg", views.qr, name="qr"),
    path("my/<str:code>/calendar.ics", views.calendar, name="calendar"),
    path("my/<str:code>/cancel/", views.cancel, name="cancel"),
    path("<str:unit>/<str:service>/", views.times, name="times"),
]
