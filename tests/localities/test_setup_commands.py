import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from localities import access
from localities.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from localities.models import LeadAssignment, Locality
from updates.models import QuarterlyUpdate


@pytest.fixture
def loaded(db):
    call_command("load_programme_data", verbosity=0)


def test_demo_accounts_log_in_with_their_roles(loaded, settings, django_user_model):
    settings.DEBUG = True
    call_command("create_demo_accounts", verbosity=0)

    for account in DEMO_ACCOUNTS:
        # django-axes needs the request, to count failures per client.
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=account.username, password=DEMO_PASSWORD)
        assert user is not None, account.username
    assert access.is_board_member(django_user_model.objects.get(username="board"))
    assert django_user_model.objects.get(username="admin").is_superuser
    assert django_user_model.objects.get(username="office").is_staff
    # Open-ended: the demo leads work on every quarter's return, as before leads were dated.
    assert list(
        LeadAssignment.objects.filter(user__username__startswith="lead-")
        .order_by("user__username")
        .values_list("user__username", "locality__slug", "in_force_from", "in_force_until")
    ) == [("lead-medway", "medway", None, None), ("lead-thanet", "thanet", None, None)]


def test_running_set_up_twice_neither_fails_nor_duplicates(loaded, settings, django_user_model):
    settings.DEBUG = True
    call_command("create_demo_accounts", verbosity=0)
    counts = (
        Locality.objects.count(),
        QuarterlyUpdate.objects.count(),
        django_user_model.objects.count(),
        LeadAssignment.objects.count(),
    )

    call_command("load_programme_data", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)

    assert (
        Locality.objects.count(),
        QuarterlyUpdate.objects.count(),
        django_user_model.objects.count(),
        LeadAssignment.objects.count(),
    ) == counts


def test_load_programme_data_never_overwrites_edits(loaded):
    Locality.objects.filter(slug="thanet").update(registered_population=123)

    call_command("load_programme_data", verbosity=0)

    assert Locality.objects.get(slug="thanet").registered_population == 123


def test_loaded_rows_get_an_initial_history_entry(loaded):
    thanet = Locality.objects.get(slug="thanet")

    assert thanet.history.count() == 1


def test_demo_accounts_are_refused_in_production(loaded, settings, django_user_model):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        call_command("create_demo_accounts", verbosity=0)
    assert not django_user_model.objects.filter(username="board").exists()
