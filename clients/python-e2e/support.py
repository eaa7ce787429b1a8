"""Helpers for the end-to-end tests: everything goes through the generated SDK, except
registering a Kakao token with the stub, which is not part of the API."""

from __future__ import annotations

import datetime
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from spacecloud_client import AuthenticatedClient, Client
from spacecloud_client.api.auth import login_with_kakao_token
from spacecloud_client.api.orders import create_order
from spacecloud_client.api.spaces import get_space, get_space_availability, list_spaces
from spacecloud_client.models import (
    Availability,
    Booker,
    KakaoLogin,
    Order,
    OrderRequest,
    Problem,
    SpaceDetail,
    SpaceOption,
    SpacePage,
    SpaceSort,
    SpaceSummary,
    TokenPair,
)
from spacecloud_client.types import Response

T = TypeVar("T")

API_BASE_URL = os.environ["API_BASE_URL"]
KAKAO_STUB_URL = os.environ["KAKAO_STUB_URL"]
TIMEOUT = httpx.Timeout(10.0)


def anonymous() -> Client:
    return Client(base_url=API_BASE_URL, timeout=TIMEOUT, raise_on_unexpected_status=True)


def authenticated(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=API_BASE_URL, token=token, timeout=TIMEOUT, raise_on_unexpected_status=True)


def describe(response: Response[Any]) -> str:
    return f"HTTP {int(response.status_code)}: {response.content.decode(errors='replace')}"


def ok(response: Response[Any], model: type[T], status: int = 200) -> T:
    """The parsed model of a successful answer (never None)."""
    assert response.status_code == status, describe(response)
    assert isinstance(response.parsed, model), f"expected {model.__name__}, got {response.parsed!r}"
    return response.parsed


def problem(response: Response[Any], status: int, code: str) -> Problem:
    """The parsed Problem of an error answer, checked by its status and code."""
    assert response.status_code == status, describe(response)
    assert response.headers["content-type"].startswith("application/problem+json")
    parsed = response.parsed
    assert isinstance(parsed, Problem), f"expected a Problem, got {parsed!r}"
    assert parsed.code == code, describe(response)
    assert parsed.status == status
    assert parsed.type_ == f"urn:spacecloud:problem:{code}"
    return parsed


def register_kakao_token(nickname: str) -> str:
    """Makes a fresh Kakao access token valid for a fresh Kakao user (the stub's own route)."""
    token = f"e2e-{random.getrandbits(64):016x}"
    kakao_id = random.randint(1, 2**53)
    answer = httpx.put(
        f"{KAKAO_STUB_URL}/_stub/tokens/{token}",
        json={"id": kakao_id, "nickname": nickname, "email": None},
        timeout=TIMEOUT,
    )
    assert answer.is_success, answer.text
    return token


def sign_in(kakao_token: str) -> TokenPair:
    with anonymous() as client:
        response = login_with_kakao_token.sync_detailed(client=client, body=KakaoLogin(access_token=kakao_token))
    return ok(response, TokenPair)


def pages(fetch: Callable[[int], Response[Any]]) -> Iterator[SpacePage]:
    """Follows a paged list from page 1 until every item has been seen."""
    page, seen = 1, 0
    while True:
        current = ok(fetch(page), SpacePage)
        assert current.page == page
        yield current
        seen += len(current.items)
        if not current.items or seen >= current.total:
            return
        page += 1


def all_spaces(
    client: Client | AuthenticatedClient, per_page: int = 37, **filters: Any
) -> tuple[list[SpaceSummary], int]:
    items: list[SpaceSummary] = []
    total = -1
    for current in pages(
        lambda page: list_spaces.sync_detailed(client=client, page=page, per_page=per_page, **filters)
    ):
        assert current.per_page == per_page
        total = current.total
        items.extend(current.items)
    return items, total


def booker() -> Booker:
    return Booker(name="E2E Guest", phone="010-1234-5678", email="guest@example.com", purpose="end-to-end test")


@dataclass
class FreeSlot:
    space: SpaceDetail
    option: SpaceOption
    date: datetime.date

    def request(self, **changes: Any) -> OrderRequest:
        fields: dict[str, Any] = {
            "space_id": self.space.id,
            "option_id": self.option.id,
            "date": self.date,
            "headcount": self.space.min_count,
            "booker": booker(),
        }
        fields.update(changes)
        return OrderRequest(**fields)


def free_slots(client: AuthenticatedClient, max_price: int) -> Iterator[FreeSlot]:
    """Bookable (space, option, date) triples at most `max_price`, cheapest spaces first, as the
    availability calendar tells them (from today on), of spaces that confirm bookings at once
    (the others wait for their host after payment)."""
    for current in pages(
        lambda page: list_spaces.sync_detailed(
            client=client, page=page, per_page=20, sort=SpaceSort.PRICE_ASC, max_price=max_price
        )
    ):
        for summary in current.items:
            space = ok(get_space.sync_detailed(summary.id, client=client), SpaceDetail)
            if not space.instant_booking:
                continue
            calendar = get_space_availability.sync_detailed(space.id, client=client)
            for day in ok(calendar, Availability).days:
                free = day.slots.to_dict()
                for option in space.options:
                    # Packages only: an hourly option needs start_hour/end_hour.
                    if option.slot.value == "hourly":
                        continue
                    if option.price <= max_price and free[option.slot.value]:
                        yield FreeSlot(space=space, option=option, date=day.date)


def book(client: AuthenticatedClient, slot: FreeSlot, key: str | None = None) -> Order:
    kwargs: dict[str, Any] = {} if key is None else {"idempotency_key": key}
    return ok(create_order.sync_detailed(client=client, body=slot.request(), **kwargs), Order, status=201)


def wait_until(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Polls `probe` until it returns a value, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.5)
