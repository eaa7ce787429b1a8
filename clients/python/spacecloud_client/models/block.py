from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Block")


@_attrs_define
class Block:
    """Hours of one date on which the space cannot be booked.

    Attributes:
        date (datetime.date):
        end_hour (int): The hour the block ends (exclusive).
        id (int):
        reason (str):
        start_hour (int): The first blocked hour (hour `h` is `h:00` to `h+1:00`, business time zone).
    """

    date: datetime.date
    end_hour: int
    id: int
    reason: str
    start_hour: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date.isoformat()

        end_hour = self.end_hour

        id = self.id

        reason = self.reason

        start_hour = self.start_hour

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "end_hour": end_hour,
                "id": id,
                "reason": reason,
                "start_hour": start_hour,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))

        end_hour = d.pop("end_hour")

        id = d.pop("id")

        reason = d.pop("reason")

        start_hour = d.pop("start_hour")

        block = cls(
            date=date,
            end_hour=end_hour,
            id=id,
            reason=reason,
            start_hour=start_hour,
        )

        block.additional_properties = d
        return block

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
