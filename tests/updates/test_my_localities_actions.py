"""Leads see the board's actions that concern their locality on My localities."""

import pytest
from django.urls import reverse

from governance.models import Action
from localities.models import Locality
from tests.helpers import query_count, visible_text

pytestmark = pytest.mark.django_db

URL = reverse("updates:mine")
TEXT = "Schedule the deep dives on support for carers"


def test_a_lead_sees_the_actions_on_their_locality_only(client, lead_thanet):
    Action.objects.filter(pk=3).update(locality=Locality.objects.get(slug="thanet"))
    Action.objects.filter(pk=2).update(locality=Locality.objects.get(slug="medway"))
    client.force_login(lead_thanet)
    text = visible_text(client.get(URL).content.decode())
    assert "Board actions on Thanet" in text
    assert TEXT in text
    assert "Present a report to the Joint Board" not in text  # Medway's
    assert "Illustrative owner and status" in text


def test_a_locality_with_no_actions_says_so(client, lead_medway):
    client.force_login(lead_medway)
    text = visible_text(client.get(URL).content.decode())
    assert "No board actions concern Medway." in text


def test_the_query_count_does_not_grow_with_actions(client, lead_thanet):
    client.force_login(lead_thanet)
    thanet = Locality.objects.get(slug="thanet")
    Action.objects.filter(pk=3).update(locality=thanet)
    before = query_count(client, URL)
    action = Action.objects.get(pk=3)
    for number in range(10):
        action.pk = None
        action.text = f"Action {number}"
        action.save()
    assert query_count(client, URL) == before
