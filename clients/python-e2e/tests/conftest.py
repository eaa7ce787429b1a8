from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from spacecloud_client import AuthenticatedClient, Client
from spacecloud_client.models import TokenPair

from support import anonymous, authenticated, register_kakao_token, sign_in


@dataclass
class Guest:
    client: AuthenticatedClient
    tokens: TokenPair


@pytest.fixture
def anon() -> Iterator[Client]:
    with anonymous() as client:
        yield client


@pytest.fixture
def guest() -> Iterator[Guest]:
    """A new user, signed in through the Kakao stub, for one test (so holds never pile up)."""
    tokens = sign_in(register_kakao_token("E2E guest"))
    with authenticated(tokens.access_token) as client:
        yield Guest(client=client, tokens=tokens)
