"""Django admin meets WCAG 2.2 AA: the programme office uses it every week.

Every registered model of the project's apps is visited, its list and one
change page, with the axe-core configuration of the other pages
(tests.helpers.WCAG_22_AA_TAGS). The pages come from the admin registry, so a
model registered later is checked as soon as it is. One browser, one login,
the pages one after another. The admin's fixes are templates/admin/base_site.html,
static/admin-overrides.css and .js (docs/security.md, "Django admin: WCAG
2.2 AA under the same policy").
"""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from governance.models import PublishedPack
from localities.access import PROGRAMME_DATA_APPS
from localities.models import MDT, GovernanceBody, Milestone, OutcomeBaseline, OutcomeMeasure
from risks.models import Risk, RiskCategory
from tests.helpers import accessibility_check, screenshot
from updates.models import (
    MDTUpdate,
    MilestoneUpdate,
    OutboxMessage,
    OutcomeFigure,
    QuarterlyUpdate,
    RaisedRisk,
    ReturnComment,
    SectionConfirmation,
    TypedSection,
)

pytestmark = pytest.mark.browser

# The project's apps; auth for its users and groups (accounts registers the users).
PROJECT_APPS = ("auth", *PROGRAMME_DATA_APPS)


def registered_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS),
        key=lambda model: model._meta.label_lower,
    )


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def add_what_the_demo_data_lacks():
    """The demo's quarterly updates report no milestones, MDTs or new risks, keep no
    typing, comments, confirmations or e-mails: one of each, so that their change
    pages are checked too."""
    update = QuarterlyUpdate.objects.order_by("pk").first()
    MilestoneUpdate.objects.get_or_create(
        update=update,
        milestone=Milestone.objects.order_by("pk").first(),
        defaults={"status": Milestone.Status.IN_PROGRESS},
    )
    MDTUpdate.objects.get_or_create(
        update=update,
        mdt=MDT.objects.order_by("pk").first(),
        defaults={"status": MDT.Status.PLANNED},
    )
    RaisedRisk.objects.get_or_create(
        update=update,
        title="Estates not ready",
        defaults={"category": RiskCategory.objects.order_by("pk").first()},
    )
    # And typing kept as a session ended (updates.typed_sections).
    TypedSection.objects.get_or_create(
        user=get_user_model().objects.order_by("pk").first(),
        locality=update.locality,
        quarter=update.quarter,
        section="summary",
        defaults={"data": {"summary-summary": ["Half typed"]}, "kept_at": timezone.now()},
    )
    # And the kept records from before the monthly extract (decision 0019).
    measure = OutcomeMeasure.objects.order_by("pk").first()
    OutcomeFigure.objects.get_or_create(
        update=update, measure=measure, defaults={"value": Decimal("9000.0")}
    )
    OutcomeBaseline.objects.get_or_create(
        locality=update.locality,
        measure=measure,
        defaults={"baseline_period": "2017/18 quarterly average", "quarterly_value": 9000},
    )
    # And the conversation, a "No change since last quarter" and an e-mail.
    someone = get_user_model().objects.order_by("pk").first()
    ReturnComment.objects.get_or_create(
        update=update,
        section="money",
        defaults={"author": someone, "text": "Spend?", "created": timezone.now()},
    )
    SectionConfirmation.objects.get_or_create(
        update=update,
        section="summary",
        defaults={"confirmed_by": someone, "confirmed_at": timezone.now()},
    )
    # And a published board pack (made only by publishing, never in the demo data).
    PublishedPack.objects.get_or_create(
        quarter=update.quarter,
        body=GovernanceBody.objects.order_by("pk").first(),
        number=1,
        defaults={
            "status": PublishedPack.Status.PUBLISHED,
            "requested_by": someone,
            "published_at": timezone.now(),
            "pdf": b"%PDF-1.7",
            "pdf_bytes": 8,
            "page_count": 1,
        },
    )
    OutboxMessage.objects.get_or_create(
        key=f"submitted:update-{update.pk}:v1:user-{someone.pk}",
        defaults={
            "kind": OutboxMessage.Kind.SUBMITTED,
            "locality": update.locality,
            "quarter": update.quarter,
            "update": update,
            "recipient": someone,
            "to_address": "office@example.nhs.uk",
            "subject": "Thanet update: submitted for review",
            "body": "Dear Office,",
        },
    )


def visit(page, url: str) -> str:
    """Open an admin page as its own (not a login redirect); axe's report, or ""."""
    response = page.goto(url)
    assert response.status == 200, url
    assert page.url.endswith(url), f"{url} led to {page.url}"
    results = accessibility_check(page)
    return f"{url}\n{results.generate_report()}" if results.violations_count else ""


def test_every_admin_list_and_change_page_has_no_axe_violation(demo_site, page, log_in):
    add_what_the_demo_data_lacks()
    log_in("admin")

    urls = []
    for model in registered_models():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"Give the test a {model._meta.label} to open"
        urls += [admin_url(model, "changelist"), admin_url(model, "change", obj.pk)]
    # History (simple-history): a risk's list of versions and one version.
    risk = Risk.objects.exclude(reference=None).order_by("reference").first()
    version = risk.history.earliest()
    urls += [
        reverse("admin:index"),
        admin_url(Risk, "history", risk.pk),
        admin_url(Risk, "simple_history", risk.pk, version.history_id),
    ]

    reports = [report for url in urls if (report := visit(page, url))]

    assert len(urls) >= 2 * 30
    assert reports == [], f"{len(reports)} of {len(urls)} pages:\n" + "\n".join(reports)


def test_risk_register_list_shows_score_band_and_review_date_at_1280_px(demo_site, page, log_in):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in("office")

    page.goto(admin_url(Risk, "changelist"))

    # Neither the page nor the list beside the filters scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    results = page.locator("#changelist .results")
    assert results.evaluate("list => list.scrollWidth <= list.clientWidth")
    visible_right = min(1280, results.bounding_box()["x"] + results.bounding_box()["width"])
    for column in ["current_score_and_band", "next_review_date"]:
        header = page.locator(f"#result_list thead th.column-{column}")
        box = header.bounding_box()
        assert box["x"] + box["width"] <= visible_right, column
    # The score and its band are read together, in the first risk's row.
    first_score = page.locator("#result_list tbody td.field-current_score_and_band .risk-band")
    box = first_score.first.bounding_box()
    assert box["x"] + box["width"] <= visible_right
    screenshot(page, "admin-risks-changelist")

    page.get_by_role("link", name="LC-R03").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=2, name="LC-R03").count() == 1
    screenshot(page, "admin-risk-change")
