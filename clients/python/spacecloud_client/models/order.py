from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.failure_reason import FailureReason
from ..models.order_status import OrderStatus
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
        booker (Booker): The person the host should expect, as the guest typed it.
        created_at (datetime.datetime):
        date (datetime.date):
        end_hour (int): The hour the booking ends (a package's: `day` 18, `night` and `all` 24).
        headcount (int):
        hold_expires_at (datetime.datetime): Until when a `waiting` order holds its slot unpaid.
        id (int):
        is_past (bool): True once the order's date is before today (business time zone).
        option (OrderOption):
        refunded_points (int | None): Points given back by a cancellation; null until then.
        space (OrderSpace):
        start_hour (int): The first hour booked (a package's: `day` 9, `night` 18, `all` 9).
        status (OrderStatus): Where an order is in its life: `waiting` (until its hold expires), `payment_pending`
            and `completed` block their slot; the rest free it.
        updated_at (datetime.datetime):
        failure_reason (FailureReason | Unset): Why a payment was declined: the order's `failure_reason`.
        history (list[OrderEvent] | Unset): Every status change, oldest first (only on `GET /orders/{id}`).
    """

    amount: int
    booker: Booker
    created_at: datetime.datetime
    date: datetime.date
    end_hour: int
    headcount: int
    hold_expires_at: datetime.datetime
    id: int
    is_past: bool
    option: OrderOption
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

        booker = self.booker.to_dict()

        created_at = self.created_at.isoformat()

        date = self.date.isoformat()

        end_hour = self.end_hour

        headcount = self.headcount

        hold_expires_at = self.hold_expires_at.isoformat()

        id = self.id

        is_past = self.is_past

        option = self.option.to_dict()

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
                "booker": booker,
                "created_at": created_at,
                "date": date,
                "end_hour": end_hour,
                "headcount": headcount,
                "hold_expires_at": hold_expires_at,
                "id": id,
                "is_past": is_past,
                "option": option,
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

        booker = Booker.from_dict(d.pop("booker"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        date = datetime.date.fromisoformat(d.pop("date"))

        end_hour = d.pop("end_hour")

        headcount = d.pop("headcount")

        hold_expires_at = datetime.datetime.fromisoformat(d.pop("hold_expires_at"))

        id = d.pop("id")

        is_past = d.pop("is_past")

        option = OrderOption.from_dict(d.pop("option"))

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
            booker=booker,
            created_at=created_at,
            date=date,
            end_hour=end_hour,
            headcount=headcount,
            hold_expires_at=hold_expires_at,
            id=id,
            is_past=is_past,
            option=option,
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
