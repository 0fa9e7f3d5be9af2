from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from opscenter.api import api
from opscenter.booking import fhir as booking_fhir
from opscenter.core import fhir as fhir_base
from opscenter.core.views import healthz
from opscenter.dashboard.sse import stream
from opscenter.org.views import home
from opscenter.reporting import fhir
from opscenter.surveillance import fhir as surveillance_fhir  # noqa: F401  (serves Condition/Patient Bundles)

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("fhir/", fhir_base.root, name="fhir-root"),
    path("fhir/metadata", fhir_base.metadata, name="fhir-metadata"),
    path("fhir/MeasureReport", fhir.measure_report, name="fhir-measurereport"),
    path("fhir/MeasureReport/<int:report_id>", fhir.measure_report_read, name="fhir-measurereport-read"),
    path("fhir/MeasureReport/<int:report_id>/_history/<int:version>", fhir.measure_report_read,
         name="fhir-measurereport-vread"),
    path("fhir/Measure", fhir.measure_search, name="fhir-measure"),
    path("fhir/Measure/<str:measure_id>", fhir.measure_read, name="fhir-measure-read"),
    path("fhir/CodeSystem", fhir.code_system_search, name="fhir-codesystem"),
    path("fhir/CodeSystem/<str:system_id>", fhir.code_system_read, name="fhir-codesystem-read"),
    path("fhir/HealthcareService", booking_fhir.healthcare_service, name="fhir-healthcareservice"),
    path("fhir/HealthcareService/<int:pk>", booking_fhir.healthcare_service, name="fhir-healthcareservice-read"),
    path("fhir/Practitioner", booking_fhir.practitioner, name="fhir-practitioner"),
    path("fhir/Practitioner/<int:pk>", booking_fhir.practitioner, name="fhir-practitioner-read"),
    path("fhir/Schedule", booking_fhir.schedule, name="fhir-schedule"),
    path("fhir/Schedule/<int:pk>", booking_fhir.schedule, name="fhir-schedule-read"),
    path("fhir/Slot", booking_fhir.slot, name="fhir-slot"),
    path("fhir/Slot/<int:pk>", booking_fhir.slot, name="fhir-slot-read"),
    path("fhir/Appointment", booking_fhir.appointment, name="fhir-appointment"),
    path("fhir/Appointment/<str:code>", booking_fhir.appointment_instance, name="fhir-appointment-read"),
    path("fhir/Appointment/<str:code>/_history/<int:version>", booking_fhir.appointment_instance,
         name="fhir-appointment-vread"),
    path("fhir/Location", booking_fhir.location, name="fhir-location"),
    path("fhir/Location/<str:location_id>", booking_fhir.location, name="fhir-location-read"),
    path("fhir/<path:path>", fhir_base.not_found),  # after every FHIR route: 404 as an OperationOutcome
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
    path("booking/", include("opscenter.booking.urls")),
    path("admin/", admin.site.urls),
]
