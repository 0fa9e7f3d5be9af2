from django.urls import path

from . import figures_views, hospital_views, schedule_views, views

app_name = "booking"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("desk/", hospital_views.desk, name="desk"),
    path("figures/", figures_views.figures, name="figures"),
    path("desk/check-in/", hospital_views.desk_check_in, name="desk_check_in"),
    path("desk/walk-in/", hospital_views.desk_walk_in, name="desk_walk_in"),
    path("desk/call-next/", hospital_views.desk_call_next, name="desk_call_next"),
    path("desk/screens/revoke/", hospital_views.desk_revoke_screens, name="desk_revoke_screens"),
    path("desk/<str:code>/no-show/", hospital_views.desk_no_show, name="desk_no_show"),
    path("queue/<str:unit>/<str:service>/", hospital_views.queue, name="queue"),
    path("queue/<str:unit>/<str:service>/now.json", hospital_views.queue_now, name="queue_now"),
    path("screen/<str:token>/", hospital_views.screen, name="screen"),
    path("screen/<str:token>/now.json", hospital_views.screen_now, name="screen_now"),
    path("schedules/", schedule_views.home, name="schedules_home"),
    path("schedules/<str:unit>/", schedule_views.schedules, name="schedules"),
    path("schedules/<str:unit>/template/", schedule_views.template, name="schedule_template"),
    path("schedules/<str:unit>/template/active/", schedule_views.template_active, name="schedule_active"),
    path("schedules/<str:unit>/bulk/", schedule_views.bulk, name="schedule_bulk"),
    path("schedules/<str:unit>/close/", schedule_views.close, name="schedule_close"),
    path("schedules/<str:unit>/reopen/", schedule_views.reopen, name="schedule_reopen"),
    path("time/<int:slot_id>/", views.details, name="details"),
    path("time/<int:slot_id>/code/", views.confirm, name="confirm"),
    path("my/<str:code>/", views.mine, name="mine"),
    path("my/<str:code>/qr.svg", views.qr, name="qr"),
    path("my/<str:code>/calendar.ics", views.calendar, name="calendar"),
    path("my/<str:code>/cancel/", views.cancel, name="cancel"),
    path("my/<str:code>/move/", views.move, name="move"),
    path("my/<str:code>/move/<int:slot_id>/", views.move_to, name="move_to"),
    path("<str:unit>/<str:service>/", views.times, name="times"),
]
