"""Synthetic data at N times the real programme, for load and query-count work.

`generate_scale_data(factor=10)` adds invented localities, each with MDTs,
milestones, money, baselines, quarterly updates and risks shaped like the
illustrative demo data, so that the database holds about ten times the real
programme. It adds to whatever is loaded (normally `loaddata reference
illustrative`) and never changes an existing row.

What it adds at factor N (N = 1 adds nothing):
- (N - 1) x 8 localities "Synthetic locality 0001", ... (slug "synthetic-0001"),
  eight to a synthetic sub-system;
- min(N - 1, 7) financial years before the monthly baseline starts (2015/16
  back to 2009/10: never in the months of the real baseline, April 2016 to
  March 2018), so the database holds 4N + 8 quarters, at most 40; each with
  four objectives mirroring 2018/19's. The real years are never touched;
- per synthetic locality: 5 to 7 MDTs (about 6), 4 milestones, 4 to 6 open
  risks (references "SYN-000001", ...) with reviews and actions, planned
  investment per year, and a quarterly update for every quarter of 2018/19
  and of the synthetic years, with a status per objective and, in Q2 and Q4,
  a maturity score per element (returns hold no outcome figures: decision
  0019); a monthly figure per measure for every month from April 2016 to
  March 2019 (36), falling a little after its first MDT went live, and a
  trajectory per measure;
- one synthetic OutcomeExtract per run, which loaded all those months;
- one reorganisation per run (decision 0023): the batch's first two localities
  end on 31 March 2019 and merge into its third from 1 April 2019, so that pages
  as at a quarter after 2018/19 add up a lineage (2018/19's are as before). No
  row is re-pointed.

At factor 100 that is 800 localities, about 5,000 MDTs, 40 quarters, 25,000
quarterly updates with 200,000 statuses and scores, 114,000 monthly figures
with 3,200 trajectories, and about 4,000 risks: some 380,000 rows plus as
many history rows (483,101 measured in December 2026 when returns still
carried 100,000 quarterly figures and 3,200 baselines; those took part of
the 120 s and 260 MB it then took on PostgreSQL on a 2-core machine shared
with other work).

No update is dated after 2018/19 Q4, so pages that default to "the latest
quarter with approved data" keep showing the same quarter.

Every row of a model with the flag has `is_illustrative=True` (risks also
`scores_are_illustrative=True`). Rows of models without it (sub-systems,
years, quarters, objectives, milestones) say "Synthetic" in their name or
source. Each row gets its "+" history row, written in bulk like the row.

Running it twice adds a second batch: numbering continues after the highest
existing synthetic locality, sub-system and risk reference, and synthetic
years that already exist are reused, so no unique constraint is violated.

Deterministic for a given seed and starting database (`random.Random(seed)`,
a fixed order; only the history rows carry the clock).
"""

import datetime as dt
import random
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dashboard.caching import note_programme_data_changed
from localities.models import (
    BASELINE_FIRST_MONTH,
    MDT,
    CareModelElement,
    FinancialYear,
    Locality,
    Milestone,
    MonthlyOutcome,
    Objective,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
    PlannedInvestment,
    Quarter,
    Reorganisation,
    SubSystem,
    Succession,
)
from localities.outcome_months import months_between
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview, ScoreBand
from risks.review_dates import restamp_superseded
from updates.models import (
    MaturityScore,
    ObjectiveStatus,
    QuarterlyUpdate,
)

BATCH_SIZE = 1000
LOCALITIES_PER_FACTOR = 8  # the real programme has eight localities
LOCALITIES_PER_SUB_SYSTEM = 8
# Seven synthetic years plus the three real ones make 40 quarters, enough to
# exercise time series at any factor without the update count exploding.
MAX_EXTRA_YEARS = 7
# About 6.2 MDTs per synthetic locality: factor 100 then holds about 5,000 MDTs
# (792 x 6.2 + the real 43), the size the performance work is asked to carry.
MDTS_PER_LOCALITY = (5, 6, 6, 7, 7)
# Localities whose updates (and their children) are built and written together;
# bounds memory at factor 100 without adding many queries.
LOCALITY_CHUNK = 50
# Monthly figures written together (36 months × 4 measures per locality).
MONTHLY_CHUNK = 20_000

PROGRAMME_YEAR = 2018  # the year with objectives and quarterly updates in the fixtures
# Synthetic years end before the monthly baseline starts (April 2016), so that no
# synthetic quarter is one of the real baseline's months.
FIRST_REAL_YEAR = BASELINE_FIRST_MONTH.year
TODAY = dt.date(2019, 3, 31)  # the illustrative data stand at the end of 2018/19
# The monthly series, as in the illustrative fixture: the baseline and 2018/19.
MONTHS = months_between(BASELINE_FIRST_MONTH, dt.date(2019, 3, 1))
WINTER = {12: 1.06, 1: 1.08, 2: 1.04, 3: 1.02, 8: 0.96}  # unplanned activity by month
SEASONAL_MEASURES = {"ae-attendances", "non-elective-admissions", "bed-days"}
TRAJECTORY_PERCENT = Decimal("17.5")  # as the illustrative fixture's
SUBMISSION_DAYS = 21

LOCALITY_PREFIX = "synthetic-"
SUB_SYSTEM_PREFIX = "synthetic-sub-system-"
RISK_PREFIX = "SYN-"
# The synthetic merger: the first day of 2019/20, after the last synthetic return, so
# that pages as at 2018/19 keep their localities and pages as at any later quarter
# (the default once later returns are approved) add up a lineage.
SYNTHETIC_MERGER = dt.date(2019, 4, 1)
SOURCE = "Synthetic scale data (generate_scale_data): invented, not from the source papers"
CHANGE_REASON = "Synthetic scale data"

# Activity per 1,000 registered patients per quarter, as in the illustrative fixture.
BASELINE_RATE_PER_1000 = {
    "ae-attendances": 90,
    "non-elective-admissions": 28,
    "outpatient-attendances": 400,
    "bed-days": 160,
}
DEFAULT_RATE_PER_1000 = 100
INVESTMENT_PER_HEAD = Decimal("16")  # about £32m over the real programme's 2 million patients
LATEST_QUARTER_STATUSES = (
    [QuarterlyUpdate.Status.APPROVED] * 14
    + [QuarterlyUpdate.Status.SUBMITTED] * 3
    + [QuarterlyUpdate.Status.RETURNED, QuarterlyUpdate.Status.DRAFT, QuarterlyUpdate.Status.DRAFT]
)
RISK_TITLES = (
    ("Workforce", "GP and community nursing vacancies delay MDT staffing"),
    ("Financial", "Investment for the next year not yet agreed with providers"),
    ("Culture", "Partners slow to adopt shared MDT ways of working"),
    ("Communication", "Patients and staff unclear about the new neighbourhood model"),
    ("Workforce", "Social care capacity limits integrated triage"),
    ("Financial", "Hub estates works not funded in time for go-live"),
)
ACTION_TEXTS = (
    "Share posts across neighbouring MDTs until recruitment completes.",
    "Agree the investment profile with providers through the sub-system.",
    "Run MDTs from existing practice premises until hub space is ready.",
    "Hold a partner workshop on MDT roles and referral routes.",
)
REVIEWER_ROLES = ("STP Local Care Lead", "STP Local Care Senior Responsible Officer")


class ScaleDataError(Exception):
    """The request cannot be met (bad factor, or the reference data is missing)."""


@dataclass
class ScaleReport:
    """Rows created per model (one history row each as well) and how long it took."""

    factor: int
    seed: int
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.created.values())

    @property
    def history_rows(self) -> int:
        # Every created row gets exactly one "+" history row.
        return self.total_rows


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tenth(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _highest_number(values: Iterable[str], prefix: str) -> int:
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m[1]) for m in map(pattern.match, values) if m]
    return max(numbers, default=0)


@dataclass
class _Reference:
    """The existing rows the synthetic data hangs from, read once."""

    programme_year: FinancialYear
    programme_quarters: list[Quarter]
    programme_objectives: list[Objective]
    measures: list[OutcomeMeasure]
    elements: list[CareModelElement]
    categories: dict[str, RiskCategory]
    bands: list[ScoreBand]

    @classmethod
    def load(cls) -> "_Reference":
        year = FinancialYear.objects.filter(start_year=PROGRAMME_YEAR).first()
        if year is None:
            raise ScaleDataError(
                "Financial year 2018/19 is missing: run `manage.py loaddata reference "
                "illustrative` first."
            )
        reference = cls(
            programme_year=year,
            programme_quarters=list(Quarter.objects.filter(financial_year=year).order_by("number")),
            programme_objectives=list(Objective.objects.filter(financial_year=year)),
            measures=list(OutcomeMeasure.objects.order_by("id")),
            elements=list(CareModelElement.objects.order_by("number")),
            categories={c.name: c for c in RiskCategory.objects.order_by("name")},
            bands=list(ScoreBand.objects.order_by("min_score")),
        )
        missing = [
            name
            for name, rows in [
                ("2018/19 quarters", reference.programme_quarters),
                ("2018/19 objectives", reference.programme_objectives),
                ("outcome measures", reference.measures),
                ("care model elements", reference.elements),
                ("risk categories", reference.categories),
                ("score bands", reference.bands),
            ]
            if not rows
        ]
        if missing:
            raise ScaleDataError(
                f"Reference data missing ({', '.join(missing)}): run `manage.py loaddata "
                "reference illustrative` first."
            )
        return reference

    def review_days(self, score: int) -> int:
        for band in self.bands:
            if band.min_score <= score <= band.max_score:
                return band.review_every_days
        return 90


@dataclass
class _Year:
    year: FinancialYear
    quarters: list[Quarter]
    objectives: list[Objective]


class _Generator:
    def __init__(self, *, factor: int, seed: int):
        self.factor = factor
        self.rng = random.Random(seed)
        self.created: Counter[str] = Counter()
        self.written_models: set[type[models.Model]] = set()
        self.now = timezone.now()
        self.mdts_by_locality: dict[int, list[MDT]] = {}

    # --- writing ------------------------------------------------------------

    def write(self, model: type[models.Model], objs: Sequence[models.Model]) -> list:
        if not objs:
            return []
        saved = bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH_SIZE,
            default_change_reason=CHANGE_REASON,
            default_date=self.now,
        )
        self.created[model._meta.label] += len(saved)
        self.written_models.update((model, model.history.model))
        return saved

    # --- the whole run --------------------------------------------------------

    def run(self) -> None:
        ref = _Reference.load()
        years = [
            _Year(ref.programme_year, ref.programme_quarters, ref.programme_objectives),
            *self.synthetic_years(ref),
        ]
        localities = self.localities()
        self.mdts_by_locality = self.mdts(localities)
        self.milestones(localities, ref)
        sizes = {loc.pk: self.rng.randint(100, 300) * 1000 for loc in localities}
        baselines = self.baselines(localities, ref, sizes)
        investment = self.investment(localities, years, sizes)
        for start in range(0, len(localities), LOCALITY_CHUNK):
            self.updates(
                localities[start : start + LOCALITY_CHUNK], years, ref, baselines, investment
            )
        self.monthly_outcomes(localities, ref, baselines)
        self.risks(localities, ref)

    # --- years, quarters and objectives -----------------------------------------

    def synthetic_years(self, ref: _Reference) -> list[_Year]:
        wanted = range(FIRST_REAL_YEAR - min(self.factor - 1, MAX_EXTRA_YEARS), FIRST_REAL_YEAR)
        existing = {
            y.start_year: y
            for y in FinancialYear.objects.filter(start_year__in=list(wanted)).prefetch_related(
                "quarters", "objectives"
            )
        }
        new_years = self.write(
            FinancialYear,
            [FinancialYear(start_year=start) for start in wanted if start not in existing],
        )
        quarters: list[Quarter] = []
        objectives: list[Objective] = []
        for year in new_years:
            for number in range(1, 5):
                start, end = Quarter.dates_for(year.start_year, number)
                quarters.append(
                    Quarter(
                        financial_year=year,
                        number=number,
                        start_date=start,
                        end_date=end,
                        submission_deadline=end + dt.timedelta(days=SUBMISSION_DAYS),
                    )
                )
            for template in ref.programme_objectives:
                objectives.append(
                    Objective(
                        financial_year=year,
                        number=template.number,
                        title=f"{template.short_title} ({year.label}, synthetic)",
                        short_title=template.short_title,
                        measure=template.measure,
                        source=SOURCE,
                    )
                )
        quarters = self.write(Quarter, quarters)
        objectives = self.write(Objective, objectives)

        result = [
            _Year(
                year,
                sorted(year.quarters.all(), key=lambda q: q.number),
                list(year.objectives.all()),
            )
            for year in existing.values()
        ]
        for year in new_years:
            result.append(
                _Year(
                    year,
                    [q for q in quarters if q.financial_year is year],
                    [o for o in objectives if o.financial_year is year],
                )
            )
        return sorted(result, key=lambda y: y.year.start_year)

    # --- localities, MDTs, milestones ---------------------------------------------

    def localities(self) -> list[Locality]:
        count = (self.factor - 1) * LOCALITIES_PER_FACTOR
        first = 1 + _highest_number(
            Locality.objects.filter(slug__startswith=LOCALITY_PREFIX).values_list(
                "slug", flat=True
            ),
            LOCALITY_PREFIX,
        )
        first_sub = 1 + _highest_number(
            SubSystem.objects.filter(slug__startswith=SUB_SYSTEM_PREFIX).values_list(
                "slug", flat=True
            ),
            SUB_SYSTEM_PREFIX,
        )
        sub_count = -(-count // LOCALITIES_PER_SUB_SYSTEM)
        subs = self.write(
            SubSystem,
            [
                SubSystem(name=f"Synthetic sub-system {n:02d}", slug=f"{SUB_SYSTEM_PREFIX}{n:02d}")
                for n in range(first_sub, first_sub + sub_count)
            ],
        )
        localities = self.write(
            Locality,
            [
                Locality(
                    name=f"Synthetic locality {n:04d}",
                    slug=f"{LOCALITY_PREFIX}{n:04d}",
                    sub_system=subs[index // LOCALITIES_PER_SUB_SYSTEM],
                    is_illustrative=True,
                    # The batch's first two merge into its third (see reorganisation).
                    in_force_until=(SYNTHETIC_MERGER - dt.timedelta(days=1) if index < 2 else None),
                )
                for index, n in enumerate(range(first, first + count))
            ],
        )
        self.reorganisation(localities)
        return localities

    def reorganisation(self, localities: list[Locality]) -> None:
        """One merger, so that pages as at a quarter add up lineage (decision 0023): the
        batch's first two localities end the day before SYNTHETIC_MERGER and merge into
        its third, which carries on. Their returns and figures stay on their own rows."""
        if len(localities) < 3:  # pragma: no cover - a factor adds 8 localities
            return
        first, second, successor = localities[:3]
        [event] = self.write(
            Reorganisation,
            [
                Reorganisation(
                    effective_date=SYNTHETIC_MERGER,
                    title=f"{first.name} and {second.name} merge into {successor.name}",
                    description="Synthetic: scale data for the benchmark.",
                    source=SOURCE,
                    is_illustrative=True,
                )
            ],
        )
        self.write(
            Succession,
            [
                Succession(
                    reorganisation=event,
                    kind=Succession.Kind.MERGED_INTO,
                    predecessor_locality=predecessor,
                    successor_locality=successor,
                )
                for predecessor in (first, second)
            ],
        )

    def mdts(self, localities: list[Locality]) -> dict[int, list[MDT]]:
        rng = self.rng
        objs = []
        for locality in localities:
            planned_days = sorted(
                rng.randint(30, 540) for _ in range(rng.choice(MDTS_PER_LOCALITY))
            )
            for number, offset in enumerate(planned_days, start=1):
                planned = dt.date(2018, 4, 1) + dt.timedelta(days=offset)
                planned -= dt.timedelta(days=planned.weekday())  # a Monday
                actual = planned + dt.timedelta(days=rng.randint(0, 90))
                if actual <= TODAY:
                    status, actual_go_live = MDT.Status.LIVE, actual
                elif planned <= TODAY:
                    status, actual_go_live = MDT.Status.SHADOW, None
                else:
                    status, actual_go_live = MDT.Status.PLANNED, None
                objs.append(
                    MDT(
                        locality=locality,
                        name=f"{locality.name} MDT {number}",
                        tier=rng.choice((MDT.Tier.TIER_1, MDT.Tier.TIER_1, MDT.Tier.TIER_2)),
                        population_covered=rng.randint(300, 500) * 100,
                        status=status,
                        planned_go_live=planned,
                        actual_go_live=actual_go_live,
                        notes=SOURCE,
                        is_illustrative=True,
                    )
                )
        by_locality: dict[int, list[MDT]] = {loc.pk: [] for loc in localities}
        for mdt in self.write(MDT, objs):
            by_locality[mdt.locality_id].append(mdt)
        return by_locality

    def milestones(self, localities: list[Locality], ref: _Reference) -> None:
        rng = self.rng
        objective = {o.number: o for o in ref.programme_objectives}
        objs = []
        for locality in localities:
            refreshed = dt.date(2018, 7, rng.randint(2, 31))
            first_live = min(
                (m.planned_go_live for m in self.mdts_by_locality[locality.pk]),
                default=dt.date(2018, 9, 3),
            )
            slip = rng.randint(-10, 60)
            wave_done = first_live + dt.timedelta(days=slip)
            objs += [
                Milestone(
                    title=f"{locality.name}: locality plan refreshed",
                    locality=locality,
                    objective=objective.get(1),
                    workstream="Locality planning",
                    planned_start=dt.date(2018, 6, 1),
                    planned_end=dt.date(2018, 7, 31),
                    timing_as_written="June–July 2018",
                    status=Milestone.Status.COMPLETE,
                    actual_date=refreshed,
                    source=SOURCE,
                    is_illustrative=True,
                ),
                Milestone(
                    title=f"{locality.name}: first MDT wave live",
                    locality=locality,
                    objective=objective.get(2),
                    workstream="MDTs",
                    planned_start=first_live,
                    planned_end=first_live + dt.timedelta(days=30),
                    timing_as_written=f"{first_live:%B %Y}",
                    status=(
                        Milestone.Status.COMPLETE
                        if wave_done <= TODAY
                        else Milestone.Status.IN_PROGRESS
                    ),
                    actual_date=wave_done if wave_done <= TODAY else None,
                    forecast_date=None if wave_done <= TODAY else wave_done,
                    source=SOURCE,
                    is_illustrative=True,
                ),
                Milestone(
                    title=f"{locality.name}: hub estates review",
                    locality=locality,
                    objective=objective.get(2),
                    workstream="Estates",
                    planned_start=dt.date(2019, 1, 1),
                    planned_end=dt.date(2019, 6, 30),
                    timing_as_written="Jan–June 2019?",
                    is_date_uncertain=True,
                    status=rng.choice((Milestone.Status.NOT_STARTED, Milestone.Status.IN_PROGRESS)),
                    source=SOURCE,
                    is_illustrative=True,
                ),
                Milestone(
                    title=f"{locality.name}: next-year investment agreed with providers",
                    locality=locality,
                    objective=objective.get(4),
                    workstream="Finance",
                    timing_as_written="TBC",
                    is_date_uncertain=True,
                    status=Milestone.Status.NOT_STARTED,
                    source=SOURCE,
                    is_illustrative=True,
                ),
            ]
        self.write(Milestone, objs)

    # --- money and baselines ----------------------------------------------------

    def baselines(
        self, localities: list[Locality], ref: _Reference, sizes: dict[int, int]
    ) -> dict[tuple[int, int], Decimal]:
        """Each locality's quarterly activity per measure, for its monthly series (not stored:
        the baseline a page shows is the mean of the baseline months)."""
        values = {}
        for locality in localities:
            need = self.rng.uniform(0.9, 1.15)
            for measure in ref.measures:
                rate = BASELINE_RATE_PER_1000.get(measure.code, DEFAULT_RATE_PER_1000)
                values[(locality.pk, measure.pk)] = tenth(
                    round(sizes[locality.pk] / 1000 * rate * need)
                )
        return values

    def investment(
        self, localities: list[Locality], years: list[_Year], sizes: dict[int, int]
    ) -> dict[tuple[int, int], Decimal]:
        amounts = {}
        objs = []
        for locality in localities:
            for year in years:
                # Whole £40k steps split into whole-pound quarters.
                raw = sizes[locality.pk] * INVESTMENT_PER_HEAD * Decimal(self.rng.uniform(0.8, 1.2))
                amount = money((raw / 40000).quantize(Decimal("1")) * 40000)
                amounts[(locality.pk, year.year.pk)] = amount
                objs.append(
                    PlannedInvestment(
                        locality=locality,
                        financial_year=year.year,
                        amount=amount,
                        is_illustrative=True,
                    )
                )
        self.write(PlannedInvestment, objs)
        return amounts

    # --- monthly outcomes and trajectories -----------------------------------------

    def monthly_outcomes(
        self, localities: list[Locality], ref: _Reference, baselines: dict[tuple[int, int], Decimal]
    ) -> None:
        """Every month of the series per locality and measure, loaded by one synthetic
        extract; a little lower after the locality's first MDT went live."""
        if not localities:
            return
        rng = self.rng
        [extract] = self.write(
            OutcomeExtract,
            [
                OutcomeExtract(
                    loaded_at=self.now,
                    file_name="synthetic-scale-data.csv",
                    source=SOURCE,
                    first_month=MONTHS[0],
                    last_month=MONTHS[-1],
                    rows=len(localities) * len(ref.measures) * len(MONTHS),
                    is_illustrative=True,
                )
            ],
        )
        outcomes, trajectories = [], []
        for locality in localities:
            live = [
                m.actual_go_live for m in self.mdts_by_locality[locality.pk] if m.actual_go_live
            ]
            first_live = min(live, default=None)
            shift = rng.uniform(0.03, 0.09)
            for measure in ref.measures:
                # The quarterly baseline is three months' activity.
                mean = float(baselines[(locality.pk, measure.pk)]) / 3
                seasonal = measure.code in SEASONAL_MEASURES
                for month in MONTHS:
                    value = mean * (WINTER.get(month.month, 1.0) if seasonal else 1.0)
                    if first_live is not None and month > first_live:
                        value *= 1 - shift
                    value *= 1 + rng.uniform(-0.04, 0.04)
                    outcomes.append(
                        MonthlyOutcome(
                            locality_id=locality.pk,
                            measure_id=measure.pk,
                            month=month,
                            value=max(0, round(value)),
                            extract_id=extract.pk,
                            is_illustrative=True,
                        )
                    )
                if len(outcomes) >= MONTHLY_CHUNK:  # bounds memory at factor 100
                    self.write(MonthlyOutcome, outcomes)
                    outcomes = []
                trajectories.append(
                    OutcomeTrajectory(
                        locality_id=locality.pk,
                        measure_id=measure.pk,
                        steady_state_reduction_percent=TRAJECTORY_PERCENT,
                        source=SOURCE,
                        is_illustrative=True,
                    )
                )
        self.write(MonthlyOutcome, outcomes)
        self.write(OutcomeTrajectory, trajectories)

    # --- quarterly updates and their children ----------------------------------------

    def mdt_counts(self, locality: Locality, day: dt.date) -> tuple[int, int, int]:
        mdts = self.mdts_by_locality[locality.pk]
        planned = sum(1 for m in mdts if m.planned_go_live <= day)
        live = [m for m in mdts if m.actual_go_live and m.actual_go_live <= day]
        return planned, len(live), sum(m.population_covered for m in live)

    def updates(
        self,
        localities: list[Locality],
        years: list[_Year],
        ref: _Reference,
        baselines: dict[tuple[int, int], Decimal],
        investment: dict[tuple[int, int], Decimal],
    ) -> None:
        rng = self.rng
        latest = max(ref.programme_quarters, key=lambda q: q.start_date)
        updates: list[QuarterlyUpdate] = []
        # Children wait as (index of their update, fields) until the updates have pks;
        # building them with plain ids skips Django's related-object bookkeeping.
        statuses: list[tuple[int, dict]] = []
        scores: list[tuple[int, dict]] = []
        for locality in localities:
            maturity = {e.pk: rng.choice((1, 1, 2, 2, 2, 3)) for e in ref.elements}
            partners = rng.randint(3, 5)
            for year in years:
                for quarter in year.quarters:
                    index = len(updates)
                    updates.append(
                        self.update(locality, year, quarter, latest, investment, partners)
                    )
                    progress = quarter.number / 4
                    for objective in year.objectives:
                        rag = rng.choice(("green", "green", "amber", "amber", "red", "complete"))
                        percent = (
                            100
                            if rag == "complete"
                            else round(rng.uniform(0.5, 1) * 100 * progress)
                        )
                        statuses.append(
                            (
                                index,
                                {
                                    "objective_id": objective.pk,
                                    "rag": rag,
                                    "narrative": "Synthetic progress against "
                                    f"{objective.short_title.lower()}.",
                                    "percent_complete": percent,
                                },
                            )
                        )
                    if quarter.number in (2, 4):
                        for element in ref.elements:
                            if rng.random() < 0.3:
                                maturity[element.pk] = min(5, maturity[element.pk] + 1)
                            scores.append(
                                (index, {"element_id": element.pk, "score": maturity[element.pk]})
                            )
                    partners = min(partners + rng.randint(0, 1), 20)
        self.write(QuarterlyUpdate, updates)
        for children, model in (
            (statuses, ObjectiveStatus),
            (scores, MaturityScore),
        ):
            self.write(
                model, [model(update_id=updates[index].pk, **fields) for index, fields in children]
            )

    def update(self, locality, year, quarter, latest, investment, partners) -> QuarterlyUpdate:
        rng = self.rng
        status = (
            rng.choice(LATEST_QUARTER_STATUSES)
            if quarter.pk == latest.pk
            else QuarterlyUpdate.Status.APPROVED
        )
        submitted = quarter.submission_deadline - dt.timedelta(days=rng.randint(0, 7))
        reviewed = submitted + dt.timedelta(days=rng.randint(3, 10))
        planned, live, population = self.mdt_counts(locality, quarter.end_date)
        spend_planned = investment[(locality.pk, year.year.pk)] / 4
        spend_actual = money(spend_planned * Decimal(rng.uniform(0.7, 1.15)))
        return QuarterlyUpdate(
            locality_id=locality.pk,
            quarter_id=quarter.pk,
            status=status,
            summary=(
                f"Synthetic update: {live} of {planned} MDTs planned by the quarter end are live."
            ),
            spend_planned=money(spend_planned),
            spend_actual=spend_actual,
            partners_signed_up=partners,
            locality_plan_refreshed=quarter.number >= 2,
            submitted_at=None if status == QuarterlyUpdate.Status.DRAFT else moment(submitted, 11),
            reviewed_at=(
                moment(reviewed, 15)
                if status in (QuarterlyUpdate.Status.APPROVED, QuarterlyUpdate.Status.RETURNED)
                else None
            ),
            review_comments=(
                "Synthetic: please reconcile actual spend with the finance return."
                if status == QuarterlyUpdate.Status.RETURNED
                else ""
            ),
            is_illustrative=True,
        )

    # --- risks ---------------------------------------------------------------------

    def risks(self, localities: list[Locality], ref: _Reference) -> None:
        rng = self.rng
        first = 1 + _highest_number(
            Risk.objects.filter(reference__startswith=RISK_PREFIX).values_list(
                "reference", flat=True
            ),
            RISK_PREFIX,
        )
        fallback_category = next(iter(ref.categories.values()))
        risks: list[Risk] = []
        reviews: list[RiskReview] = []
        actions: list[MitigatingAction] = []
        number = first
        for locality in localities:
            for _ in range(rng.randint(4, 6)):
                category_name, title = rng.choice(RISK_TITLES)
                current = (rng.randint(1, 5), rng.randint(2, 5))
                inherent = (
                    min(5, current[0] + rng.randint(0, 1)),
                    min(5, current[1] + rng.randint(0, 1)),
                )
                target = (
                    max(1, current[0] - rng.randint(0, 2)),
                    max(1, current[1] - rng.randint(0, 1)),
                )
                raised = dt.date(2018, 4, 1) + dt.timedelta(days=rng.randint(0, 270))
                review_dates = sorted(
                    {
                        raised + dt.timedelta(days=rng.randint(1, (TODAY - raised).days))
                        for _ in range(rng.randint(1, 3))
                    }
                )
                latest = review_dates[-1]
                risk = Risk(
                    reference=f"{RISK_PREFIX}{number:06d}",
                    title=title,
                    description=f"Synthetic risk for {locality.name}. {SOURCE}.",
                    category=ref.categories.get(category_name, fallback_category),
                    locality=locality,
                    objective=rng.choice(ref.programme_objectives),
                    owner_role=f"{locality.name} Local Care lead",
                    inherent_likelihood=inherent[0],
                    inherent_consequence=inherent[1],
                    current_likelihood=current[0],
                    current_consequence=current[1],
                    target_likelihood=target[0],
                    target_consequence=target[1],
                    scores_are_illustrative=True,
                    is_illustrative=True,
                    status=Risk.Status.OPEN,
                    date_raised=raised,
                    next_review_date=latest
                    + dt.timedelta(days=ref.review_days(current[0] * current[1])),
                    source=SOURCE,
                )
                number += 1
                risks.append(risk)
                for index, day in enumerate(review_dates):
                    # Step from the inherent score to the current one; the last review is current.
                    fraction = (index + 1) / len(review_dates)
                    reviews.append(
                        RiskReview(
                            risk=risk,
                            reviewed_on=day,
                            reviewer_role=rng.choice(REVIEWER_ROLES),
                            likelihood=round(inherent[0] + (current[0] - inherent[0]) * fraction),
                            consequence=round(inherent[1] + (current[1] - inherent[1]) * fraction),
                            note="Synthetic review.",
                            is_illustrative=True,
                        )
                    )
                for _ in range(rng.randint(1, 2)):
                    actions.append(
                        MitigatingAction(
                            risk=risk,
                            description=rng.choice(ACTION_TEXTS),
                            owner_role=f"{locality.name} Local Care lead",
                            due_date=TODAY + dt.timedelta(days=rng.randint(-60, 180)),
                            status=rng.choice(list(MitigatingAction.Status)),
                            is_illustrative=True,
                        )
                    )
        self.write(Risk, risks)
        for child in (*reviews, *actions):
            child.risk_id = child.risk.pk
        self.write(RiskReview, reviews)
        self.write(MitigatingAction, actions)


def refresh_planner_statistics(written: Iterable[type[models.Model]]) -> None:
    """ANALYZE the tables just filled, as PostgreSQL's manual advises after a bulk load.

    Until autovacuum gets round to them the planner believes the tables are
    as small as they were, and picks plans (nested loops over sequential
    scans) that are ruinous at ten or a hundred times the rows. Inside the
    generating transaction ANALYZE also counts its uncommitted rows.
    """
    connection = transaction.get_connection()
    tables = sorted({model._meta.db_table for model in written})
    with connection.cursor() as cursor:
        for table in tables:
            # history: ANALYZE writes planner statistics only, no programme row
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@transaction.atomic
def generate_scale_data(*, factor: int, seed: int = 0) -> ScaleReport:
    """Add synthetic rows so that the database holds about `factor` times the real programme.

    Raises ScaleDataError for a factor below 1 or when the reference data is
    not loaded. Factor 1 adds nothing.
    """
    if factor < 1:
        raise ScaleDataError(f"The factor must be at least 1, not {factor}.")
    started = time.perf_counter()
    report = ScaleReport(factor=factor, seed=seed)
    if factor > 1:
        generator = _Generator(factor=factor, seed=seed)
        generator.run()
        report.created = dict(generator.created)
        # Bulk inserts send no model signals: derive what signals would have.
        restamp_superseded()
        refresh_planner_statistics(generator.written_models)
        # Bulk inserts send no model signals: tell the dashboards' cache ourselves.
        note_programme_data_changed()
    report.seconds = time.perf_counter() - started
    return report
