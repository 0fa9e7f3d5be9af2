from django import forms
from django.utils.translation import gettext_lazy as _

from opscenter.core import inputs
from opscenter.org.models import Unit, Ward

from .models import Classification, Disease, Outcome, Sex


class CaseForm(forms.Form):
    facility = forms.ModelChoiceField(queryset=Unit.objects.none(), to_field_name="code", label=_("Reporting facility"))
    disease = forms.ChoiceField(choices=Disease.choices, label=_("Disease"))
    classification = forms.ChoiceField(choices=Classification.choices, label=_("Classification"))
    onset_date = inputs.DateField(label=_("Onset date"), widget=forms.DateInput(attrs={"type": "date"}))
    report_date = inputs.DateField(label=_("Report date"), widget=forms.DateInput(attrs={"type": "date"}))
    age_years = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=inputs.INT32_MAX)
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sex"))
    ward = forms.ModelChoiceField(queryset=Ward.objects.order_by("name"), to_field_name="code",
                                  label=_("Ward of residence"))
    hospitalised = forms.BooleanField(required=False, label=_("Hospitalised"))
    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("Outcome"))
    patient_id = forms.CharField(required=False, max_length=40, label=_("National ID or insurance number"),
                                 help_text=_("Only used to recognise the same patient; not stored"))
    patient_name = forms.CharField(required=False, max_length=120, label=_("Patient name"))
    date_of_birth = inputs.DateField(required=False, label=_("Date of birth"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(required=False, max_length=32, label=_("Phone"))

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
