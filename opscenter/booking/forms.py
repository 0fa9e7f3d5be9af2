"""The portal's forms: what the person enters, checked again by the services (which name the field)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opscenter.org.models import Unit

from .models import Doctor, Schedule, Service


class DetailsForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            help_text=_("A code will be sent to this number to confirm the booking."))
    email = forms.CharField(label=_("E-mail (optional)"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            help_text=_("For a reminder the day before, besides the text message."))
    identifier = forms.CharField(label=_("Citizen ID or health insurance number"), max_length=20, required=False,
                                 help_text=_("Optional; it speeds up the check-in."))
    reason = forms.CharField(label=_("Reason for the visit"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(
        label=_("I agree that the hospital uses these details to receive me for this appointment, and that they "
                "are deleted after the visit (Decree 13/2023/NĐ-CP)."), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code sent to your phone"), max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class FindForm(forms.Form):
    code = forms.CharField(label=_("Booking code"), max_length=12)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class WalkInForm(forms.Form):
    """Someone at the desk without a booking: the desk types what the clinic needs (the date of birth may wait)."""

    service = forms.ModelChoiceField(label=_("Clinic"), queryset=Service.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Full name"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    reason = forms.CharField(label=_("Reason for the visit"), max_length=300, required=False)

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]


# --- the hospital's schedules: what the manager enters, checked again by the services (which name the field) ----

WEEKDAY_CHOICES = [(n, WEEKDAYS[n]) for n in range(7)]
DATE = {"type": "date"}
TIME = {"type": "time"}


class TemplateForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    doctor = forms.ModelChoiceField(label=_("Doctor"), queryset=Doctor.objects.none(), required=False,
                                    empty_label=_("Any doctor of the service"))
    room = forms.CharField(label=pgettext_lazy("consulting room", "Room"), max_length=80, required=False)
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=WEEKDAY_CHOICES, coerce=int)
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs=TIME, format="%H:%M"))
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=1)
    capacity = forms.IntegerField(label=_("Patients per slot"), min_value=1)
    walk_in_share = forms.IntegerField(label=_("Kept for walk-ins (%)"), min_value=0, max_value=100, initial=0)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs=DATE))
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=forms.DateInput(attrs=DATE),
                                  help_text=_("Empty: no end."))
    from_day = forms.DateField(label=_("The change applies from"), widget=forms.DateInput(attrs=DATE),
                               help_text=_("Times already booked stay as they are."))
    # The version the form was loaded from: saving over someone's newer change is refused (no lost update).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, unit: Unit, editing: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choose(self, "service", Service.objects.filter(unit=unit).order_by("name"))
        _choose(self, "doctor", Doctor.objects.filter(unit=unit).order_by("name"))
        if not editing:
            del self.fields["from_day"]


def _choose(form: forms.Form, name: str, queryset: QuerySet) -> None:
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Schedule) -> str:  # type: ignore[override]
        return obj.label


class ClosureForm(forms.Form):
    APPLIES_TO = [("schedule", _("One template")), ("doctor", _("All templates of a doctor")),
                  ("facility", _("The whole facility"))]
    applies_to = forms.ChoiceField(label=_("What to close"), choices=APPLIES_TO, widget=forms.RadioSelect)
    schedule = TemplateChoiceField(label=_("Template"), queryset=Schedule.objects.none(), required=False)
    doctor = forms.ModelChoiceField(label=_("Doctor"), queryset=Doctor.objects.none(), required=False)
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    last = forms.DateField(label=_("Until (included)"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason (told to the patients)"), max_length=200,
                             help_text=_("e.g. doctor on leave, public holiday"))

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choose(self, "schedule", Schedule.objects.filter(service__unit=unit, active=True)
                .select_related("service", "doctor").order_by("weekday", "start"))
        _choose(self, "doctor", Doctor.objects.filter(unit=unit).order_by("name"))


class BulkForm(forms.Form):
    """Several templates (ticked in the table) changed together; an empty value is left as it is."""

    templates = forms.TypedMultipleChoiceField(label=_("Templates"), coerce=int)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=1, required=False)
    capacity = forms.IntegerField(label=_("Patients per slot"), min_value=1, required=False)
    walk_in_share = forms.IntegerField(label=_("Kept for walk-ins (%)"), min_value=0, max_value=100,
                                       required=False)
    from_day = forms.DateField(label=_("The change applies from"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any):
        super().__init__(*args, **kwargs)
        ids = Schedule.objects.filter(service__unit=unit).values_list("pk", flat=True)
        cast(forms.ChoiceField, self.fields["templates"]).choices = [(pk, pk) for pk in ids]
