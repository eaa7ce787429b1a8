import uuid

from spacecloud_client.api.me import get_me
from spacecloud_client.api.orders import cancel_order, create_order, get_order, list_my_orders, pay_order
from spacecloud_client.api.spaces import get_space_availability
from spacecloud_client.models import (
    Availability,
    Booker,
    Me,
    Order,
    OrderEventCause,
    OrderPage,
    OrderStatus,
    PaymentAccepted,
)
from spacecloud_client.types import Unset

from support import FreeSlot, authenticated, book, free_slots, ok, problem, register_kakao_token, sign_in, wait_until


def first_free_slot(guest, exclude: set[tuple[int, str, object]] = frozenset()) -> FreeSlot:
    me = ok(get_me.sync_detailed(client=guest.client), Me)
    for slot in free_slots(guest.client, max_price=me.points):
        if (slot.space.id, slot.option.slot.value, slot.date) not in exclude:
            return slot
    raise AssertionError("no bookable slot within the user's points")


def slot_is_free(guest, slot: FreeSlot) -> bool:
    calendar = get_space_availability.sync_detailed(slot.space.id, client=guest.client, from_=slot.date, to=slot.date)
    return ok(calendar, Availability).days[0].slots.to_dict()[slot.option.slot.value]


def test_book_pay_and_wait_until_completed(guest):
    points_before = ok(get_me.sync_detailed(client=guest.client), Me).points
    slot = first_free_slot(guest)
    key = str(uuid.uuid4())

    order = book(guest.client, slot, key=key)
    assert isinstance(order, Order)
    assert order.status is OrderStatus.WAITING
    assert (order.space.id, order.option.id, order.date) == (slot.space.id, slot.option.id, slot.date)
    assert order.amount == slot.option.price
    assert order.headcount == slot.space.min_count
    assert order.hold_expires_at > order.created_at
    assert order.refunded_points is None
    assert isinstance(order.failure_reason, Unset)

    # The same Idempotency-Key replays the first answer instead of booking twice.
    replay = book(guest.client, slot, key=key)
    assert replay.id == order.id

    # The slot is now held: booking it again, even by its holder, is refused.
    again = create_order.sync_detailed(client=guest.client, body=slot.request(), idempotency_key=str(uuid.uuid4()))
    problem(again, 409, "slot_unavailable")
    assert not slot_is_free(guest, slot)

    accepted = ok(pay_order.sync_detailed(order.id, client=guest.client, idempotency_key=key), PaymentAccepted, 202)
    assert accepted.id == order.id
    assert accepted.status is OrderStatus.PAYMENT_PENDING

    def settled() -> Order | None:
        current = ok(get_order.sync_detailed(order.id, client=guest.client), Order)
        return None if current.status is OrderStatus.PAYMENT_PENDING else current

    done = wait_until(f"order {order.id} to be settled", settled)
    assert done.status is OrderStatus.COMPLETED, done.to_dict()
    assert isinstance(done.history, list)
    assert [event.cause for event in done.history] == [
        OrderEventCause.BOOKED,
        OrderEventCause.PAYMENT_REQUESTED,
        OrderEventCause.PAYMENT_SETTLED,
    ]
    assert isinstance(done.history[0].from_, Unset)
    assert [event.to for event in done.history] == [
        OrderStatus.WAITING,
        OrderStatus.PAYMENT_PENDING,
        OrderStatus.COMPLETED,
    ]
    assert ok(get_me.sync_detailed(client=guest.client), Me).points == points_before - order.amount

    # A completed order stays on the slot, and cannot be paid again.
    problem(create_order.sync_detailed(client=guest.client, body=slot.request()), 409, "slot_unavailable")
    problem(pay_order.sync_detailed(order.id, client=guest.client), 409, "order_not_payable")

    mine = ok(list_my_orders.sync_detailed(client=guest.client, status=OrderStatus.COMPLETED), OrderPage)
    assert [item.id for item in mine.items] == [order.id]


def test_book_and_cancel(guest):
    slot = first_free_slot(guest)
    order = book(guest.client, slot)
    assert order.status is OrderStatus.WAITING

    canceled = ok(cancel_order.sync_detailed(order.id, client=guest.client), Order)
    assert canceled.id == order.id
    assert canceled.status is OrderStatus.CANCELED
    assert canceled.refunded_points is None

    history = ok(get_order.sync_detailed(order.id, client=guest.client), Order).history
    assert isinstance(history, list)
    assert history[-1].cause is OrderEventCause.CANCELED_BY_GUEST
    assert history[-1].from_ is OrderStatus.WAITING

    # The half-days are free again, and a canceled order is final.
    assert slot_is_free(guest, slot)
    problem(cancel_order.sync_detailed(order.id, client=guest.client), 409, "order_not_cancelable")
    problem(pay_order.sync_detailed(order.id, client=guest.client), 409, "order_not_payable")


def test_booking_problems_by_code(guest):
    slot = first_free_slot(guest)

    unknown_space = create_order.sync_detailed(client=guest.client, body=slot.request(space_id=2_000_000_000))
    problem(unknown_space, 404, "not_found")

    invalid = create_order.sync_detailed(
        client=guest.client,
        body=slot.request(booker=Booker(name="", phone="12", email="not-an-email")),
    )
    found = problem(invalid, 422, "validation_failed")
    assert {error.field for error in found.errors} >= {"booker.name", "booker.phone", "booker.email"}

    problem(get_order.sync_detailed(2_000_000_000, client=guest.client), 404, "not_found")
    problem(cancel_order.sync_detailed(2_000_000_000, client=guest.client), 404, "not_found")


def test_another_users_order_is_not_found(guest):
    order = book(guest.client, first_free_slot(guest))
    stranger = sign_in(register_kakao_token("Stranger"))
    with authenticated(stranger.access_token) as client:
        problem(get_order.sync_detailed(order.id, client=client), 404, "not_found")
        problem(cancel_order.sync_detailed(order.id, client=client), 404, "not_found")
    ok(cancel_order.sync_detailed(order.id, client=guest.client), Order)
