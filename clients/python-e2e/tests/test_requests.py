"""Request-to-book and refund policies through the generated SDK: a host creates a space that
approves each booking, a guest books and pays, the host decides, and both read their
notifications."""

import datetime

from spacecloud_client.api.catalog import list_categories, list_districts
from spacecloud_client.api.hosting import create_space, update_space
from spacecloud_client.api.spaces import get_space_availability
from spacecloud_client.api.me import list_my_notifications, mark_my_notifications_read
from spacecloud_client.api.orders import (
    approve_order,
    cancel_order,
    create_order,
    decline_order,
    get_order,
    list_my_space_orders,
    pay_order,
)
from spacecloud_client.models import (
    Availability,
    CreateSpaceBody,
    DeclineRequest,
    District,
    Label,
    MarkRead,
    NotificationKind,
    NotificationPage,
    Order,
    OrderPage,
    OrderRequest,
    OrderStatus,
    PaymentAccepted,
    RefundPolicy,
    SpaceChanges,
    SpaceDetail,
)

from support import authenticated, booker, ok, problem, register_kakao_token, sign_in, wait_until


def new_host_space(host) -> SpaceDetail:
    district = ok(list_districts.sync_detailed(client=host), list)[0]
    category = ok(list_categories.sync_detailed(client=host), list)[0]
    assert isinstance(district, District) and isinstance(category, Label)
    body = CreateSpaceBody(
        title="E2E request-to-book room",
        category_id=category.id,
        district_id=district.id,
        address="Seoul",
        max_count=6,
        price_day=20_000,
        refund_policy=RefundPolicy.STANDARD,
        instant_booking=False,
        facility_id=[],
        images=[],
    )
    return ok(create_space.sync_detailed(client=host, body=body), SpaceDetail, status=201)


def request(guest, space: SpaceDetail, days_ahead: int) -> Order:
    # The availability calendar starts on today's business date.
    today = ok(get_space_availability.sync_detailed(space.id, client=guest), Availability).days[0].date
    day_option = next(option for option in space.options if option.slot.value == "day")
    order = ok(
        create_order.sync_detailed(
            client=guest,
            body=OrderRequest(
                space_id=space.id,
                option_id=day_option.id,
                date=today + datetime.timedelta(days=days_ahead),
                headcount=2,
                booker=booker(),
            ),
        ),
        Order,
        status=201,
    )
    ok(pay_order.sync_detailed(order.id, client=guest), PaymentAccepted, status=202)

    def awaiting() -> Order | None:
        current = ok(get_order.sync_detailed(order.id, client=guest), Order)
        return current if current.status is OrderStatus.AWAITING_APPROVAL else None

    return wait_until(f"order {order.id} to await approval", awaiting)


def kinds(client) -> list[NotificationKind]:
    page = ok(list_my_notifications.sync_detailed(client=client), NotificationPage)
    return [item.kind for item in page.items]


def test_request_to_book_approved_declined_and_notified(guest):
    host_tokens = sign_in(register_kakao_token("E2E host"))
    with authenticated(host_tokens.access_token) as host:
        space = new_host_space(host)
        assert space.instant_booking is False
        assert space.refund_policy.name is RefundPolicy.STANDARD
        assert [(tier.days_before, tier.percent) for tier in space.refund_policy.tiers] == [
            (7, 100),
            (3, 50),
            (1, 20),
            (0, 0),
        ]

        first = request(guest.client, space, days_ahead=10)
        assert first.approval_deadline is not None
        assert first.refund_policy is RefundPolicy.STANDARD
        second = request(guest.client, space, days_ahead=11)

        queue = ok(
            list_my_space_orders.sync_detailed(space.id, client=host, status=OrderStatus.AWAITING_APPROVAL),
            OrderPage,
        )
        assert [order.id for order in queue.items] == [first.id, second.id]
        assert kinds(host) == [NotificationKind.APPROVAL_REQUESTED] * 2

        problem(approve_order.sync_detailed(first.id, client=guest.client), 403, "forbidden")
        approved = ok(approve_order.sync_detailed(first.id, client=host), Order)
        assert approved.status is OrderStatus.COMPLETED
        problem(approve_order.sync_detailed(first.id, client=host), 409, "order_not_awaiting_approval")

        declined = ok(
            decline_order.sync_detailed(second.id, client=host, body=DeclineRequest(reason="Closed for repairs")),
            Order,
        )
        assert declined.status is OrderStatus.DECLINED
        assert declined.refunded_points == declined.amount
        assert declined.decline_reason == "Closed for repairs"

        assert kinds(guest.client) == [NotificationKind.DECLINED, NotificationKind.APPROVED]

        # Ten days ahead under standard: a full refund, and the host is told.
        canceled = ok(cancel_order.sync_detailed(first.id, client=guest.client), Order)
        assert canceled.status is OrderStatus.CANCELED
        assert canceled.refunded_points == first.amount
        assert kinds(host)[0] is NotificationKind.CANCELED_BY_GUEST

        # The host switches to strict; the next booking is placed under it.
        changed = ok(
            update_space.sync_detailed(space.id, client=host, body=SpaceChanges(refund_policy=RefundPolicy.STRICT)),
            SpaceDetail,
        )
        assert changed.refund_policy.name is RefundPolicy.STRICT

    page = ok(list_my_notifications.sync_detailed(client=guest.client), NotificationPage)
    assert page.unread_count == page.total == 3
    newest = page.items[0].id
    marked = mark_my_notifications_read.sync_detailed(client=guest.client, body=MarkRead(up_to_id=newest))
    assert marked.status_code == 204
    page = ok(list_my_notifications.sync_detailed(client=guest.client), NotificationPage)
    assert page.unread_count == 0 and all(item.read for item in page.items)
