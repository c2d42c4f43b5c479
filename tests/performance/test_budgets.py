"""Front-end budgets for every page, with the real data and with ten times as much.

What is weighed and the budgets: tools/page_weight.py (`make bench` weighs
every page at factor 100 with the same code).
"""

from django.urls import reverse

from dashboard.navigation import DASHBOARD_PAGES
from tools.page_weight import PageWeight, _javascript, over_budget, weigh
from tools.scale import generate_scale_data
from updates.forms import SECTION_CLASSES
from updates.services import SECTIONS

Q4 = "2018-19-q4"
# Medway's 2018/19 Q4 update is a draft in the illustrative data: every section editable.
LEAD_UPDATE = ("medway", Q4)
RISK = "LC-R01"


def pages(board_user, lead, office_user) -> list[tuple[str, object]]:
    """(url, user) for every page the budgets cover."""
    quarter = f"?quarter={Q4}"
    locality, update_quarter = LEAD_UPDATE
    update = f"/updates/{locality}/{update_quarter}/"
    listed = [(reverse(name) + quarter, board_user) for name, _ in DASHBOARD_PAGES]
    listed += [
        (reverse("dashboard:locality", args=["thanet"]) + quarter, board_user),
        (reverse("dashboard:risk-detail", args=[RISK]) + quarter, board_user),
        (reverse("dashboard:governance") + quarter, board_user),  # under Actions in the header
        (reverse("updates:mine"), lead),
        (reverse("updates:detail", args=[locality, update_quarter]), lead),
        *[
            (reverse("updates:edit-section", args=[locality, update_quarter, section]), lead)
            for section, _ in SECTIONS
            if not SECTION_CLASSES[section].read_only  # the outcomes: no form (decision 0019)
        ],
        (reverse("updates:returns"), office_user),
        (reverse("updates:outcome-extracts"), office_user),
        (reverse("updates:change-points"), office_user),
    ]
    assert all(url.startswith("/") for url, _ in listed)
    assert any(url.startswith(update) for url, _ in listed)
    return listed


def table(measured: dict[int, dict[str, PageWeight]]) -> str:
    lines = ["factor  page  HTML  HTML gz  chart JSON  JS gz  JS files"]
    for factor, weights in measured.items():
        for url, weight in weights.items():
            lines.append(
                f"{factor:>3}  {url}  {weight.html / 1000:.1f} kB  "
                f"{weight.html_gzipped / 1000:.1f} kB  {weight.chart_json / 1000:.1f} kB  "
                f"{weight.javascript_gzipped / 1000:.1f} kB  {', '.join(weight.javascript_files)}"
            )
    return "\n".join(lines)


def test_every_page_is_within_its_budgets_with_the_real_data_and_at_ten_times(
    client, programme_data, board_user, lead_medway, office_user
):
    listed = pages(board_user, lead_medway, office_user)
    measured: dict[int, dict[str, PageWeight]] = {}
    for factor in (1, 10):
        if factor > 1:
            generate_scale_data(factor=factor)
        measured[factor] = {}
        for url, user in listed:
            client.force_login(user)
            measured[factor][url] = weigh(client, url)

    print(table(measured))  # shown with pytest -s or -rP: the figures for docs/benchmarks.md
    problems = [
        problem
        for weights in measured.values()
        for url, weight in weights.items()
        for problem in over_budget(url, weight)
    ]
    assert not problems, "\n".join(problems) + "\n\n" + table(measured)
    # Pages with charts load plotly.js, once, as a static file; none inlines script.
    charts = measured[1][reverse("dashboard:risks") + f"?quarter={Q4}"]
    assert "/static/vendor/plotly/plotly-basic.min.js" in charts.javascript_files
    assert all(weight.inline_javascript == 0 for w in measured.values() for weight in w.values())


def test_module_imports_are_counted():
    """nhsuk-init.js is a module that imports NHS.UK frontend: both count."""
    files, size = _javascript([("/static/js/nhsuk-init.js", True)])

    assert files == [
        "/static/js/nhsuk-init.js",
        "/static/vendor/nhsuk-frontend/nhsuk-frontend.min.js",
    ]
    assert size > 10_000
