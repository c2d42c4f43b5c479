"""One "Record a review" form records one review: a second post of it is refused.

The form carries the risk's version; the service compares it under the
risk's row lock, so a double click, the back button and two tabs, sequential
or at the same moment, record the review once and give the other posts their
text back with a 409.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from risks import services
from risks.models import Risk, RiskReview

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
NOTE = "Culture work stalled " + XSS


def open_risk() -> Risk:
    return Risk.objects.filter(status=Risk.Status.OPEN).order_by("reference").first()


def review_url(risk: Risk) -> str:
    return reverse("admin:risks_risk_review", args=[risk.pk])


def review_data(risk: Risk, *, version: int, note: str = NOTE) -> dict:
    return {
        "reviewed_on": timezone.localdate().isoformat(),
        f"likelihood_{risk.pk}": "4",
        f"consequence_{risk.pk}": "4",
        f"note_{risk.pk}": note,
        f"version_{risk.pk}": version,
        "apply": "yes",
    }


def loaded_version(client: Client, risk: Risk) -> int:
    """The version the review form carries when it is opened."""
    page = client.get(review_url(risk))
    assert page.status_code == 200
    return page.context["form"][f"version_{risk.pk}"].value()


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_the_same_review_form_posted_twice_records_one_review(office, programme_data):
    risk = open_risk()
    before = risk.reviews.count()
    data = review_data(risk, version=loaded_version(office, risk))

    first = office.post(review_url(risk), data)
    second = office.post(review_url(risk), data)

    assert first.status_code == 302
    assert second.status_code == 409
    assert risk.reviews.count() == before + 1
    content = second.content.decode()
    assert "this review has not been recorded" in content
    # What was typed is still in the form, escaped.
    assert "Culture work stalled &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert XSS not in content


def test_after_a_refusal_recording_again_is_on_purpose(office, programme_data):
    risk = open_risk()
    data = review_data(risk, version=loaded_version(office, risk))
    office.post(review_url(risk), data)
    refused = office.post(review_url(risk), data)

    # The refused form now carries the version saved, so sending it again records it.
    carried = refused.context["form"][f"version_{risk.pk}"].value()
    again = office.post(review_url(risk), {**data, f"version_{risk.pk}": carried})

    assert again.status_code == 302
    assert carried == Risk.objects.get(pk=risk.pk).version - 1


def test_the_list_action_posted_twice_records_one_review(office, programme_data):
    risk = open_risk()
    before = risk.reviews.count()
    data = {
        "action": "record_review",
        "_selected_action": [risk.pk],
        **review_data(risk, version=risk.version),
    }
    changelist = reverse("admin:risks_risk_changelist")

    assert office.post(changelist, data).status_code == 302
    second = office.post(changelist, data)

    assert second.status_code == 409
    assert NOTE not in second.content.decode()
    assert "Culture work stalled &lt;script&gt;" in second.content.decode()
    assert risk.reviews.count() == before + 1


def test_a_form_without_a_version_is_refused(office, programme_data):
    risk = open_risk()
    before = risk.reviews.count()
    data = review_data(risk, version=0)
    del data[f"version_{risk.pk}"]

    response = office.post(review_url(risk), data)

    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
    assert risk.reviews.count() == before


def test_the_service_refuses_a_stale_version_and_saves_nothing(programme_data, office_user):
    risk = open_risk()
    version, before = risk.version, risk.reviews.count()
    arguments = {
        "reviewed_on": timezone.localdate(),
        "likelihood": 3,
        "consequence": 3,
        "note": "Once.",
        "by": office_user,
        "expected_version": version,
    }
    services.record_review(risk=Risk.objects.get(pk=risk.pk), **arguments)

    with pytest.raises(services.StaleEdit):
        services.record_review(risk=Risk.objects.get(pk=risk.pk), **arguments)

    assert risk.reviews.count() == before + 1
    assert Risk.objects.get(pk=risk.pk).version == version + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_three_posts_of_one_form_at_the_same_moment_record_one_review(programme_data, office_user):
    """Each post waits for the risk's row lock; the first records, the others see its version."""
    risk = open_risk()
    before = RiskReview.objects.filter(risk=risk).count()
    data = review_data(risk, version=risk.version)
    posts = 3
    all_ready = threading.Barrier(posts)
    statuses, errors = [], []

    def post():
        try:
            client = Client()
            client.force_login(office_user)
            all_ready.wait(10)
            statuses.append(client.post(review_url(risk), data).status_code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(statuses) == [302, 409, 409]
    assert RiskReview.objects.filter(risk=risk).count() == before + 1
