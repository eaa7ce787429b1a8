from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_event_cause import OrderEventCause
from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderEvent")


@_attrs_define
class OrderEvent:
    """One status change of an order; `from` is absent on the first entry (the order's creation).

    Attributes:
        at (datetime.datetime):
        cause (OrderEventCause): Why an order moved from one status to another: its history's `cause`.
        to (OrderStatus): Where an order is in its life: `waiting` (until its hold expires), `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their hours;
            the rest free them.
        from_ (OrderStatus | Unset): Where an order is in its life: `waiting` (until its hold expires),
            `payment_pending`,
            `awaiting_approval` (paid, the host has not decided yet) and `completed` block their hours;
            the rest free them.
    """

    at: datetime.datetime
    cause: OrderEventCause
    to: OrderStatus
    from_: OrderStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        cause = self.cause.value

        to = self.to.value

        from_: str | Unset = UNSET
        if not isinstance(self.from_, Unset):
            from_ = self.from_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "cause": cause,
                "to": to,
            }
        )
        if from_ is not UNSET:
            field_dict["from"] = from_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        cause = OrderEventCause(d.pop("cause"))

        to = OrderStatus(d.pop("to"))

        _from_ = d.pop("from", UNSET)
        from_: OrderStatus | Unset
        if isinstance(_from_, Unset):
            from_ = UNSET
        else:
            from_ = OrderStatus(_from_)

        order_event = cls(
            at=at,
            cause=cause,
            to=to,
            from_=from_,
        )

        order_event.additional_properties = d
        return order_event

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
