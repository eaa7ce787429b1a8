import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.slot import Slot
from ...models.space_page import SpacePage
from ...models.space_sort import SpaceSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    district_id: int | Unset = UNSET,
    category_id: int | Unset = UNSET,
    headcount: int | Unset = UNSET,
    date: datetime.date | Unset = UNSET,
    slot: Slot | Unset = UNSET,
    start_hour: int | Unset = UNSET,
    end_hour: int | Unset = UNSET,
    facility_id: list[int] | Unset = UNSET,
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    sort: SpaceSort | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["district_id"] = district_id

    params["category_id"] = category_id

    params["headcount"] = headcount

    json_date: str | Unset = UNSET
    if not isinstance(date, Unset):
        json_date = date.isoformat()
    params["date"] = json_date

    json_slot: str | Unset = UNSET
    if not isinstance(slot, Unset):
        json_slot = slot.value

    params["slot"] = json_slot

    params["start_hour"] = start_hour

    params["end_hour"] = end_hour

    json_facility_id: list[int] | Unset = UNSET
    if not isinstance(facility_id, Unset):
        json_facility_id = facility_id

    params["facility_id"] = json_facility_id

    params["q"] = q

    params["min_price"] = min_price

    params["max_price"] = max_price

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["page"] = page

    params["per_page"] = per_page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/spaces",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SpacePage | None:
    if response.status_code == 200:
        response_200 = SpacePage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SpacePage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    district_id: int | Unset = UNSET,
    category_id: int | Unset = UNSET,
    headcount: int | Unset = UNSET,
    date: datetime.date | Unset = UNSET,
    slot: Slot | Unset = UNSET,
    start_hour: int | Unset = UNSET,
    end_hour: int | Unset = UNSET,
    facility_id: list[int] | Unset = UNSET,
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    sort: SpaceSort | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Response[Problem | SpacePage]:
    """Search spaces.

     Every filter is optional and they combine. `date` keeps spaces bookable that day (any
    offered option free, or `slot` free when given, or the hourly option able to book
    `start_hour`–`end_hour`; past dates and started hours match nothing). Ties in every
    sort break by id descending, so pages never overlap.

    Args:
        district_id (int | Unset):
        category_id (int | Unset):
        headcount (int | Unset):
        date (datetime.date | Unset):
        slot (Slot | Unset):
        start_hour (int | Unset):
        end_hour (int | Unset):
        facility_id (list[int] | Unset):
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        sort (SpaceSort | Unset):
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SpacePage]
    """

    kwargs = _get_kwargs(
        district_id=district_id,
        category_id=category_id,
        headcount=headcount,
        date=date,
        slot=slot,
        start_hour=start_hour,
        end_hour=end_hour,
        facility_id=facility_id,
        q=q,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        page=page,
        per_page=per_page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    district_id: int | Unset = UNSET,
    category_id: int | Unset = UNSET,
    headcount: int | Unset = UNSET,
    date: datetime.date | Unset = UNSET,
    slot: Slot | Unset = UNSET,
    start_hour: int | Unset = UNSET,
    end_hour: int | Unset = UNSET,
    facility_id: list[int] | Unset = UNSET,
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    sort: SpaceSort | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Problem | SpacePage | None:
    """Search spaces.

     Every filter is optional and they combine. `date` keeps spaces bookable that day (any
    offered option free, or `slot` free when given, or the hourly option able to book
    `start_hour`–`end_hour`; past dates and started hours match nothing). Ties in every
    sort break by id descending, so pages never overlap.

    Args:
        district_id (int | Unset):
        category_id (int | Unset):
        headcount (int | Unset):
        date (datetime.date | Unset):
        slot (Slot | Unset):
        start_hour (int | Unset):
        end_hour (int | Unset):
        facility_id (list[int] | Unset):
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        sort (SpaceSort | Unset):
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SpacePage
    """

    return sync_detailed(
        client=client,
        district_id=district_id,
        category_id=category_id,
        headcount=headcount,
        date=date,
        slot=slot,
        start_hour=start_hour,
        end_hour=end_hour,
        facility_id=facility_id,
        q=q,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        page=page,
        per_page=per_page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    district_id: int | Unset = UNSET,
    category_id: int | Unset = UNSET,
    headcount: int | Unset = UNSET,
    date: datetime.date | Unset = UNSET,
    slot: Slot | Unset = UNSET,
    start_hour: int | Unset = UNSET,
    end_hour: int | Unset = UNSET,
    facility_id: list[int] | Unset = UNSET,
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    sort: SpaceSort | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Response[Problem | SpacePage]:
    """Search spaces.

     Every filter is optional and they combine. `date` keeps spaces bookable that day (any
    offered option free, or `slot` free when given, or the hourly option able to book
    `start_hour`–`end_hour`; past dates and started hours match nothing). Ties in every
    sort break by id descending, so pages never overlap.

    Args:
        district_id (int | Unset):
        category_id (int | Unset):
        headcount (int | Unset):
        date (datetime.date | Unset):
        slot (Slot | Unset):
        start_hour (int | Unset):
        end_hour (int | Unset):
        facility_id (list[int] | Unset):
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        sort (SpaceSort | Unset):
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SpacePage]
    """

    kwargs = _get_kwargs(
        district_id=district_id,
        category_id=category_id,
        headcount=headcount,
        date=date,
        slot=slot,
        start_hour=start_hour,
        end_hour=end_hour,
        facility_id=facility_id,
        q=q,
        min_price=min_price,
        max_price=max_price,
        sort=sort,
        page=page,
        per_page=per_page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    district_id: int | Unset = UNSET,
    category_id: int | Unset = UNSET,
    headcount: int | Unset = UNSET,
    date: datetime.date | Unset = UNSET,
    slot: Slot | Unset = UNSET,
    start_hour: int | Unset = UNSET,
    end_hour: int | Unset = UNSET,
    facility_id: list[int] | Unset = UNSET,
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    sort: SpaceSort | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Problem | SpacePage | None:
    """Search spaces.

     Every filter is optional and they combine. `date` keeps spaces bookable that day (any
    offered option free, or `slot` free when given, or the hourly option able to book
    `start_hour`–`end_hour`; past dates and started hours match nothing). Ties in every
    sort break by id descending, so pages never overlap.

    Args:
        district_id (int | Unset):
        category_id (int | Unset):
        headcount (int | Unset):
        date (datetime.date | Unset):
        slot (Slot | Unset):
        start_hour (int | Unset):
        end_hour (int | Unset):
        facility_id (list[int] | Unset):
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        sort (SpaceSort | Unset):
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SpacePage
    """

    return (
        await asyncio_detailed(
            client=client,
            district_id=district_id,
            category_id=category_id,
            headcount=headcount,
            date=date,
            slot=slot,
            start_hour=start_hour,
            end_hour=end_hour,
            facility_id=facility_id,
            q=q,
            min_price=min_price,
            max_price=max_price,
            sort=sort,
            page=page,
            per_page=per_page,
        )
    ).parsed
