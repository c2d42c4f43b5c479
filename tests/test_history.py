"""Nothing lost: every model that people edit keeps who changed what, and when."""

import pytest
from django.urls import reverse

from tests import factories
from tests.helpers import programme_models


@pytest.mark.parametrize("model", programme_models(), ids=lambda model: model.__name__)
def test_every_programme_model_keeps_history(model):
    history_manager = getattr(model, "history", None)

    assert history_manager is not None, f"{model.__name__} keeps no history"
    assert history_manager.model._meta.app_label == model._meta.app_label


def test_an_admin_edit_records_who_changed_what(client, admin_user):
    place = factories.locality()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:localities_subsystem_change", args=[place.sub_system.pk]),
        {"name": "East Kent (renamed)", "slug": "east-kent"},
    )

    assert response.status_code == 302
    latest = place.sub_system.history.first()
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    previous = latest.prev_record
    assert [change.field for change in latest.diff_against(previous).changes] == ["name"]
    assert previous.name == "East Kent"
    assert latest.name == "East Kent (renamed)"
