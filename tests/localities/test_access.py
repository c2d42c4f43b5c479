import pytest
from django.contrib.auth.models import Group, Permission

from localities import access
from localities.models import Locality, Quarter


@pytest.mark.django_db
def test_migrate_creates_the_three_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(access.GROUP_NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("group_name", [access.BOARD_MEMBER, access.LOCALITY_LEAD])
def test_board_members_and_leads_may_only_view_programme_models(group_name):
    codenames = set(
        Group.objects.get(name=group_name).permissions.values_list("codename", flat=True)
    )

    assert "view_risk" in codenames
    assert "view_quarterlyupdate" in codenames
    assert all(codename.startswith("view_") for codename in codenames)


@pytest.mark.django_db
def test_programme_office_may_change_programme_governance_and_risk_models():
    office = Group.objects.get(name=access.PROGRAMME_OFFICE)
    programme_permissions = Permission.objects.filter(
        content_type__app_label__in=["localities", "risks", "governance", "updates"]
    )

    assert set(office.permissions.all()) == set(programme_permissions)


def test_only_a_lead_of_the_locality_may_work_on_its_return(lead_thanet, board_user, office_user):
    thanet = Locality.objects.get(slug="thanet")
    medway = Locality.objects.get(slug="medway")
    quarter = Quarter.objects.with_slug("2018-19-q4").get()

    assert access.can_work_on_return(lead_thanet, thanet, quarter)
    assert not access.can_work_on_return(lead_thanet, medway, quarter)
    assert not access.can_work_on_return(board_user, thanet, quarter)
    assert not access.can_work_on_return(office_user, thanet, quarter)


def test_a_user_removed_from_the_lead_group_loses_edit_rights(lead_thanet):
    thanet = Locality.objects.get(slug="thanet")
    quarter = Quarter.objects.with_slug("2018-19-q4").get()
    lead_thanet.groups.clear()
    lead_thanet = type(lead_thanet).objects.get(pk=lead_thanet.pk)

    assert not access.can_work_on_return(lead_thanet, thanet, quarter)


@pytest.mark.django_db
def test_roles(board_user, office_user, admin_user, django_user_model):
    nobody = django_user_model.objects.create_user("nobody")

    assert access.is_board_member(board_user)
    assert access.can_view_dashboards(board_user)
    assert access.is_programme_office(office_user)
    assert access.can_view_dashboards(office_user)
    assert access.is_programme_office(admin_user)
    assert access.can_view_dashboards(admin_user)
    assert not access.can_view_dashboards(nobody)
    assert not access.is_programme_office(board_user)
