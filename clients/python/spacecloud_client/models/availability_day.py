from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.slot_availability import SlotAvailability


T = TypeVar("T", bound="AvailabilityDay")


@_attrs_define
class AvailabilityDay:
    """
    Attributes:
        date (datetime.date):
        free_hours (list[int]): The hours an hourly booking can cover that day: inside the opening hours, not started,
            not booked or blocked (hour `h` is `h:00` to `h+1:00`). Empty without an hourly option.
        slots (SlotAvailability): Per option, whether it can be booked now.
    """

    date: datetime.date
    free_hours: list[int]
    slots: SlotAvailability
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        free_hours = self.free_hours

        slots = self.slots.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "free_hours": free_hours,
                "slots": slots,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.slot_availability import SlotAvailability  # noqa: PLC0415

        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        free_hours = cast(list[int], d.pop("free_hours"))

        slots = SlotAvailability.from_dict(d.pop("slots"))

        availability_day = cls(
            date=date,
            free_hours=free_hours,
            slots=slots,
        )

        availability_day.additional_properties = d
        return availability_day

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
