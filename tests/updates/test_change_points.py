"""The programme office records, edits and withdraws change points (issue 18).

The illustrative data has one: West Kent A&E from October 2018 (pk 1000).
A withdrawal is a delete recorded in history, with the reason.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from localities.models import Locality, OutcomeChangePoint, OutcomeMeasure
from updates import outcome_services

pytestmark = pytest.mark.django_db
LIST = reverse("updates:change-points")
ADD = reverse("updates:change-point-add")
WEST_KENT_AE = 1000


def edit_url(pk=WEST_KENT_AE):
    return reverse("updates:change-point-edit", args=[pk])


def withdraw_url(pk=WEST_KENT_AE):
    return reverse("updates:change-point-withdraw", args=[pk])


def form_data(**changes):
    return {
        "measure": OutcomeMeasure.objects.get(code="bed-days").pk,
        "locality": Locality.objects.get(slug="thanet").pk,
        "month": "2019-01",
        "reason": "Thanet's frailty MDT went live in January 2019.",
        **changes,
    }


def test_the_list_shows_each_change_point_with_its_reason(client, office_user, programme_data):
    client.force_login(office_user)

    response = client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "October 2018" in html
    assert "West Kent" in html
    assert "rebased the limits" in html
    assert 'data-testid="illustrative-tag"' in html


def test_a_change_point_is_recorded_with_who_and_history(client, office_user, programme_data):
    client.force_login(office_user)

    response = client.post(ADD, form_data())

    assert response.status_code == 302
    point = OutcomeChangePoint.objects.get(locality__slug="thanet")
    assert (point.month.isoformat(), point.recorded_by, point.version) == (
        "2019-01-01",
        office_user,
        1,
    )
    assert point.history.get().history_change_reason == "Change point recorded"


def test_kent_and_medway_is_a_change_point_without_a_locality(client, office_user, programme_data):
    client.force_login(office_user)

    response = client.post(ADD, form_data(locality=""))

    assert response.status_code == 302
    assert OutcomeChangePoint.objects.filter(locality=None, month="2019-01-01").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"month": "2017-10"}, "month", "is in the baseline"),
        ({"month": "2018-03"}, "month", "is in the baseline"),
        ({"month": "2018-13"}, "month", "is not a month"),
        ({"month": "October"}, "month", "such as 2018-10"),
        ({"month": ""}, "month", "Give the first month"),
        ({"reason": ""}, "reason", "Say why the process changed"),
        ({"reason": "   "}, "reason", "Say why the process changed"),
        ({"measure": ""}, "measure", "Choose the outcome measure"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_saved(
    client, office_user, programme_data, changes, field, message
):
    client.force_login(office_user)
    before = OutcomeChangePoint.objects.count()

    response = client.post(ADD, form_data(**changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert "nhsuk-error-summary" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert OutcomeChangePoint.objects.count() == before


def test_a_second_change_point_in_the_same_month_is_refused(client, office_user, programme_data):
    client.force_login(office_user)
    existing = OutcomeChangePoint.objects.get(pk=WEST_KENT_AE)

    response = client.post(
        ADD,
        form_data(measure=existing.measure_id, locality=existing.locality_id, month="2018-10"),
    )

    assert response.status_code == 400
    assert "already a change point" in response.content.decode()


def test_an_edit_is_saved_with_its_version_moved_on(client, office_user, programme_data):
    client.force_login(office_user)
    point = OutcomeChangePoint.objects.get(pk=WEST_KENT_AE)

    response = client.post(
        edit_url(),
        form_data(
            measure=point.measure_id,
            locality=point.locality_id,
            month="2018-11",
            reason="The last MDT went live in November.",
            loaded_version=point.version,
        ),
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.month.month, point.version) == (11, 2)
    assert "Change point edited" in client.get(edit_url()).content.decode()


def test_a_stale_edit_is_409_with_the_typed_text_kept(client, office_user, programme_data):
    client.force_login(office_user)
    point = OutcomeChangePoint.objects.get(pk=WEST_KENT_AE)
    OutcomeChangePoint.objects.filter(pk=point.pk).update(version=5)  # someone saved since

    response = client.post(
        edit_url(),
        form_data(
            measure=point.measure_id,
            locality=point.locality_id,
            month="2018-10",
            reason="Typed by the second person.",
            loaded_version=1,
        ),
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale-edit"' in html
    assert "Typed by the second person." in html
    assert 'name="loaded_version" value="5"' in html
    point.refresh_from_db()
    assert point.reason != "Typed by the second person."


def test_a_withdrawal_deletes_it_and_history_keeps_why(client, office_user, programme_data):
    client.force_login(office_user)

    response = client.post(
        withdraw_url(), {"version": 1, "withdraw_reason": "Recorded on the wrong measure."}
    )

    assert response.status_code == 302
    assert not OutcomeChangePoint.objects.filter(pk=WEST_KENT_AE).exists()
    record = OutcomeChangePoint.history.filter(id=WEST_KENT_AE, history_type="-").get()
    assert record.history_change_reason == "Withdrawn: Recorded on the wrong measure."
    assert record.history_user == office_user
    html = client.get(LIST).content.decode()
    assert 'data-testid="withdrawn"' in html
    assert "Recorded on the wrong measure." in html


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"version": 1, "withdraw_reason": ""}, 400, "Say why the change point is withdrawn."),
        ({"version": 4, "withdraw_reason": "Wrong."}, 409, "Someone else saved"),
    ],
)
def test_a_withdrawal_without_a_reason_or_stale_is_refused(
    client, office_user, programme_data, data, status, message
):
    client.force_login(office_user)

    response = client.post(withdraw_url(), data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert OutcomeChangePoint.objects.filter(pk=WEST_KENT_AE).exists()


def test_the_service_refuses_anyone_but_the_office(lead_thanet, board_user):
    point = OutcomeChangePoint.objects.get(pk=WEST_KENT_AE)
    for person in (lead_thanet, board_user):
        with pytest.raises(PermissionDenied):
            outcome_services.edit_change_point(change_point=point, expected_version=1, by=person)
        with pytest.raises(PermissionDenied):
            outcome_services.withdraw_change_point(
                change_point=point, expected_version=1, reason="x", by=person
            )


def test_the_service_refuses_a_withdrawal_without_a_reason(office_user, programme_data):
    from django.core.exceptions import ValidationError

    point = OutcomeChangePoint.objects.get(pk=WEST_KENT_AE)
    with pytest.raises(ValidationError):
        outcome_services.withdraw_change_point(
            change_point=point, expected_version=1, reason=" ", by=office_user
        )


def test_free_text_is_escaped(client, office_user, programme_data):
    client.force_login(office_user)
    client.post(ADD, form_data(reason="<script>alert(1)</script>"))

    html = client.get(LIST).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_list_takes_the_same_queries_with_more_change_points(
    client, office_user, programme_data, django_assert_max_num_queries
):
    client.force_login(office_user)
    client.get(LIST)
    measure = OutcomeMeasure.objects.first()
    with django_assert_max_num_queries(12):
        client.get(LIST)
    for month in range(1, 10):
        for locality in Locality.objects.all():
            OutcomeChangePoint.objects.create(
                measure=measure, locality=locality, month=f"2019-0{month}-01", reason="r"
            )
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_the_add_page_offers_kent_and_medway_and_every_locality(
    client, office_user, programme_data
):
    client.force_login(office_user)

    response = client.get(ADD)

    assert response.status_code == 200
    assert "Kent and Medway (the total)" in response.content.decode()
    assert "Record a change point" in response.content.decode()
