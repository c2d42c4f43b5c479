"""The records each endpoint returns, declared field by field: the JSON, the CSV's
columns and the OpenAPI schema all come from these (decision 0025).

Each reads a row the dashboard's own selector made (a model read through the
page's selector, or the page's row dataclass), so the API says what the page says.
"""

import datetime

from rest_framework import serializers

from localities.models import Rag


class LocalitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    sub_system = serializers.CharField(source="sub_system.name")
    registered_population = serializers.IntegerField(allow_null=True)
    is_illustrative = serializers.BooleanField()


class ObjectiveSerializer(serializers.Serializer):
    financial_year = serializers.CharField(source="financial_year.label")
    number = serializers.IntegerField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    measure = serializers.CharField()
    kind = serializers.CharField()
    source = serializers.CharField(help_text="The paper (and section) the objective comes from.")
    is_illustrative = serializers.SerializerMethodField()

    def get_is_illustrative(self, objective) -> bool:
        # The 2018/19 objectives are the papers' own (their source says where); a later
        # year's may be marked illustrative on the model (issue 19): read it if so.
        return bool(getattr(objective, "is_illustrative", False))


class ObjectiveStatusSerializer(serializers.Serializer):
    quarter = serializers.CharField(source="update.quarter.slug")
    locality = serializers.CharField(source="update.locality.slug")
    locality_name = serializers.CharField(source="update.locality.name")
    objective_number = serializers.IntegerField(source="objective.number")
    objective = serializers.CharField(source="objective.title")
    rag = serializers.ChoiceField(choices=Rag.choices, help_text="As approved in the return.")
    rag_label = serializers.CharField(source="get_rag_display")
    percent_complete = serializers.IntegerField(allow_null=True)
    narrative = serializers.CharField()
    is_illustrative = serializers.BooleanField(source="update.is_illustrative")


class MilestoneSerializer(serializers.Serializer):
    """Reads (milestone, the register's row): the row says what the page says; the
    milestone whether the source gave exact dates."""

    id = serializers.IntegerField(source="row.id")
    title = serializers.CharField(source="row.title")
    locality = serializers.CharField(source="row.locality_name", allow_null=True)
    workstream = serializers.CharField(source="row.workstream")
    objective = serializers.CharField(source="row.objective_label")
    timing_as_written = serializers.CharField(
        source="row.planned_window",
        help_text="The planned timing as the papers give it (decision 0002).",
    )
    planned_start = serializers.SerializerMethodField(
        help_text="Only where the source gives exact dates (no timing in words)."
    )
    planned_end = serializers.SerializerMethodField(
        help_text="Only where the source gives exact dates (no timing in words)."
    )
    is_date_uncertain = serializers.BooleanField(source="row.is_date_uncertain")
    forecast_date = serializers.DateField(source="row.forecast_date", allow_null=True)
    actual_as_written = serializers.CharField(
        source="row.actual_text",
        help_text="When it was completed, as precisely as the source gives it; blank if not by the quarter's end.",
    )
    actual_date = serializers.SerializerMethodField(
        help_text="Only where the source gives the day, and only if completed by the quarter's end."
    )
    status = serializers.CharField(source="row.status_then", help_text="As at the quarter's end.")
    status_label = serializers.CharField(source="row.status_label")
    slippage_days = serializers.IntegerField(source="row.slippage_days", allow_null=True)
    report = serializers.CharField(
        source="row.report", help_text="Who reported the status, and when."
    )
    is_illustrative = serializers.BooleanField(source="row.is_illustrative")

    def _exact(self, record) -> bool:
        return not record.milestone.timing_as_written

    def get_planned_start(self, record) -> datetime.date | None:
        return record.row.planned_start if self._exact(record) else None

    def get_planned_end(self, record) -> datetime.date | None:
        return record.row.planned_end if self._exact(record) else None

    def get_actual_date(self, record) -> datetime.date | None:
        return None if record.milestone.actual_as_written else record.row.actual_date


class MdtSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    locality = serializers.CharField(source="locality.slug")
    locality_name = serializers.CharField(source="locality.name")
    tier = serializers.CharField()
    population_covered = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(source="status_then", help_text="As at the quarter's end.")
    planned_go_live = serializers.DateField(allow_null=True)
    actual_go_live = serializers.SerializerMethodField(
        help_text="Only if live by the quarter's end."
    )
    is_illustrative = serializers.BooleanField()

    def get_actual_go_live(self, mdt) -> datetime.date | None:
        live = mdt.actual_go_live
        return live if live and live <= self.context["day"] else None


class MoneySerializer(serializers.Serializer):
    """Reads (the money page's row, whether its plan or any return in it is illustrative)."""

    locality = serializers.CharField(source="row.slug")
    locality_name = serializers.CharField(source="row.name")
    sub_system = serializers.CharField(source="row.sub_system")
    financial_year = serializers.SerializerMethodField()
    to_quarter = serializers.SerializerMethodField(help_text="The year to date ends here.")
    annual_plan = serializers.DecimalField(
        source="row.annual_plan", max_digits=14, decimal_places=2, allow_null=True
    )
    planned_to_date = serializers.DecimalField(
        source="row.planned_to_date", max_digits=20, decimal_places=2
    )
    spent_to_date = serializers.DecimalField(
        source="row.spent_to_date", max_digits=20, decimal_places=2
    )
    variance = serializers.DecimalField(source="row.variance", max_digits=20, decimal_places=2)
    variance_percent = serializers.DecimalField(
        source="row.variance_percent", max_digits=8, decimal_places=1, allow_null=True
    )
    verdict = serializers.CharField(source="row.verdict")
    returns = serializers.IntegerField(
        source="row.returns", help_text="Approved returns with spend in the year to date."
    )
    is_illustrative = serializers.BooleanField()

    def get_financial_year(self, record) -> str:
        return self.context["page"].quarter.financial_year.label

    def get_to_quarter(self, record) -> str:
        return self.context["page"].quarter.slug


class OutcomeSerializer(serializers.Serializer):
    locality = serializers.CharField(source="locality.slug")
    locality_name = serializers.CharField(source="locality.name")
    measure = serializers.CharField(source="measure.name")
    month = serializers.DateField(help_text="The first day of the calendar month.")
    value = serializers.IntegerField(help_text="Activity in the month, as counted.")
    is_illustrative = serializers.BooleanField()


class RiskSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    locality = serializers.CharField(source="locality_name", allow_null=True)
    objective = serializers.CharField(source="objective_label")
    owner_role = serializers.CharField()
    likelihood = serializers.IntegerField()
    consequence = serializers.IntegerField()
    score = serializers.IntegerField()
    band = serializers.CharField(source="band_name")
    inherent_score = serializers.IntegerField(allow_null=True)
    target_score = serializers.IntegerField(allow_null=True)
    trend = serializers.CharField(source="trend_label")
    last_reviewed_on = serializers.DateField(allow_null=True)
    review_due = serializers.DateField(allow_null=True)
    is_review_overdue = serializers.BooleanField()
    is_illustrative = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    owner = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    due_as_written = serializers.CharField(source="due_text")
    status = serializers.CharField(help_text="As at the quarter's end.")
    is_overdue = serializers.BooleanField()
    closed_on = serializers.DateField(allow_null=True)
    meeting = serializers.CharField()
    body = serializers.CharField()
    decision = serializers.CharField()
    linked = serializers.SerializerMethodField()
    is_illustrative = serializers.SerializerMethodField()

    def get_linked(self, row) -> list[str]:
        return [f"{item.kind}: {item.label}" for item in row.linked]

    def get_is_illustrative(self, row) -> bool:
        return row.is_illustrative or row.owner_and_status_are_illustrative


class DecisionSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()
    paper = serializers.CharField()
    section = serializers.CharField()
    meeting = serializers.CharField(source="meeting.date_text")
    body = serializers.CharField(source="meeting.body.name")
    is_illustrative = serializers.BooleanField(source="meeting.is_illustrative")
