from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order_page import OrderPage
from ...models.order_status import OrderStatus
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    status: OrderStatus | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["page"] = page

    params["per_page"] = per_page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/me/spaces/{id}/orders".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> OrderPage | Problem | None:
    if response.status_code == 200:
        response_200 = OrderPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[OrderPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Response[OrderPage | Problem]:
    """The orders of one of the caller's spaces, newest date first; with
    `status=awaiting_approval`, the requests waiting for a decision, oldest deadline first.

    Args:
        id (int):
        status (OrderStatus | Unset): Where an order is in its life: `waiting` (until its hold
            expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their
            hours;
            the rest free them.
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderPage | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        status=status,
        page=page,
        per_page=per_page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> OrderPage | Problem | None:
    """The orders of one of the caller's spaces, newest date first; with
    `status=awaiting_approval`, the requests waiting for a decision, oldest deadline first.

    Args:
        id (int):
        status (OrderStatus | Unset): Where an order is in its life: `waiting` (until its hold
            expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their
            hours;
            the rest free them.
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderPage | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        status=status,
        page=page,
        per_page=per_page,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> Response[OrderPage | Problem]:
    """The orders of one of the caller's spaces, newest date first; with
    `status=awaiting_approval`, the requests waiting for a decision, oldest deadline first.

    Args:
        id (int):
        status (OrderStatus | Unset): Where an order is in its life: `waiting` (until its hold
            expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their
            hours;
            the rest free them.
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderPage | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        status=status,
        page=page,
        per_page=per_page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    page: int | Unset = 1,
    per_page: int | Unset = 20,
) -> OrderPage | Problem | None:
    """The orders of one of the caller's spaces, newest date first; with
    `status=awaiting_approval`, the requests waiting for a decision, oldest deadline first.

    Args:
        id (int):
        status (OrderStatus | Unset): Where an order is in its life: `waiting` (until its hold
            expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their
            hours;
            the rest free them.
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderPage | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            status=status,
            page=page,
            per_page=per_page,
        )
    ).parsed
