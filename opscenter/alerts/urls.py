from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("feed/", views.feed, name="feed"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:alert_id>/resolve/", views.resolve, name="resolve"),
    path("<int:alert_id>/note/", views.add_note, name="note"),
    path("<int:alert_id>/assign/", views.assign, name="assign"),
]
