from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.booker import Booker


T = TypeVar("T", bound="OrderRequest")


@_attrs_define
class OrderRequest:
    """
    Attributes:
        booker (Booker): The person the host should expect, as the guest typed it.
        date (datetime.date): The day booked (YYYY-MM-DD, business time zone): today up to 365 days ahead.
        headcount (int): Within the space's min_count..=max_count.
        option_id (int):
        space_id (int):
        end_hour (int | Unset): For an `hourly` option only: the hour the booking ends (1–24); at least `min_hours`
            after `start_hour`, inside the opening hours.
        start_hour (int | Unset): For an `hourly` option only: the first hour booked (0–23); the hours run to
            `end_hour`.
    """

    booker: Booker
    date: datetime.date
    headcount: int
    option_id: int
    space_id: int
    end_hour: int | Unset = UNSET
    start_hour: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        booker = self.booker.to_dict()

        date = self.date.isoformat()

        headcount = self.headcount

        option_id = self.option_id

        space_id = self.space_id

        end_hour = self.end_hour

        start_hour = self.start_hour

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "booker": booker,
                "date": date,
                "headcount": headcount,
                "option_id": option_id,
                "space_id": space_id,
            }
        )
        if end_hour is not UNSET:
            field_dict["end_hour"] = end_hour
        if start_hour is not UNSET:
            field_dict["start_hour"] = start_hour

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.booker import Booker  # noqa: PLC0415

        d = dict(src_dict)
        booker = Booker.from_dict(d.pop("booker"))

        date = datetime.date.fromisoformat(d.pop("date"))

        headcount = d.pop("headcount")

        option_id = d.pop("option_id")

        space_id = d.pop("space_id")

        end_hour = d.pop("end_hour", UNSET)

        start_hour = d.pop("start_hour", UNSET)

        order_request = cls(
            booker=booker,
            date=date,
            headcount=headcount,
            option_id=option_id,
            space_id=space_id,
            end_hour=end_hour,
            start_hour=start_hour,
        )

        order_request.additional_properties = d
        return order_request

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
