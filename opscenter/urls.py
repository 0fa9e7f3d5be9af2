from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from opscenter.api import api
from opscenter.core.views import healthz
from opscenter.dashboard.sse import stream
from opscenter.org.views import home
from opscenter.reporting import fhir

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("fhir/metadata", fhir.metadata, name="fhir-metadata"),
    path("fhir/MeasureReport", fhir.measure_report, name="fhir-measurereport"),
    path("fhir/MeasureReport/<int:report_id>", fhir.measure_report_read, name="fhir-measurereport-read"),
    path("events/stream", stream, name="event-stream"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", include("opscenter.dashboard.urls")),
    path("reporting/", include("opscenter.reporting.urls")),
    path("alerts/", include("opscenter.alerts.urls")),
    path("vision/", include("opscenter.vision.urls")),
    path("emergency/", include("opscenter.emergency.urls")),
    path("surveillance/", include("opscenter.surveillance.urls")),
    path("work/", include("opscenter.work.urls")),
    path("admin/", admin.site.urls),
]
