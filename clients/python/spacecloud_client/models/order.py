from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.failure_reason import FailureReason
from ..models.order_status import OrderStatus
from ..models.refund_policy import RefundPolicy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.booker import Booker
    from ..models.order_event import OrderEvent
    from ..models.order_option import OrderOption
    from ..models.order_space import OrderSpace


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """
    Attributes:
        amount (int): What the order costs, in won.
        approval_deadline (datetime.datetime | None): For a request to book (`awaiting_approval`): until when the host
            may approve or decline
            it; then the worker declines it. Null for an order that never waited for its host.
        booker (Booker): The person the host should expect, as the guest typed it.
        created_at (datetime.datetime):
        date (datetime.date):
        decline_reason (None | str): Why a `declined` order was declined: the host's reason, or `approval_timeout`.
        end_hour (int): The hour the booking ends (a package's: `day` 18, `night` and `all` 24).
        headcount (int):
        hold_expires_at (datetime.datetime): Until when a `waiting` order holds its slot unpaid.
        id (int):
        is_past (bool): True once the order's date is before today (business time zone).
        option (OrderOption):
        refund_policy (RefundPolicy): A space's cancellation policy (default `flexible`), a fixed schedule of tiers; an
            order is
            refunded by the policy its space had when it was placed. `flexible`: 1 day or more before
            100 %, on the day 0 %. `standard`: 7+ days 100 %, 3–6 days 50 %, 1–2 days 20 %, on the day
            0 %. `strict`: 8+ days 100 %, then 90, 80, 70, 60 and 50 % from 7 down to 3 days, fewer 0 %.
        refunded_points (int | None): Points given back by a cancellation or a decline; null until then.
        space (OrderSpace):
        start_hour (int): The first hour booked (a package's: `day` 9, `night` 18, `all` 9).
        status (OrderStatus): Where an order is in its life: `waiting` (until its hold expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their hours;
            the rest free them.
        updated_at (datetime.datetime):
        failure_reason (FailureReason | Unset): Why a payment was declined: the order's `failure_reason`.
        history (list[OrderEvent] | Unset): Every status change, oldest first (only on `GET /orders/{id}`).
    """

    amount: int
    approval_deadline: datetime.datetime | None
    booker: Booker
    created_at: datetime.datetime
    date: datetime.date
    decline_reason: None | str
    end_hour: int
    headcount: int
    hold_expires_at: datetime.datetime
    id: int
    is_past: bool
    option: OrderOption
    refund_policy: RefundPolicy
    refunded_points: int | None
    space: OrderSpace
    start_hour: int
    status: OrderStatus
    updated_at: datetime.datetime
    failure_reason: FailureReason | Unset = UNSET
    history: list[OrderEvent] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        approval_deadline: None | str
        if isinstance(self.approval_deadline, datetime.datetime):
            approval_deadline = self.approval_deadline.isoformat()
        else:
            approval_deadline = self.approval_deadline

        booker = self.booker.to_dict()

        created_at = self.created_at.isoformat()

        date = self.date.isoformat()

        decline_reason: None | str
        decline_reason = self.decline_reason

        end_hour = self.end_hour

        headcount = self.headcount

        hold_expires_at = self.hold_expires_at.isoformat()

        id = self.id

        is_past = self.is_past

        option = self.option.to_dict()

        refund_policy = self.refund_policy.value

        refunded_points: int | None
        refunded_points = self.refunded_points

        space = self.space.to_dict()

        start_hour = self.start_hour

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        failure_reason: str | Unset = UNSET
        if not isinstance(self.failure_reason, Unset):
            failure_reason = self.failure_reason.value

        history: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.history, Unset):
            history = []
            for history_item_data in self.history:
                history_item = history_item_data.to_dict()
                history.append(history_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "approval_deadline": approval_deadline,
                "booker": booker,
                "created_at": created_at,
                "date": date,
                "decline_reason": decline_reason,
                "end_hour": end_hour,
                "headcount": headcount,
                "hold_expires_at": hold_expires_at,
                "id": id,
                "is_past": is_past,
                "option": option,
                "refund_policy": refund_policy,
                "refunded_points": refunded_points,
                "space": space,
                "start_hour": start_hour,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if history is not UNSET:
            field_dict["history"] = history

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.booker import Booker  # noqa: PLC0415
        from ..models.order_event import OrderEvent  # noqa: PLC0415
        from ..models.order_option import OrderOption  # noqa: PLC0415
        from ..models.order_space import OrderSpace  # noqa: PLC0415

        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_approval_deadline(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                approval_deadline_type_0 = datetime.datetime.fromisoformat(data)

                return approval_deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        approval_deadline = _parse_approval_deadline(d.pop("approval_deadline"))

        booker = Booker.from_dict(d.pop("booker"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        date = datetime.date.fromisoformat(d.pop("date"))

        def _parse_decline_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decline_reason = _parse_decline_reason(d.pop("decline_reason"))

        end_hour = d.pop("end_hour")

        headcount = d.pop("headcount")

        hold_expires_at = datetime.datetime.fromisoformat(d.pop("hold_expires_at"))

        id = d.pop("id")

        is_past = d.pop("is_past")

        option = OrderOption.from_dict(d.pop("option"))

        refund_policy = RefundPolicy(d.pop("refund_policy"))

        def _parse_refunded_points(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        refunded_points = _parse_refunded_points(d.pop("refunded_points"))

        space = OrderSpace.from_dict(d.pop("space"))

        start_hour = d.pop("start_hour")

        status = OrderStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _failure_reason = d.pop("failure_reason", UNSET)
        failure_reason: FailureReason | Unset
        if isinstance(_failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = FailureReason(_failure_reason)

        _history = d.pop("history", UNSET)
        history: list[OrderEvent] | Unset = UNSET
        if _history is not UNSET:
            history = []
            for history_item_data in _history:
                history_item = OrderEvent.from_dict(history_item_data)

                history.append(history_item)

        order = cls(
            amount=amount,
            approval_deadline=approval_deadline,
            booker=booker,
            created_at=created_at,
            date=date,
            decline_reason=decline_reason,
            end_hour=end_hour,
            headcount=headcount,
            hold_expires_at=hold_expires_at,
            id=id,
            is_past=is_past,
            option=option,
            refund_policy=refund_policy,
            refunded_points=refunded_points,
            space=space,
            start_hour=start_hour,
            status=status,
            updated_at=updated_at,
            failure_reason=failure_reason,
            history=history,
        )

        order.additional_properties = d
        return order

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
