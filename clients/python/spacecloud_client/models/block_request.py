from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BlockRequest")


@_attrs_define
class BlockRequest:
    """Hours of one date closed to bookings; without hours, the whole day.

    Attributes:
        date (datetime.date):
        end_hour (int | Unset): The hour the block ends, 1–24, after `start_hour` (default 24).
        reason (str | Unset): Shown to the host only, and in the calendar feed: at most 200 characters.
        start_hour (int | Unset): First blocked hour, 0–23 (default 0).
    """

    date: datetime.date
    end_hour: int | Unset = UNSET
    reason: str | Unset = UNSET
    start_hour: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        end_hour = self.end_hour

        reason = self.reason

        start_hour = self.start_hour

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
            }
        )
        if end_hour is not UNSET:
            field_dict["end_hour"] = end_hour
        if reason is not UNSET:
            field_dict["reason"] = reason
        if start_hour is not UNSET:
            field_dict["start_hour"] = start_hour

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        end_hour = d.pop("end_hour", UNSET)

        reason = d.pop("reason", UNSET)

        start_hour = d.pop("start_hour", UNSET)

        block_request = cls(
            date=date,
            end_hour=end_hour,
            reason=reason,
            start_hour=start_hour,
        )

        block_request.additional_properties = d
        return block_request

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
