"""Write fixtures/illustrative.json: demo data for what the source papers do not give.

The papers give the programme's shape (localities, objectives, named MDTs, key
risks, the £32m) but no per-locality money, quarterly reports, outcome
figures, maturity scores or risk scores. The dashboard needs those to show
anything, so this command invents them, plausibly and reproducibly.

Every row it produces is marked as invented: `is_illustrative=True` on each
model that has the flag (MDT, PlannedInvestment, MonthlyOutcome, OutcomeExtract,
OutcomeTrajectory, OutcomeUnitCost, SavingsRamp, InvestmentCommitment,
OutcomeChangePoint, QuarterlyUpdate, Risk, MitigatingAction, RiskReview), and
`scores_are_illustrative=True` and `owner_and_dates_are_illustrative=True` on
each Risk it adds. Rows without a flag of
their own (ObjectiveStatus, MaturityScore) belong to a flagged
parent. Pages must say "illustrative" wherever they show these rows.

The output is deterministic (`random.Random(2018)`, a fixed order, no clock),
is committed, and a test checks that a fresh run reproduces it byte for byte.
Never hand-edit fixtures/illustrative.json: change this command and rerun it.

It reads fixtures/reference.json for the real rows it builds on (localities,
quarters, objectives, the named MDTs, the key risks and their scores), so the
two files stay consistent. Its primary keys start at 1000 so they never clash
with the reference fixture's. It creates no users.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from localities.models import Rag
from localities.outcome_months import months_between, next_month
from localities.rag import Evidence, MdtState, MilestoneState, suggest_rag
from updates.derived_milestones import mdts_milestone_state, plan_refreshed_state

SEED = 2018
FIRST_PK = 1000
# The £32m "actively being invested in Local Care" (Joint Board minutes, undated; the
# meeting was after 11 December 2018). It is what was being invested, not a plan: the
# papers give no plan per locality, so the illustrative plans split this sum.
INVESTMENT_2018_19 = Decimal("32000000.00")
FINANCIAL_YEAR = 2018
SOURCE = "Illustrative: invented for the demonstration, not from the source papers"

# Rough GP-registered list sizes, used only to scale invented figures
# (investment split, MDT counts, outcome baselines). Never written out:
# Locality.registered_population stays empty because the papers do not give it.
SCALE = {
    "ashford": 130_000,
    "canterbury-and-coastal": 220_000,
    "south-kent-coast": 205_000,
    "thanet": 140_000,
    "dartford-gravesham-and-swanley": 260_000,
    "swale": 110_000,
    "medway": 280_000,
    "west-kent": 470_000,
}
# Placeholder MDTs per locality, on top of the MDTs the papers name.
PLACEHOLDER_MDTS = {
    "ashford": 3,
    "canterbury-and-coastal": 4,
    "dartford-gravesham-and-swanley": 6,
    "swale": 3,
    "medway": 7,
    "west-kent": 9,
}
# How late MDTs go live against plan (days), per locality: Medway slowest.
SLIP_DAYS = {"medway": (30, 150), "swale": (10, 90)}
DEFAULT_SLIP_DAYS = (0, 45)
TODAY = dt.date(2019, 3, 31)  # the data stand at the end of 2018/19
# When the locality milestones' statuses were last reported: the Q3 returns' approval.
REPORTED_ON = dt.date(2019, 1, 25)

# Activity per 1,000 registered patients per quarter, for the baseline monthly levels.
BASELINE_RATE_PER_1000 = {
    "ae-attendances": 90,
    "non-elective-admissions": 28,
    "outpatient-attendances": 400,
    "bed-days": 160,
}
# The return that tells of an early winter A&E surge (the monthly series has it).
SPECIAL_CAUSE = ("thanet", 3)

# Q4 2018/19 workflow states that give the review screens something to show.
Q4_STATUS = {"thanet": "submitted", "medway": "draft", "swale": "returned"}
SWALE_RETURN_COMMENTS = (
    "Q4 actual spend does not reconcile with the locality finance return; please check it and "
    "resubmit. Please also name the partners who signed up this quarter in the objective 3 narrative."
)

REVIEWER_ROLES = ("STP Local Care Lead", "STP Local Care Senior Responsible Officer")
# Illustrative LCIB review dates in 2018/19 (the papers say only "reviewed in July 2018").
REVIEW_DATES = (dt.date(2018, 7, 17), dt.date(2018, 10, 16), dt.date(2019, 1, 15))

LOCALITY_RISKS = (
    {
        "slug": "thanet",
        "title": "GP vacancies delay staffing of Thanet MDTs",
        "description": "Vacant GP posts in Thanet practices limit GP time for MDT meetings and case management.",
        "category": "Workforce",
        "objective": 2,
        "raised": dt.date(2018, 8, 20),
        "inherent": (4, 4),
        "current": (4, 3),
        "target": (3, 2),
        "actions": (
            (
                "Share a salaried GP across the Margate and Ramsgate clusters for MDT sessions.",
                "in_progress",
                dt.date(2019, 6, 30),
            ),
            (
                "Add care navigators to each cluster team to free GP time.",
                "complete",
                dt.date(2019, 1, 31),
            ),
        ),
    },
    {
        "slug": "medway",
        "title": "Community hub space not ready for MDT go-live",
        "description": "MDTs that depend on shared hub space may go live late while estates works are agreed and funded.",
        "category": "Financial",
        "objective": 2,
        "raised": dt.date(2018, 9, 14),
        "inherent": (4, 4),
        "current": (4, 4),
        "target": (2, 3),
        "actions": (
            (
                "Run MDTs from existing practice premises until hub space is ready.",
                "in_progress",
                dt.date(2019, 5, 31),
            ),
            (
                "Bring Medway hub proposals to the estates locality workshop.",
                "complete",
                dt.date(2018, 10, 31),
            ),
        ),
    },
    {
        "slug": "swale",
        "title": "Limited voluntary sector capacity to join MDTs",
        "description": "Small voluntary sector organisations cannot release staff to attend every MDT.",
        "category": "Culture",
        "objective": 3,
        "raised": dt.date(2018, 10, 5),
        "inherent": (3, 3),
        "current": (3, 3),
        "target": (2, 2),
        "actions": (
            (
                "Agree one voluntary sector link worker per MDT, shared across organisations.",
                "in_progress",
                dt.date(2019, 6, 30),
            ),
        ),
    },
    {
        "slug": "west-kent",
        "title": "Social care capacity to roll out integrated triage",
        "description": "Roll-out of integrated triage beyond Maidstone Central and Malling needs social care staff who are not yet in post.",
        "category": "Workforce",
        "objective": 2,
        "raised": dt.date(2018, 7, 30),
        "inherent": (4, 3),
        "current": (3, 3),
        "target": (2, 3),
        "actions": (
            (
                "Phase the roll-out by cluster, starting where social care posts are filled.",
                "in_progress",
                dt.date(2019, 4, 30),
            ),
            (
                "Include integrated triage roles in the 2019/20 workforce plan.",
                "not_started",
                dt.date(2019, 9, 30),
            ),
        ),
    },
    {
        "slug": "dartford-gravesham-and-swanley",
        "title": "Local Care investment for 2019/20 not yet agreed with providers",
        "description": "Providers may not commit staff to new MDTs until 2019/20 funding is confirmed.",
        "category": "Financial",
        "objective": 4,
        "raised": dt.date(2018, 11, 12),
        "inherent": (4, 4),
        "current": (3, 4),
        "target": (2, 3),
        "actions": (
            (
                "Agree a 2019/20 investment profile with providers through the sub-system.",
                "in_progress",
                dt.date(2019, 5, 31),
            ),
        ),
    },
)
PROPOSED_RISK = {
    "slug": "thanet",
    "title": "Winter pressures pull community staff away from MDT working",
    "description": (
        "Raised with the Thanet 2018/19 Q4 update: during winter, community nurses were redeployed "
        "to hospital discharge, and MDT meetings were cancelled."
    ),
    "category": "Workforce",
    "objective": 2,
    "raised": dt.date(2019, 3, 25),
}


def money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def tenth(value) -> str:
    return str(
        Decimal(value).quantize(Decimal("0"), rounding=ROUND_HALF_UP).quantize(Decimal("0.1"))
    )


def moment(day: dt.date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


@dataclass
class Reference:
    """The rows of fixtures/reference.json that this command builds on."""

    rows: list[dict]
    by_model: dict[str, list[dict]] = field(init=False)

    def __post_init__(self):
        self.by_model = {}
        for row in self.rows:
            self.by_model.setdefault(row["model"], []).append(row)

    def all(self, model: str) -> list[dict]:
        return self.by_model.get(model, [])


# (title, index of the 2018/19 objective, end of the planned window, data that decides it)
LOCALITY_MILESTONES = (
    ("Locality plan refreshed", 0, "2019-03-31", "plan_refreshed"),
    ("All MDTs planned for 2018/19 live", 1, "2019-03-31", "mdts_live"),
    ("Local Care partnership agreement signed", 2, "2018-12-31", ""),
)


class Builder:
    def __init__(self, reference: Reference):
        self.ref = reference
        self.rng = random.Random(SEED)
        self.rows: list[dict] = []
        # The end of the first quarter whose approved return says the plan is refreshed.
        self.plan_refreshed: dict[str, dt.date] = {}
        self.next_pk: dict[str, int] = {}

        self.localities = sorted(reference.all("localities.locality"), key=lambda r: r["pk"])
        self.slug_to_pk = {r["fields"]["slug"]: r["pk"] for r in self.localities}
        years = {
            r["fields"]["start_year"]: r["pk"] for r in reference.all("localities.financialyear")
        }
        self.year_pk = years[FINANCIAL_YEAR]
        self.quarters = {
            (self._year_of(r, years), r["fields"]["number"]): r
            for r in reference.all("localities.quarter")
        }
        self.objectives = sorted(
            (
                r
                for r in reference.all("localities.objective")
                if r["fields"]["financial_year"] == self.year_pk
            ),
            key=lambda r: r["fields"]["number"],
        )
        self.elements = sorted(
            reference.all("localities.caremodelelement"), key=lambda r: r["fields"]["number"]
        )
        self.measures = sorted(reference.all("localities.outcomemeasure"), key=lambda r: r["pk"])
        self.categories = {
            r["fields"]["name"]: r["pk"] for r in reference.all("risks.riskcategory")
        }
        self.bands = [r["fields"] for r in reference.all("risks.scoreband")]
        self.partners_by_locality: dict[int, list[int]] = {}
        for partner in sorted(
            reference.all("localities.partnerorganisation"), key=lambda r: r["pk"]
        ):
            for locality_pk in partner["fields"]["localities"]:
                self.partners_by_locality.setdefault(locality_pk, []).append(partner["pk"])
        # Every MDT per locality (the named ones and the placeholders), for the quarterly counts.
        self.mdts: dict[str, list[dict]] = {slug: [] for slug in self.slug_to_pk}
        pk_to_slug = {pk: slug for slug, pk in self.slug_to_pk.items()}
        for mdt in reference.all("localities.mdt"):
            self.mdts[pk_to_slug[mdt["fields"]["locality"]]].append(mdt["fields"])

    @staticmethod
    def _year_of(quarter_row, years):
        return next(
            year for year, pk in years.items() if pk == quarter_row["fields"]["financial_year"]
        )

    def add(self, model: str, **fields) -> int:
        pk = self.next_pk.get(model, FIRST_PK)
        self.next_pk[model] = pk + 1
        self.rows.append({"model": model, "pk": pk, "fields": fields})
        return pk

    def band_days(self, score: int) -> int:
        for band in self.bands:
            if band["min_score"] <= score <= band["max_score"]:
                return band["review_every_days"]
        raise ValueError(f"No score band covers {score}.")

    # --- MDTs -------------------------------------------------------------

    def build_mdts(self):
        for slug, count in PLACEHOLDER_MDTS.items():
            locality_pk = self.slug_to_pk[slug]
            name = next(r["fields"]["name"] for r in self.localities if r["pk"] == locality_pk)
            low, high = SLIP_DAYS.get(slug, DEFAULT_SLIP_DAYS)
            # Go-lives spread over 2018/19 and into early 2019/20, earliest first.
            planned_days = sorted(self.rng.randint(30, 420) for _ in range(count))
            for number, offset in enumerate(planned_days, start=1):
                planned = dt.date(2018, 4, 1) + dt.timedelta(days=offset)
                planned -= dt.timedelta(days=planned.weekday())  # a Monday
                actual = planned + dt.timedelta(days=self.rng.randint(low, high))
                if actual <= TODAY:
                    status, actual_go_live = "live", actual
                elif planned <= TODAY:
                    status, actual_go_live = "shadow", None
                else:
                    status, actual_go_live = "planned", None
                fields = {
                    "is_illustrative": True,
                    "locality": locality_pk,
                    "name": f"{name} MDT {number} (illustrative)",
                    "tier": "tier_1",
                    "population_covered": self.rng.randint(300, 500) * 100,
                    "status": status,
                    "planned_go_live": planned.isoformat(),
                    "actual_go_live": actual_go_live.isoformat() if actual_go_live else None,
                    "partners": self.partners_by_locality.get(locality_pk, [])[:4],
                    "notes": (
                        "Placeholder: the papers do not list this locality's MDTs. Name, tier, "
                        "population, dates and status are all illustrative."
                    ),
                }
                self.add("localities.mdt", **fields)
                self.mdts[slug].append(fields)

    def mdt_counts(self, slug: str, day: dt.date) -> tuple[int, int, int, int]:
        """MDTs planned to be live by `day`, live by `day`, population they cover, and the year's plan."""
        mdts = self.mdts[slug]
        planned = sum(1 for m in mdts if dt.date.fromisoformat(m["planned_go_live"]) <= day)
        live = [
            m
            for m in mdts
            if m["actual_go_live"] and dt.date.fromisoformat(m["actual_go_live"]) <= day
        ]
        year_plan = sum(1 for m in mdts if dt.date.fromisoformat(m["planned_go_live"]) <= TODAY)
        return planned, len(live), sum(m["population_covered"] for m in live), year_plan

    # --- Money and baselines ---------------------------------------------

    def build_investment(self) -> dict[str, Decimal]:
        weights = {slug: SCALE[slug] * self.rng.uniform(0.9, 1.1) for slug in self.slug_to_pk}
        total_weight = sum(weights.values())
        step = Decimal("40000")  # a multiple of £40k splits into whole-pound quarters
        amounts = {}
        slugs = list(self.slug_to_pk)
        for slug in slugs[:-1]:
            share = INVESTMENT_2018_19 * Decimal(weights[slug] / total_weight)
            amounts[slug] = (share / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
        amounts[slugs[-1]] = INVESTMENT_2018_19 - sum(amounts.values())
        assert sum(amounts.values()) == INVESTMENT_2018_19
        for slug in slugs:
            self.add(
                "localities.plannedinvestment",
                is_illustrative=True,
                locality=self.slug_to_pk[slug],
                financial_year=self.year_pk,
                amount=money(amounts[slug]),
            )
        return amounts

    def draw_retired_baselines(self):
        """The quarterly baselines are gone (the baseline is now the mean of the baseline
        months); their draws stay so that the rest of the demo data is what it was."""
        for _slug in self.slug_to_pk:
            self.rng.uniform(0.9, 1.15)

    # --- Quarterly updates -------------------------------------------------

    def build_updates(self, investment):
        # Drawn, no longer used (returns hold no outcome figures, decision 0019), so that
        # the rest of the demo data stays as it was.
        _drift = {
            (slug, m["fields"]["code"]): self.rng.uniform(0.004, 0.015)
            for slug in self.slug_to_pk
            for m in self.measures
        }
        maturity_baseline = {}
        for locality in self.localities:
            slug = locality["fields"]["slug"]
            baseline_quarter = self.quarters[(2017, 3)]
            update = self.add(
                "updates.quarterlyupdate",
                **self.update_fields(
                    locality["pk"],
                    baseline_quarter,
                    status="approved",
                    summary="Maturity matrix baseline, October 2017 (illustrative scores)",
                    submitted=dt.date(2017, 10, 27),
                    reviewed=dt.date(2017, 11, 3),
                ),
            )
            # East Kent localities with earlier integrated care work start a little higher.
            head_start = (
                1 if slug in {"south-kent-coast", "thanet", "canterbury-and-coastal"} else 0
            )
            scores = {}
            for element in self.elements:
                scores[element["pk"]] = min(
                    5, self.rng.choice((1, 1, 2, 2, 2, 3)) + head_start * self.rng.randint(0, 1)
                )
                self.add(
                    "updates.maturityscore",
                    update=update,
                    element=element["pk"],
                    score=scores[element["pk"]],
                )
            maturity_baseline[slug] = scores

        for locality in self.localities:
            slug = locality["fields"]["slug"]
            scores = dict(maturity_baseline[slug])
            partners = self.rng.randint(3, 5)
            for number in range(1, 5):
                quarter = self.quarters[(FINANCIAL_YEAR, number)]
                end = dt.date.fromisoformat(quarter["fields"]["end_date"])
                deadline = dt.date.fromisoformat(quarter["fields"]["submission_deadline"])
                planned, live, population, year_plan = self.mdt_counts(slug, end)
                if number > 1:
                    partners += self.rng.randint(0, 2)
                status = Q4_STATUS.get(slug, "approved") if number == 4 else "approved"
                submitted = deadline - dt.timedelta(days=self.rng.randint(0, 7))
                reviewed = submitted + dt.timedelta(days=self.rng.randint(3, 10))
                spend_planned = investment[slug] / 4
                spend_factor = self.rng.uniform(
                    *((0.55, 0.85), (0.8, 1.05), (0.9, 1.12), (0.95, 1.2))[number - 1]
                )
                spend_actual = (spend_planned * Decimal(spend_factor) / 100).quantize(
                    Decimal("1")
                ) * 100
                special = SPECIAL_CAUSE[0] == slug and SPECIAL_CAUSE[1] == number
                update = self.add(
                    "updates.quarterlyupdate",
                    **self.update_fields(
                        locality["pk"],
                        quarter,
                        status=status,
                        summary=self.summary(
                            slug, number, live, planned, population, spend_factor, special
                        ),
                        submitted=submitted if status != "draft" else None,
                        reviewed=reviewed if status in {"approved", "returned"} else None,
                        review_comments=SWALE_RETURN_COMMENTS if status == "returned" else "",
                        spend_planned=money(spend_planned),
                        spend_actual=money(spend_actual),
                        partners_signed_up=partners,
                        locality_plan_refreshed=number >= 2,
                    ),
                )
                if status == "approved" and number >= 2:
                    self.plan_refreshed.setdefault(slug, end)
                self.objective_statuses(
                    update, slug, number, planned, live, population, year_plan, partners
                )
                for _measure in self.measures:
                    # Returns hold no outcome figures since the monthly extract became
                    # the record (decision 0019); the draws stay so that the rest of
                    # the demo data is what it was.
                    self.rng.uniform(-0.03, 0.03)
                if number in (2, 4):
                    for element in self.elements:
                        if self.rng.random() < 0.45:
                            scores[element["pk"]] = min(5, scores[element["pk"]] + 1)
                        self.add(
                            "updates.maturityscore",
                            update=update,
                            element=element["pk"],
                            score=scores[element["pk"]],
                        )

    @staticmethod
    def update_fields(
        locality_pk, quarter, *, status, summary, submitted, reviewed, review_comments="", **figures
    ):
        return {
            "is_illustrative": True,
            "locality": locality_pk,
            "quarter": quarter["pk"],
            "status": status,
            "summary": summary,
            "spend_planned": figures.get("spend_planned"),
            "spend_actual": figures.get("spend_actual"),
            "partners_signed_up": figures.get("partners_signed_up"),
            "locality_plan_refreshed": figures.get("locality_plan_refreshed"),
            "submitted_at": moment(submitted, 11) if submitted else None,
            "submitted_by": None,
            "reviewed_at": moment(reviewed, 15) if reviewed else None,
            "reviewed_by": None,
            "review_comments": review_comments,
            "version": 1,
        }

    def summary(self, slug, number, live, planned, population, spend_factor, special) -> str:
        opening = {
            1: "Locality plan being refreshed through the planning exercise started in April 2018.",
            2: "Locality plan refreshed in July 2018; deep dive with the sub-system being arranged.",
            3: "Sub-system deep dive held; actions from it are being built into the plan.",
            4: "Year-end position for 2018/19; planning for 2019/20 aligned with emerging Primary Care Networks.",
        }[number]
        mdts = f" {live} of {planned} MDTs planned by the quarter end are live, covering about {population:,} people."
        if planned == 0:
            mdts = " No MDT was due to go live by the quarter end."
        if spend_factor < 0.9:
            spend = " Spend is behind plan while teams are recruited."
        elif spend_factor > 1.1:
            spend = " Spend is ahead of plan as go-lives were brought forward."
        else:
            spend = " Spend is close to plan."
        extra = ""
        if special:
            extra = " A&E attendances rose sharply in the quarter during an early winter surge."
        return opening + mdts + spend + extra

    def objective_statuses(
        self, update, slug, number, planned, live, population, year_plan, partners
    ):
        objectives = {o["fields"]["number"]: o["pk"] for o in self.objectives}

        # 1. Integrated locality plans: all eight were refreshed in July 2018.
        if number == 1:
            rag, percent = "amber", self.rng.randint(60, 85)
            text = "Plan being refreshed with operational and financial detail in line with the Investment Case."
        elif number == 2 and slug == "swale":
            rag, percent = "amber", 90
            text = (
                "Plan refreshed in July 2018; investment profile with partners still being agreed."
            )
        else:
            rag, percent = "complete", 100
            text = "Plan refreshed in July 2018 with greater detail of integration across organisations."
        self.add_status(update, objectives[1], rag, text, percent)

        # 2. Standardised MDTs: RAG follows MDTs live against planned by the quarter end.
        if planned == 0:
            rag = "green" if live else "amber"
        else:
            ratio = live / planned
            rag = "green" if ratio >= 0.9 else "amber" if ratio >= 0.6 else "red"
        percent = round(100 * min(live, year_plan) / year_plan) if year_plan else 0
        if percent == 100:
            rag = "complete"  # every MDT planned for the year is live
        text = f"{live} of {planned} MDTs planned by the quarter end are live, covering about {population:,} people."
        if rag == "red":
            text += " Go-lives have slipped; recovery dates agreed with providers."
        self.add_status(update, objectives[2], rag, text, percent)

        # 3. Interagency partnerships.
        if number == 1:
            rag = "amber"
        elif slug == "swale" and number == 3:
            rag = "red"
        else:
            rag = self.rng.choice(("amber", "green", "green"))
        percent = (
            10 + 18 * number + self.rng.randint(-5, 5) - (10 if rag in {"amber", "red"} else 0)
        )
        text = f"{partners} partners signed up to the locality's Local Care partnership."
        if rag == "red":
            text += " Voluntary sector capacity to join MDTs is limited."
        elif rag == "amber":
            text += " More to do with the local authorities and the voluntary sector."
        self.add_status(update, objectives[3], rag, text, percent)

        # 4. Expanding the model after 2018/19.
        if number == 1:
            rag, percent = self.rng.choice((("not_started", 0), ("not_started", 0), ("amber", 5)))
            text = "Work on 2019/20 and beyond starts once the locality plan is refreshed."
        elif number == 2:
            rag, percent = "amber", self.rng.randint(10, 25)
            text = "Scoping the 2019/20 plan with partners."
        elif number == 3:
            rag, percent = self.rng.choice(("amber", "green")), self.rng.randint(30, 45)
            text = "Deep dive themes shaping the 2019/20 plan."
        else:
            rag, percent = self.rng.choice(("amber", "green", "green")), self.rng.randint(50, 70)
            text = "2019/20 plan drafted; MDT footprints being aligned with Primary Care Networks."
        self.add_status(update, objectives[4], rag, text, percent)

    def add_status(self, update, objective, rag, narrative, percent):
        self.add(
            "updates.objectivestatus",
            update=update,
            objective=objective,
            rag=rag,
            narrative=narrative,
            percent_complete=percent,
            rag_reason="",
        )

    # --- Risks ------------------------------------------------------------

    def reviews(self, risk_pk, inherent, current, latest: dt.date, earliest: dt.date, count: int):
        """`count` reviews, the last on `latest` with the current score, stepping down from inherent."""
        # Always the earliest reviews first, so the July 2018 review the papers record is kept.
        earlier = [day for day in REVIEW_DATES if earliest <= day < latest][: count - 1]
        dates = [*earlier, latest]
        previous = None
        for index, day in enumerate(dates):
            if index == len(dates) - 1:
                likelihood, consequence = current
            else:
                fraction = index / (len(dates) - 1)
                likelihood = round(inherent[0] + (current[0] - inherent[0]) * fraction)
                consequence = round(inherent[1] + (current[1] - inherent[1]) * fraction)
            score = likelihood * consequence
            if previous is None:
                note = "Scored at the Local Care Implementation Board."
            elif score < previous:
                note = "Score reduced: mitigating actions are having an effect."
            elif score > previous:
                note = "Score increased: exposure has grown since the last review."
            else:
                note = "Reviewed at the Local Care Implementation Board; no change to the score."
            previous = score
            self.add(
                "risks.riskreview",
                risk=risk_pk,
                reviewed_on=day.isoformat(),
                reviewer=None,
                reviewer_role=self.rng.choice(REVIEWER_ROLES),
                likelihood=likelihood,
                consequence=consequence,
                note=note,
                is_illustrative=True,
            )

    def build_risks(self):
        for risk in sorted(self.ref.all("risks.risk"), key=lambda r: r["pk"]):
            f = risk["fields"]
            if f["current_likelihood"] is None:
                continue
            current = (f["current_likelihood"], f["current_consequence"])
            inherent = (
                f["inherent_likelihood"] or current[0],
                f["inherent_consequence"] or current[1],
            )
            # The latest review is one band interval before the next review date.
            latest = dt.date.fromisoformat(f["next_review_date"]) - dt.timedelta(
                days=self.band_days(current[0] * current[1])
            )
            self.reviews(
                risk["pk"],
                inherent,
                current,
                latest,
                dt.date.fromisoformat(f["date_raised"]),
                self.rng.randint(2, 4),
            )

        for number, spec in enumerate(LOCALITY_RISKS, start=9):
            current = spec["current"]
            latest = dt.date(2019, 3, 12)
            next_review = latest + dt.timedelta(days=self.band_days(current[0] * current[1]))
            locality_name = next(
                r["fields"]["name"] for r in self.localities if r["fields"]["slug"] == spec["slug"]
            )
            risk_pk = self.add(
                "risks.risk",
                **self.risk_fields(
                    spec,
                    reference=f"LC-R{number:02d}",
                    status="open",
                    owner_role=f"{locality_name} locality Local Care lead",
                    next_review_date=next_review.isoformat(),
                ),
            )
            self.reviews(
                risk_pk, spec["inherent"], current, latest, spec["raised"], self.rng.randint(1, 3)
            )
            for description, status, due in spec["actions"]:
                self.add(
                    "risks.mitigatingaction",
                    risk=risk_pk,
                    description=description,
                    owner_role=f"{locality_name} locality Local Care lead",
                    due_date=due.isoformat(),
                    status=status,
                    is_illustrative=True,
                )

        locality_name = next(
            r["fields"]["name"]
            for r in self.localities
            if r["fields"]["slug"] == PROPOSED_RISK["slug"]
        )
        self.add(
            "risks.risk",
            **self.risk_fields(
                PROPOSED_RISK,
                reference=None,
                status="proposed",
                owner_role=f"{locality_name} locality Local Care lead",
                next_review_date=None,
            ),
        )

    def risk_fields(self, spec, *, reference, status, owner_role, next_review_date):
        def score(key, index):
            return spec[key][index] if key in spec else None

        return {
            "reference": reference,
            "title": spec["title"],
            "description": f"Illustrative example, not from the papers. {spec['description']}",
            "category": self.categories[spec["category"]],
            "locality": self.slug_to_pk[spec["slug"]],
            "objective": next(
                o["pk"] for o in self.objectives if o["fields"]["number"] == spec["objective"]
            ),
            "owner_role": owner_role,
            "inherent_likelihood": score("inherent", 0),
            "inherent_consequence": score("inherent", 1),
            "current_likelihood": score("current", 0),
            "current_consequence": score("current", 1),
            "target_likelihood": score("target", 0),
            "target_consequence": score("target", 1),
            "scores_are_illustrative": True,
            "owner_and_dates_are_illustrative": True,
            "is_illustrative": True,
            "status": status,
            "date_raised": spec["raised"].isoformat(),
            "review_every_days": None,
            "next_review_date": next_review_date,
            "raised_by": None,
            "closing_note": "",
            "rejection_reason": "",
            "source": SOURCE,
            "version": 1,
        }

    def build(self) -> list[dict]:
        self.build_mdts()
        investment = self.build_investment()
        self.draw_retired_baselines()
        self.build_updates(investment)
        self.build_risks()
        self.build_locality_milestones()
        self.build_submitted_reports()
        self.give_reasons_for_overrides()
        self.build_board_reports()
        MonthlyOutcomes(self).build()
        return self.rows

    # --- Board reports ------------------------------------------------------

    def build_board_reports(self):
        """The 2018/19 Q4 report to the Local Care Board, approved, and a draft to LCIB.

        The papers hold no quarterly board report: both are invented for the demo
        (is_illustrative, marked where read), worded from the illustrative returns.
        Approved by nobody with an account (the demo accounts come later), at a
        fixed time so that the fixture regenerates byte for byte. Draws no random
        numbers and changes no other row.
        """
        quarter = self.quarters[(FINANCIAL_YEAR, 4)]["pk"]
        common = {
            "quarter": quarter,
            "meeting": None,
            "agenda_item": "5",
            "title": "Local Care progress report",
            "report_from": "STP Local Care Senior Responsible Officer",
            "author": "STP Local Care Lead",
            "purpose": "assurance",
            "approved_by": None,
            "is_illustrative": True,
            "version": 2,
        }
        self.add(
            "governance.boardreport",
            body=2,  # the Local Care Board, from early 2019
            meeting_date="2019-05-14",
            assessment_rag="amber",
            assessment_reason="MDTs and spend are close to plan, but the MDT roll-out milestone "
            "has slipped in four localities and two Q4 returns are overdue.",
            key_messages="\n".join(
                [
                    "34 of the 39 MDTs planned for 2018/19 are live.",
                    "Spend to date is £26.8m against £29.7m planned in the approved returns.",
                    "Two localities are on track; none has an objective at Red.",
                    "Four Extreme risks remain open: workforce, investment, estates capital and hub space.",
                    "Medway and Swale have not yet submitted their Q4 returns.",
                ]
            ),
            recommendations="\n".join(
                [
                    "note the progress made in 2018/19 Q4;",
                    "support the recovery plans for MDT roll-out in the four localities behind plan;",
                    "agree that the outcomes framework comes to the next meeting.",
                ]
            ),
            status="approved",
            approved_at=moment(dt.date(2019, 5, 7), 10),
            **common,
        )
        self.add(
            "governance.boardreport",
            body=1,  # the Local Care Implementation Board
            meeting_date="2019-05-21",
            assessment_rag="amber",
            assessment_reason="Draft: to be completed once the Q4 returns are in.",
            key_messages="\n".join(
                [
                    "MDT roll-out is close to plan across Kent and Medway.",
                    "Four localities have slipped their MDT roll-out milestone.",
                    "Two Q4 returns are still to come.",
                ]
            ),
            recommendations="note the draft position for 2018/19 Q4.",
            status="draft",
            approved_at=None,
            **{**common, "version": 1},
        )

    def build_submitted_reports(self):
        """A submitted return's report on each of its locality's milestones and MDTs.

        Submission needs one for every milestone and MDT, and approval re-runs
        that check (updates.services.approve_update), so a submitted return in
        the data has them: each as the milestone or MDT stands, so that no
        suggested RAG moves. Draws no random numbers and changes no other row.
        """
        milestones = [
            *self.ref.all("localities.milestone"),
            *(r for r in self.rows if r["model"] == "localities.milestone"),
        ]
        mdts = [
            *self.ref.all("localities.mdt"),
            *(r for r in self.rows if r["model"] == "localities.mdt"),
        ]
        submitted = [
            r
            for r in self.rows
            if r["model"] == "updates.quarterlyupdate" and r["fields"]["status"] == "submitted"
        ]
        for update in submitted:
            locality = update["fields"]["locality"]
            for milestone in milestones:
                fields = milestone["fields"]
                if fields["locality"] != locality:
                    continue
                assert fields["status"] != "not_reported", fields["title"]
                self.add(
                    "updates.milestoneupdate",
                    update=update["pk"],
                    milestone=milestone["pk"],
                    status=fields["status"],
                    forecast_date=fields["forecast_date"],
                    actual_date=fields["actual_date"],
                    forecast_change_reason="",
                )
            for mdt in mdts:
                fields = mdt["fields"]
                if fields["locality"] != locality:
                    continue
                self.add(
                    "updates.mdtupdate",
                    update=update["pk"],
                    mdt=mdt["pk"],
                    status=fields["status"],
                    actual_go_live=fields["actual_go_live"],
                    population_covered=fields["population_covered"],
                )

    # --- Locality milestones -----------------------------------------------

    def build_locality_milestones(self):
        """Three milestones per locality, so that leads have milestones of their own to report.

        The papers give only programme-wide milestones; these are invented, and
        say so in their titles. Each was reported in the locality's (illustrative)
        return, so that a lead's form starts from what the board last saw.
        """
        names = {r["pk"]: r["fields"]["name"] for r in self.localities}
        for slug, locality_pk in self.slug_to_pk.items():
            for title, objective_index, planned_end, derived_from in LOCALITY_MILESTONES:
                objective_pk = self.objectives[objective_index]["pk"]
                planned_end = dt.date.fromisoformat(planned_end)
                if self.rng.random() < 0.5 and planned_end <= TODAY:
                    status = "complete"
                    actual = planned_end - dt.timedelta(days=self.rng.randint(0, 40))
                    forecast = None
                else:
                    status, actual = "in_progress", None
                    forecast = planned_end + dt.timedelta(days=self.rng.choice([0, 0, 30, 75]))
                # A milestone the data decide follows the data, by the rules the
                # app keeps it with (decision 0009); only the forecast is invented.
                state = self.derived_state(slug, derived_from, planned_end)
                if state is not None:
                    status, actual = str(state[0]), state[1]
                    forecast = None if status == "complete" else forecast
                self.add(
                    "localities.milestone",
                    is_illustrative=True,
                    title=f"{title} (illustrative)",
                    description="Invented for the demo: the papers give no locality milestones.",
                    workstream="Locality delivery",
                    locality=locality_pk,
                    objective=objective_pk,
                    critical_area=None,
                    planned_start=(planned_end.replace(day=1)).isoformat(),
                    planned_end=planned_end.isoformat(),
                    timing_as_written="",
                    is_date_uncertain=False,
                    forecast_date=forecast.isoformat() if forecast else None,
                    actual_date=actual.isoformat() if actual else None,
                    status=status,
                    derived_from=derived_from,
                    source="Illustrative: no paper gives locality milestones",
                    reported_by=f"{names[locality_pk]}'s return (illustrative)",
                    # Completion reported when it happened; progress at the Q3 returns.
                    reported_on=(actual or REPORTED_ON).isoformat(),
                )

    def derived_state(self, slug: str, derived_from: str, planned_end: dt.date):
        if derived_from == "mdts_live":
            return mdts_milestone_state(
                (
                    (
                        dt.date.fromisoformat(m["planned_go_live"]),
                        dt.date.fromisoformat(m["actual_go_live"]) if m["actual_go_live"] else None,
                    )
                    for m in self.mdts[slug]
                ),
                planned_end,
            )
        if derived_from == "plan_refreshed":
            return plan_refreshed_state(self.plan_refreshed.get(slug))
        return None

    # --- Suggested RAG and the lead's reasons ----------------------------------

    def give_reasons_for_overrides(self):
        """Record each status's suggested RAG and, where the lead chose another, a reason.

        Submission refuses a RAG that differs from the suggestion without a
        reason (updates.services.submission_problems), and so does approval, so
        the data never show one. The suggestion is the app's own rule (localities.rag) applied
        to what the database will hold, as updates.services.suggested_rags
        reads it: each objective's milestones (the locality's and the
        programme-wide ones; a submitted return's reports repeat them), the
        locality's MDTs (likewise), the partners signed up, and
        the update's spend for the objective that carries it.
        Run last, so that it draws no random numbers and changes no other row.
        """
        updates = {
            r["pk"]: r["fields"] for r in self.rows if r["model"] == "updates.quarterlyupdate"
        }
        quarters = {r["pk"]: r["fields"] for r in self.ref.all("localities.quarter")}
        year_ends = {
            r["pk"]: dt.date(r["fields"]["start_year"] + 1, 3, 31)
            for r in self.ref.all("localities.financialyear")
        }
        milestones: dict[tuple[int | None, int], list[MilestoneState]] = {}
        for row in [*self.ref.all("localities.milestone"), *self.rows]:
            fields = row["fields"]
            if row["model"] == "localities.milestone" and fields["objective"]:
                milestones.setdefault((fields["locality"], fields["objective"]), []).append(
                    MilestoneState(
                        title=fields["title"],
                        planned_end=_date(fields["planned_end"]),
                        status=fields["status"],
                        forecast_date=_date(fields["forecast_date"]),
                        actual_date=_date(fields["actual_date"]),
                    )
                )
        mdts = {
            self.slug_to_pk[slug]: [
                MdtState(
                    name=m["name"],
                    planned_go_live=_date(m["planned_go_live"]),
                    status=m["status"],
                    actual_go_live=_date(m["actual_go_live"]),
                    population_covered=m["population_covered"],
                )
                for m in rows
            ]
            for slug, rows in self.mdts.items()
        }
        objectives = {o["pk"]: o["fields"] for o in self.objectives}
        for row in self.rows:
            if row["model"] != "updates.objectivestatus":
                continue
            status = row["fields"]
            update = updates[status["update"]]
            objective = objectives[status["objective"]]
            quarter = quarters[update["quarter"]]
            funded = objective["carries_spend"]
            suggestion = suggest_rag(
                kind=objective["kind"],
                evidence=Evidence(
                    quarter_end=dt.date.fromisoformat(quarter["end_date"]),
                    year_end=year_ends[quarter["financial_year"]],
                    milestones=milestones.get((update["locality"], status["objective"]), [])
                    + milestones.get((None, status["objective"]), []),
                    mdts=mdts[update["locality"]],
                    partners_signed_up=update["partners_signed_up"],
                    spend_planned=_decimal(update["spend_planned"]) if funded else None,
                    spend_actual=_decimal(update["spend_actual"]) if funded else None,
                ),
            )
            status["suggested_rag"] = suggestion.rag.value
            if status["rag"] != suggestion.rag:
                status["rag_reason"] = override_reason(
                    objective["number"], chosen=status["rag"], suggestion=suggestion
                )


# Why a lead might rate an objective worse than its figures: what the figures do not show.
CONCERN_BY_OBJECTIVE = {
    1: "the plan's operational and financial detail is still being agreed with partners",
    2: "some live MDTs are not yet fully staffed, which the counts do not show",
    3: "more remains to do with the local authorities and the voluntary sector",
    4: "the 2019/20 plan depends on Primary Care Network footprints not yet agreed",
}


def override_reason(objective_number: int, *, chosen: str, suggestion) -> str:
    """An illustrative, plausible reason for choosing `chosen` over the suggested RAG."""
    suggested = suggestion.rag
    if chosen == "not_started":
        return "Work on this objective has not started yet: it follows the refreshed locality plan."
    if chosen == "complete":
        return (
            f"The year's work on this objective is done; the figures flag {suggestion.explanation}."
        )
    if suggested == "complete":
        return (
            f"The figures say complete ({suggestion.explanation}), but "
            f"{CONCERN_BY_OBJECTIVE[objective_number]}."
        )
    if Rag.severity(chosen) < Rag.severity(suggested):
        return (
            f"The figures look better than the position: {CONCERN_BY_OBJECTIVE[objective_number]}."
        )
    return (
        f"The figures suggest {suggested.label} ({suggestion.explanation}); this is timing, "
        "with recovery agreed for next quarter."
    )


# --- Monthly outcomes, trajectories and unit costs (issue 18) ------------------

FIRST_MONTH = dt.date(2016, 4, 1)  # the baseline: April 2016 to March 2018
LAST_BASELINE_MONTH = dt.date(2018, 3, 1)
LAST_MONTH = dt.date(2019, 3, 1)  # the data stand at the end of 2018/19
# Seasonal factor by calendar month for unplanned activity (winter pressure).
WINTER = {12: 1.06, 1: 1.08, 2: 1.04, 3: 1.02, 8: 0.96}
SEASONAL_MEASURES = {"ae-attendances", "non-elective-admissions", "bed-days"}
# Localities whose activity falls after their first MDT went live (the rules find it):
# (slug, measures, reduction). Elsewhere activity carries on as in the baseline.
SHIFTS = (
    ("west-kent", ("ae-attendances", "non-elective-admissions", "bed-days"), 0.08),
    ("south-kent-coast", ("non-elective-admissions", "bed-days"), 0.07),
    ("ashford", ("outpatient-attendances",), 0.06),
)
# A rising A&E trend in Thanet over the winter of 2018/19 (a concern), with a spike in
# December 2018 (the "early winter surge" of its Q3 return).
THANET_TREND = ("thanet", "ae-attendances", dt.date(2018, 8, 1), 0.012)
# Cost of one unit of activity (pounds), roughly 2017/18 prices: illustrative.
UNIT_COSTS = {
    "ae-attendances": "148.00",
    "non-elective-admissions": "1600.00",
    "outpatient-attendances": "120.00",
    "bed-days": "300.00",
}
# Share of the steady-state reductions expected in each financial year: illustrative.
RAMP = {2018: "10.0", 2019: "30.0", 2020: "60.0", 2021: "85.0", 2022: "100.0"}
GROSS_ANNUAL_SAVINGS = 218_000_000  # Investment case, September 2017 (KCC paper 4.4)
CHANGE_POINT = (
    "west-kent",
    "ae-attendances",
    dt.date(2018, 10, 1),
    "Illustrative: West Kent's MDTs all live by October 2018; the office rebased the limits "
    "on the months since.",
)


class MonthlyOutcomes:
    """Invented monthly activity per locality and measure, and what it is judged against.

    Its own random stream, so the rest of the fixture is unchanged by it.
    """

    def __init__(self, builder: Builder):
        self.builder = builder
        self.rng = random.Random(SEED + 18)

    def build(self):
        self.build_ramp_and_unit_costs()
        baselines = self.build_months()
        self.build_trajectories(baselines)
        self.build_change_point()
        self.build_commitments()

    def build_ramp_and_unit_costs(self):
        for start_year, share in RAMP.items():
            self.builder.add(
                "localities.savingsramp",
                is_illustrative=True,
                start_year=start_year,
                share_percent=share,
                source=SOURCE,
            )
        for measure in self.builder.measures:
            self.builder.add(
                "localities.outcomeunitcost",
                is_illustrative=True,
                measure=measure["pk"],
                pounds=UNIT_COSTS[measure["fields"]["code"]],
                as_at="2017/18 prices (approximate)",
                source=SOURCE,
            )

    def first_go_live(self, slug: str) -> dt.date | None:
        dates = [
            dt.date.fromisoformat(mdt["actual_go_live"])
            for mdt in self.builder.mdts[slug]
            if mdt["actual_go_live"]
        ]
        return min(dates) if dates else None

    def extracts(self) -> dict[dt.date, int]:
        """The extract that loaded each month: the baseline at once, then one a month."""
        loaded = {}
        baseline = self.builder.add(
            "localities.outcomeextract",
            is_illustrative=True,
            loaded_at=moment(dt.date(2018, 5, 18), 10),
            loaded_by=None,
            file_name="activity-2016-04-to-2018-03.csv",
            source=SOURCE,
            first_month=FIRST_MONTH.isoformat(),
            last_month=LAST_BASELINE_MONTH.isoformat(),
            rows=24 * len(self.builder.slug_to_pk) * len(self.builder.measures),
        )
        for month in months_between(FIRST_MONTH, LAST_BASELINE_MONTH):
            loaded[month] = baseline
        for month in months_between(dt.date(2018, 4, 1), LAST_MONTH):
            # About six weeks after the month ends, as the warehouse publishes.
            day = next_month(next_month(month)) + dt.timedelta(days=14)
            loaded[month] = self.builder.add(
                "localities.outcomeextract",
                is_illustrative=True,
                loaded_at=moment(day, 10),
                loaded_by=None,
                file_name=f"activity-{month:%Y-%m}.csv",
                source=SOURCE,
                first_month=month.isoformat(),
                last_month=month.isoformat(),
                rows=len(self.builder.slug_to_pk) * len(self.builder.measures),
            )
        return loaded

    def build_months(self) -> dict[tuple[str, str], float]:
        """Every month's figure; returns each baseline's monthly mean by (slug, code)."""
        loaded = self.extracts()
        shifts = {(slug, code): cut for slug, codes, cut in SHIFTS for code in codes}
        means = {}
        for slug, locality_pk in self.builder.slug_to_pk.items():
            need = self.rng.uniform(0.9, 1.15) * (1.1 if slug == "thanet" else 1.0)
            go_live = self.first_go_live(slug)
            for measure in self.builder.measures:
                code = measure["fields"]["code"]
                level = SCALE[slug] / 1000 * BASELINE_RATE_PER_1000[code] / 3 * need
                baseline_values = []
                for month in months_between(FIRST_MONTH, LAST_MONTH):
                    value = level * (1 + self.rng.gauss(0, 0.02))
                    if code in SEASONAL_MEASURES:
                        value *= WINTER.get(month.month, 1.0)
                    cut = shifts.get((slug, code))
                    if cut and go_live and month > go_live:
                        value *= 1 - cut
                    trend_slug, trend_code, trend_from, step = THANET_TREND
                    if (slug, code) == (trend_slug, trend_code) and month >= trend_from:
                        value *= 1 + step * (len(months_between(trend_from, month)))
                    if (slug, code, month) == ("thanet", "ae-attendances", dt.date(2018, 12, 1)):
                        # The early winter surge the Q3 return's summary tells of.
                        value *= 1.12
                    value = round(value)
                    if month <= LAST_BASELINE_MONTH:
                        baseline_values.append(value)
                    self.builder.add(
                        "localities.monthlyoutcome",
                        is_illustrative=True,
                        locality=locality_pk,
                        measure=measure["pk"],
                        month=month.isoformat(),
                        value=value,
                        extract=loaded[month],
                    )
                means[(slug, code)] = sum(baseline_values) / len(baseline_values)
        return means

    def build_trajectories(self, means: dict[tuple[str, str], float]):
        """One reduction for every locality and measure, such that activity avoided at steady
        state × unit costs comes to the investment case's £218m a year (to 0.1%)."""
        annual_cost = sum(mean * 12 * float(UNIT_COSTS[code]) for (_, code), mean in means.items())
        reduction = Decimal(GROSS_ANNUAL_SAVINGS * 100 / annual_cost).quantize(Decimal("0.1"))
        for locality_pk in self.builder.slug_to_pk.values():
            for measure in self.builder.measures:
                self.builder.add(
                    "localities.outcometrajectory",
                    is_illustrative=True,
                    locality=locality_pk,
                    measure=measure["pk"],
                    steady_state_reduction_percent=str(reduction),
                    source=(
                        "Illustrative: the papers give no split by locality or measure; one "
                        "reduction everywhere, set so that activity avoided × unit costs comes "
                        "to the investment case's £218m a year"
                    ),
                )

    def build_commitments(self):
        for kind, slug, title, amount, day in COMMITMENTS:
            self.builder.add(
                "localities.investmentcommitment",
                is_illustrative=True,
                kind=kind,
                locality=self.builder.slug_to_pk[slug] if slug else None,
                title=title,
                amount=amount,
                committed_on=day.isoformat(),
                source=SOURCE,
            )

    def build_change_point(self):
        slug, code, month, reason = CHANGE_POINT
        measure = next(m["pk"] for m in self.builder.measures if m["fields"]["code"] == code)
        self.builder.add(
            "localities.outcomechangepoint",
            is_illustrative=True,
            measure=measure,
            locality=self.builder.slug_to_pk[slug],
            month=month.isoformat(),
            reason=reason,
            recorded_by=None,
            recorded_at=moment(dt.date(2018, 12, 14), 11),
            version=1,
        )


COMMITMENTS = (
    # (kind, locality slug or None, title, amount, committed on)
    (
        "non_recurring_revenue",
        None,
        "Double running while MDTs start (2018/19)",
        "6500000.00",
        dt.date(2018, 6, 29),
    ),
    (
        "capital",
        "west-kent",
        "Local care hub: estates feasibility and design",
        "2400000.00",
        dt.date(2018, 9, 28),
    ),
    (
        "capital",
        None,
        "Shared care record and MDT digital tools",
        "3800000.00",
        dt.date(2018, 11, 30),
    ),
    (
        "non_recurring_revenue",
        "thanet",
        "Double running: Thanet care navigation",
        "900000.00",
        dt.date(2019, 1, 31),
    ),
)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def build_rows(reference_path: Path) -> list[dict]:
    reference = Reference(json.loads(reference_path.read_text(encoding="utf-8")))
    return Builder(reference).build()


def render(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write fixtures/illustrative.json, the invented demo data (deterministic; never hand-edit the file)."

    def add_arguments(self, parser):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        parser.add_argument("--reference", type=Path, default=fixtures / "reference.json")
        parser.add_argument("--output", type=Path, default=fixtures / "illustrative.json")

    def handle(self, *args, **options):
        rows = build_rows(options["reference"])
        options["output"].write_text(render(rows), encoding="utf-8", newline="\n")
        self.stdout.write(f"Wrote {len(rows)} illustrative rows to {options['output']}.")
