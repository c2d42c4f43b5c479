"""Small builders for valid objects, so each test changes one thing."""

import datetime
from decimal import Decimal

from localities.models import (
    CareModelElement,
    FinancialYear,
    Locality,
    Objective,
    OutcomeMeasure,
    Quarter,
    SubSystem,
)
from risks.models import Risk, RiskCategory
from updates.models import QuarterlyUpdate


def sub_system(name="East Kent"):
    return SubSystem.objects.get_or_create(name=name, slug=name.lower().replace(" ", "-"))[0]


def locality(name="Thanet", sub=None):
    return Locality.objects.create(
        name=name, slug=name.lower().replace(" ", "-"), sub_system=sub or sub_system()
    )


def financial_year(start_year=2018):
    return FinancialYear.objects.create(start_year=start_year)


def quarter(year=None, number=1):
    year = year or financial_year()
    start, end = Quarter.dates_for(year.start_year, number)
    return Quarter.objects.create(
        financial_year=year,
        number=number,
        start_date=start,
        end_date=end,
        submission_deadline=end + datetime.timedelta(days=21),
    )


def objective(year=None, number=1):
    return Objective.objects.create(
        financial_year=year or financial_year(),
        number=number,
        title=f"Objective {number}",
        short_title=f"Objective {number}",
    )


def care_model_element(number=1):
    return CareModelElement.objects.create(number=number, name=f"Element {number}")


def outcome_measure(code="ae-attendances"):
    return OutcomeMeasure.objects.create(code=code, name=code, unit="attendances")


def quarterly_update(place=None, period=None, **fields):
    return QuarterlyUpdate.objects.create(
        locality=place or locality(), quarter=period or quarter(), **fields
    )


def risk_category(name="Financial"):
    return RiskCategory.objects.create(name=name)


def open_risk(reference="LC-R01", category=None, **fields):
    values = {
        "reference": reference,
        "title": "Failure to identify the investment",
        "category": category or risk_category(),
        "status": Risk.Status.OPEN,
        "date_raised": datetime.date(2018, 7, 1),
        "current_likelihood": 4,
        "current_consequence": 4,
    }
    values.update(fields)
    return Risk.objects.create(**values)


POUNDS = Decimal("1000.00")
