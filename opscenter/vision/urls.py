from django.urls import path

from . import views

app_name = "vision"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("false-alarms/", views.false_alarms, name="false_alarms"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/<int:entry_id>/withdraw/", views.watch_withdraw, name="watch_withdraw"),
    path("cameras/", views.camera_list, name="cameras"),
    path("cameras/new/", views.camera_form, name="camera_new"),
    path("cameras/<str:code>/edit/", views.camera_form, name="camera_edit"),
    path("cameras/<str:code>/enable/", views.camera_enable, name="camera_enable"),
]
