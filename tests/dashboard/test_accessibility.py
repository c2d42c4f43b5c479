from django.contrib.auth.models import Group
from django.urls import reverse

from localities import access
from tests.helpers import assert_queries_do_not_grow

STATEMENT = reverse("dashboard:accessibility")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(STATEMENT)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={STATEMENT}"


def test_a_user_with_no_programme_role_may_read_it(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    response = client.get(STATEMENT)

    assert response.status_code == 200
    assert "Accessibility statement for the Kent and Medway Local Care" in response.text


def test_it_needs_no_programme_data(client, db, django_user_model):
    # No quarters or approved updates at all: dashboard pages would 404, the statement must not.
    user = django_user_model.objects.create_user("board-member", password="x" * 16)
    user.groups.add(Group.objects.get(name=access.BOARD_MEMBER))
    client.force_login(user)

    assert client.get(reverse("dashboard:home")).status_code == 404
    assert client.get(STATEMENT).status_code == 200


def test_every_programme_role_may_read_it(
    client, programme_data, board_user, office_user, lead_thanet, admin_user
):
    for user in (board_user, office_user, lead_thanet, admin_user):
        client.force_login(user)
        assert client.get(STATEMENT).status_code == 200


def test_it_follows_the_sample_statement(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    text = client.get(STATEMENT).text

    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in text, heading
    assert (
        "Kent and Medway Sustainability and Transformation Partnership (STP) Local Care programme office"
        in text
    )
    assert (
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
        in text
    )
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text
    assert "partially compliant with the" in text
    assert "2.2</a> AA standard" in text
    assert "the charts cannot be used with a keyboard" in text
    assert "axe-core" in text
    assert "prepared on 22 November 2026" in text
    # No person's name or address: the contact is the programme office's mailbox.
    assert "@" not in text.split("<main")[1].split("</main>")[0]


def test_the_footer_links_to_it_from_every_page(client, programme_data, board_user):
    client.force_login(board_user)

    for url in (reverse("dashboard:home"), STATEMENT, reverse("login")):
        assert f'href="{STATEMENT}">Accessibility statement</a>' in client.get(url).text
    client.logout()
    assert f'href="{STATEMENT}">Accessibility statement</a>' in client.get(reverse("login")).text


def test_it_keeps_the_dashboard_navigation_for_programme_users(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(STATEMENT)

    assert f'href="{reverse("dashboard:milestones")}">Milestones</a>' in response.text
    assert "As at quarter" not in response.text


def test_query_count_is_fixed_and_does_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)

    # Session, user, groups (for the navigation); no programme data at all.
    with django_assert_max_num_queries(3):
        assert client.get(STATEMENT).status_code == 200
    assert assert_queries_do_not_grow(client, STATEMENT) == 3
