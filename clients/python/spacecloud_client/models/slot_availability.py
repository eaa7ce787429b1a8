from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SlotAvailability")


@_attrs_define
class SlotAvailability:
    """Per option, whether it can be booked now.

    Attributes:
        all_ (bool):
        day (bool):
        hourly (bool): The hourly option has `min_hours` consecutive hours in `free_hours`.
        night (bool):
    """

    all_: bool
    day: bool
    hourly: bool
    night: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        all_ = self.all_

        day = self.day

        hourly = self.hourly

        night = self.night

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "all": all_,
                "day": day,
                "hourly": hourly,
                "night": night,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        all_ = d.pop("all")

        day = d.pop("day")

        hourly = d.pop("hourly")

        night = d.pop("night")

        slot_availability = cls(
            all_=all_,
            day=day,
            hourly=hourly,
            night=night,
        )

        slot_availability.additional_properties = d
        return slot_availability

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
