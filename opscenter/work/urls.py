from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("", views.index, name="index"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/<int:notification_id>/", views.open_notification, name="notification"),
    path("files/<int:file_id>/", views.download, name="file"),
    path("directives/", views.directive_list, name="directives"),
    path("directives/new/", views.directive_new, name="directive_new"),
    path("directives/<int:directive_id>/", views.directive_detail, name="directive"),
    path("directives/<int:directive_id>/<str:action>/", views.directive_action, name="directive_action"),
    path("tasks/<int:task_id>/<str:action>/", views.task_action, name="task_action"),
    path("documents/", views.document_list, name="documents"),
    path("documents/new/in/", views.incoming_new, name="incoming_new"),
    path("documents/new/out/", views.outgoing_new, name="outgoing_new"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("documents/<int:document_id>/<str:action>/", views.document_action, name="document_action"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/screen/", views.meeting_screen, name="meeting_screen"),
    path("meetings/<int:meeting_id>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:meeting_id>/minutes.<str:fmt>", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/checkin/<str:token>/", views.checkin, name="checkin"),
    path("meetings/<int:meeting_id>/<str:action>/", views.meeting_action, name="meeting_action"),
]
