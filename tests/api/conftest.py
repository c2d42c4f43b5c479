import pytest

from api.services import create_token


@pytest.fixture
def board_token(programme_data, board_user):
    """A live token of a board member, and its key (as its owner saw it, once)."""
    return create_token(owner=board_user, name="Power BI")


@pytest.fixture
def api(client, board_token):
    """GET an API URL with the board member's token."""

    def get(url, **query):
        return client.get(url, query, headers={"Authorization": f"Bearer {board_token.key}"})

    return get
