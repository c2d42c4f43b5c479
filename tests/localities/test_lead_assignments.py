"""Lead assignments are dated (decision 0023): the migrations that replace
Locality.leads, and the admin where the programme office keeps them, with history."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from localities import access
from localities.models import LeadAssignment, Locality
from tests.helpers import assign_lead

BEFORE_THE_DROP = ("localities", "0015_structure_over_time")


def migrate_to(targets):
    """Migrate to `targets` and return that state's models."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_drop(transactional_db):
    """The schema with Locality.leads and the assignments side by side (0013);
    forward to the latest schema afterwards."""
    old_apps = migrate_to([BEFORE_THE_DROP])
    try:
        yield old_apps
    finally:
        migrate_to(latest())


def test_every_lead_link_becomes_one_open_assignment_and_the_links_go(
    before_the_drop, django_user_model
):
    from importlib import import_module

    old = before_the_drop
    sub_system = old.get_model("localities", "SubSystem").objects.create(name="East", slug="east")
    Locality = old.get_model("localities", "Locality")
    swale = Locality.objects.create(name="Swale", slug="swale", sub_system=sub_system)
    thanet = Locality.objects.create(name="Thanet", slug="thanet", sub_system=sub_system)
    early = django_user_model.objects.create_user(username="linked-before-0013")
    late = django_user_model.objects.create_user(username="linked-after-0013")
    Locality.leads.through.objects.create(locality_id=swale.pk, user_id=early.pk)
    # 0013 copied the links there were; one made afterwards has no assignment yet.
    import_module("localities.migrations.0015_structure_over_time").copy_leads_to_assignments(
        old, None
    )
    Locality.leads.through.objects.create(locality_id=thanet.pk, user_id=late.pk)

    migrate_to(latest())

    assert sorted(
        LeadAssignment.objects.values_list(
            "user__username", "locality__slug", "in_force_from", "in_force_until"
        )
    ) == [
        ("linked-after-0013", "thanet", None, None),
        ("linked-before-0013", "swale", None, None),
    ]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "localities_locality_leads" not in tables
    assert "localities_historicallocality_leads" not in tables

    # Backwards, the links are who leads each locality today.
    LeadAssignment.objects.filter(user=late).update(in_force_until=datetime.date(2020, 3, 31))
    old = migrate_to([BEFORE_THE_DROP])
    links = old.get_model("localities", "Locality").leads.through.objects
    assert list(links.values_list("user__username", "locality__slug")) == [
        ("linked-before-0013", "swale")
    ]


# --- The admin ------------------------------------------------------------------------


def form_data(response) -> dict:
    """What the admin change page's form would send back unchanged: the object's fields
    and every inline's rows with its management form."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def lead_form(response, assignment):
    """The locality change page's form for one lead assignment."""
    (leads,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.opts.model is LeadAssignment
    ]
    return next(form for form in leads.formset.forms if form.instance.pk == assignment.pk)


@pytest.fixture
def swale_lead(programme_data, django_user_model):
    user = django_user_model.objects.create_user(username="lead-of-swale")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    return user, assign_lead(user, "swale")


def test_the_locality_admin_lists_its_leads_with_their_dates(client, admin_user, swale_lead):
    user, assignment = swale_lead
    swale = Locality.objects.get(slug="swale")
    client.force_login(admin_user)

    response = client.get(reverse("admin:localities_locality_change", args=[swale.pk]))

    assert response.status_code == 200
    form = lead_form(response, assignment)
    assert form.instance.user == user
    assert {"user", "in_force_from", "in_force_until"} <= set(form.fields)
    assert "lead-of-swale" in response.text


def test_ending_an_assignment_in_the_locality_admin_is_recorded_with_who(
    client, admin_user, swale_lead
):
    user, assignment = swale_lead
    swale = Locality.objects.get(slug="swale")
    url = reverse("admin:localities_locality_change", args=[swale.pk])
    client.force_login(admin_user)
    page = client.get(url)
    data, prefix = form_data(page), lead_form(page, assignment).prefix
    data[f"{prefix}-in_force_until"] = "2020-03-31"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    assignment.refresh_from_db()
    assert assignment.in_force_until == datetime.date(2020, 3, 31)
    latest, created = assignment.history.all()[:2]
    assert (latest.history_type, latest.history_user) == ("~", admin_user)
    assert [change.field for change in latest.diff_against(created).changes] == ["in_force_until"]
    # The locality's own history page still opens, without the dropped leads table.
    history = client.get(reverse("admin:localities_locality_history", args=[swale.pk]))
    assert history.status_code == 200


def test_an_assignment_cannot_end_before_it_starts(client, admin_user, swale_lead):
    _, assignment = swale_lead
    swale = Locality.objects.get(slug="swale")
    url = reverse("admin:localities_locality_change", args=[swale.pk])
    client.force_login(admin_user)
    page = client.get(url)
    data, prefix = form_data(page), lead_form(page, assignment).prefix
    data[f"{prefix}-in_force_from"] = "2020-04-01"
    data[f"{prefix}-in_force_until"] = "2020-03-31"

    response = client.post(url, data)

    assert response.status_code == 400
    assert "It cannot end before it starts." in response.text
    assignment.refresh_from_db()
    assert (assignment.in_force_from, assignment.in_force_until) == (None, None)
