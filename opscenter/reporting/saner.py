"""HL7 SANER (Situational Awareness for Novel Epidemic Response) measures, as data: which of their
populations the daily hospital data set holds, and under which element.

A SANER MeasureReport has one group per topic (`Beds`, `Ventilators`, `Encounters`, ...) whose populations
are told apart by a code of the IG's `MeasuredValues` system (`numICUBedsOcc`, `numC19Died`, ...). A population
with an element below becomes that value of our report; one with `None` has no counterpart in the data set and
is kept with the report as sent (`Report.unmapped`), never dropped. Codes as published in the IG
(http://hl7.org/fhir/uv/saner, FSH sources `NHSNReporting.fsh`, `FEMAReporting.fsh`, `MeasureVocabulary.fsh`).
"""

from __future__ import annotations

from dataclasses import dataclass

SANER = "http://hl7.org/fhir/uv/saner"
MEASURED_VALUES = f"{SANER}/CodeSystem/MeasuredValues"
GROUP_SYSTEM = f"{SANER}/CodeSystem/MeasureGroupSystem"
MEASURE_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"


@dataclass(frozen=True)
class Population:
    code: str  # in MEASURED_VALUES
    display: str
    element: str | None  # our data element, or None: kept with the report


@dataclass(frozen=True)
class Group:
    code: str  # in GROUP_SYSTEM
    text: str
    populations: tuple[Population, ...]


@dataclass(frozen=True)
class Measure:
    name: str
    title: str
    groups: tuple[Group, ...]

    @property
    def url(self) -> str:
        return f"{SANER}/Measure/{self.name}"

    def population(self, group: str, code: str) -> Population | None:
        """The population of this code in this group (codes compared without case: `numbeds` vs `numBeds`)."""
        for g in self.groups:
            if g.code.lower() == group.lower():
                return next((p for p in g.populations if p.code.lower() == code.lower()), None)
        return None


P = Population
BEDS = Group("Beds", "Hospital Bed Reporting", (
    P("numTotBeds", "All Hospital Beds", "beds_all_total"),
    P("numTotBedsOcc", "Hospital Beds Occupied", "beds_all_occupied"),
    P("numTotBedsAvail", "Hospital Beds Available", None),
    P("numbeds", "Hospital Inpatient Beds", "beds_inpatient_total"),
    P("numBedsOcc", "Hospital Inpatient Bed Occupancy", "beds_inpatient_occupied"),
    P("numICUBeds", "ICU Beds", "beds_icu_total"),
    P("numICUBedsOcc", "ICU Bed Occupancy", "beds_icu_occupied"),
    P("numICUBedsAvail", "ICU Bed Availability", "beds_icu_available"),
    P("numImpBeds", "Inpatient (non-ICU) Beds", None),
    P("numImpBedsOcc", "Inpatient (non-ICU) Bed Occupancy", None),
    P("numImpBedsAvail", "Inpatient (non-ICU) Bed Availability", None),
    P("numAmbBeds", "Ambulatory Beds", None),
    P("numAmbBedsOcc", "Ambulatory Bed Occupancy", None),
    P("numAmbBedsAvail", "Ambulatory Bed Availability", None),
))
VENTILATORS = Group("Ventilators", "Hospital Ventilators Reporting", (
    P("numVent", "Mechanical Ventilators", "ventilators_total"),
    P("numVentUse", "Mechanical Ventilators in Use", "ventilators_in_use"),
    P("numVentAvail", "Mechanical Ventilators Available", None),
))
ENCOUNTERS = Group("Encounters", "Hospital COVID-19 Encounters Reporting", (
    P("numC19HospPats", "Hospitalized COVID-19 Patients", "covid19_inpatients"),
    P("numC19MechVentPats", "Hospitalized and Ventilated COVID-19 Patients", "covid19_ventilated"),
    P("numC19HOPats", "Hospital Onset COVID-19 Patients", "covid19_hospital_onset"),
    P("numC19OverflowPats", "ED/Overflow COVID-19 Patients", "covid19_overflow"),
    P("numC19OFMechVentPats", "ED/Overflow and Ventilated COVID-19 Patients", "covid19_overflow_ventilated"),
    P("numC19Died", "COVID-19 Patient Deaths", "covid19_deaths"),
    # Published in the 2020 examples; any location, not only inpatients: no element of ours.
    P("numC19Pats", "All COVID-19 Confirmed or Suspected Patients", None),
    P("confirmedC19Pats", "All Confirmed COVID-19 Patients", None),
    P("numC19VentPats", "Ventilated COVID-19 Patients", None),
    P("cumC19HOPats", "Cumulative Hospital Onset COVID-19 Patients", None),
    P("cumC19Died", "Cumulative COVID-19 Patient Deaths", None),
))
NEW_TESTS = Group("positiveIncreasePercent", "Percent Positive among Newly Resulted Tests", (
    P("totalOrdersIncrease", "New Diagnostic Tests Ordered/Received", "lab_tests_ordered"),
    P("totalTestResultsIncrease", "New Tests Resulted", "lab_tests_resulted"),
    P("positiveIncrease", "New Positive COVID-19 Tests", "lab_tests_positive"),
))
ALL_TESTS = Group("positivePercent", "Cumulative Percent Positive among Resulted Tests", (
    # Cumulative to date: the daily data set counts the day's tests only.
    P("totalOrders", "Cumulative Diagnostic Tests Ordered/Received", None),
    P("totalTestResults", "Cumulative Tests Performed", None),
    P("positive", "Cumulative Positive COVID-19 Tests", None),
    P("rejected", "Cumulative Specimens Rejected", None),
    P("allReports", "All Laboratory Reports for any Order", None),
    P("latestReports", "Most Recent Laboratory Reports for any Order", None),
))

# The computable variant groups its populations otherwise (computed from Encounters, Conditions, Devices).
_BY_CODE = {p.code: p for g in (BEDS, VENTILATORS, ENCOUNTERS) for p in g.populations}
COMPUTABLE_GROUPS = tuple(Group(code, text, tuple(_BY_CODE[c] for c in codes)) for code, text, codes in (
    ("Encounters", "Encounters", ("numC19Pats",)),
    ("AcquiredCovid", "Acquired COVID-19 in Hospital", ("numC19HospPats", "numC19HOPats", "cumC19HOPats")),
    ("CovidDeaths", "COVID-19 Deaths", ("numC19Pats", "numC19Died", "cumC19Died")),
    ("Ventilators", "Ventilators", ("numVent", "numVentUse", "numVentAvail")),
    ("Beds", "Beds", ("numTotBeds", "numTotBedsOcc", "numTotBedsAvail")),
))

MEASURES = {m.name: m for m in (
    Measure("CDCPatientImpactAndHospitalCapacity", "CDC/NHSN COVID-19 Patient Impact and Hospital Capacity",
            (BEDS, VENTILATORS, ENCOUNTERS)),
    Measure("ComputableCDCPatientImpactAndHospitalCapacity",
            "CDC/NHSN COVID-19 Patient Impact and Hospital Capacity (computable)", COMPUTABLE_GROUPS),
    Measure("FEMADailyHospitalCOVID19Reporting", "FEMA Daily Hospital COVID-19 Reporting", (NEW_TESTS, ALL_TESTS)),
)}


def measure_named(canonical: str) -> Measure | None:
    """The SANER measure of a canonical URL (`http://hl7.org/fhir/uv/saner/Measure/<name>`, with or without
    `|version`); None for any other."""
    url = canonical.split("|", 1)[0].rstrip("/")
    prefix = f"{SANER}/Measure/"
    return MEASURES.get(url[len(prefix):]) if url.startswith(prefix) else None
