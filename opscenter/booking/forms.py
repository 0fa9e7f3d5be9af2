"""The portal's forms: what the person enters, checked again by the services (which name the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Service


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
