from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.refund_policy import RefundPolicy
from ..types import UNSET, Unset

T = TypeVar("T", bound="SpaceChanges")


@_attrs_define
class SpaceChanges:
    """Fields of a space to change; absent ones stay. Prices set or change a slot's price (a slot
    cannot be withdrawn here: its orders refer to it).

        Attributes:
            address (str | Unset):
            category_id (int | Unset):
            close_hour (int | Unset):
            description (str | Unset):
            district_id (int | Unset):
            facility_id (list[int] | Unset): Replaces the space's facilities.
            instant_booking (bool | Unset): False: the host approves each booking paid from now on.
            latitude (float | Unset):
            longitude (float | Unset):
            max_count (int | Unset):
            min_count (int | Unset):
            min_hours (int | Unset):
            open_hour (int | Unset):
            price_all (int | Unset):
            price_day (int | Unset):
            price_hour (int | Unset): Sets (or adds) the hourly option's price per hour.
            price_night (int | Unset):
            refund_policy (RefundPolicy | Unset): A space's cancellation policy (default `flexible`), a fixed schedule of
                tiers; an order is
                refunded by the policy its space had when it was placed. `flexible`: 1 day or more before
                100 %, on the day 0 %. `standard`: 7+ days 100 %, 3–6 days 50 %, 1–2 days 20 %, on the day
                0 %. `strict`: 8+ days 100 %, then 90, 80, 70, 60 and 50 % from 7 down to 3 days, fewer 0 %.
            sub_title (str | Unset):
            title (str | Unset):
    """

    address: str | Unset = UNSET
    category_id: int | Unset = UNSET
    close_hour: int | Unset = UNSET
    description: str | Unset = UNSET
    district_id: int | Unset = UNSET
    facility_id: list[int] | Unset = UNSET
    instant_booking: bool | Unset = UNSET
    latitude: float | Unset = UNSET
    longitude: float | Unset = UNSET
    max_count: int | Unset = UNSET
    min_count: int | Unset = UNSET
    min_hours: int | Unset = UNSET
    open_hour: int | Unset = UNSET
    price_all: int | Unset = UNSET
    price_day: int | Unset = UNSET
    price_hour: int | Unset = UNSET
    price_night: int | Unset = UNSET
    refund_policy: RefundPolicy | Unset = UNSET
    sub_title: str | Unset = UNSET
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        category_id = self.category_id

        close_hour = self.close_hour

        description = self.description

        district_id = self.district_id

        facility_id: list[int] | Unset = UNSET
        if not isinstance(self.facility_id, Unset):
            facility_id = self.facility_id

        instant_booking = self.instant_booking

        latitude = self.latitude

        longitude = self.longitude

        max_count = self.max_count

        min_count = self.min_count

        min_hours = self.min_hours

        open_hour = self.open_hour

        price_all = self.price_all

        price_day = self.price_day

        price_hour = self.price_hour

        price_night = self.price_night

        refund_policy: str | Unset = UNSET
        if not isinstance(self.refund_policy, Unset):
            refund_policy = self.refund_policy.value

        sub_title = self.sub_title

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if address is not UNSET:
            field_dict["address"] = address
        if category_id is not UNSET:
            field_dict["category_id"] = category_id
        if close_hour is not UNSET:
            field_dict["close_hour"] = close_hour
        if description is not UNSET:
            field_dict["description"] = description
        if district_id is not UNSET:
            field_dict["district_id"] = district_id
        if facility_id is not UNSET:
            field_dict["facility_id"] = facility_id
        if instant_booking is not UNSET:
            field_dict["instant_booking"] = instant_booking
        if latitude is not UNSET:
            field_dict["latitude"] = latitude
        if longitude is not UNSET:
            field_dict["longitude"] = longitude
        if max_count is not UNSET:
            field_dict["max_count"] = max_count
        if min_count is not UNSET:
            field_dict["min_count"] = min_count
        if min_hours is not UNSET:
            field_dict["min_hours"] = min_hours
        if open_hour is not UNSET:
            field_dict["open_hour"] = open_hour
        if price_all is not UNSET:
            field_dict["price_all"] = price_all
        if price_day is not UNSET:
            field_dict["price_day"] = price_day
        if price_hour is not UNSET:
            field_dict["price_hour"] = price_hour
        if price_night is not UNSET:
            field_dict["price_night"] = price_night
        if refund_policy is not UNSET:
            field_dict["refund_policy"] = refund_policy
        if sub_title is not UNSET:
            field_dict["sub_title"] = sub_title
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        address = d.pop("address", UNSET)

        category_id = d.pop("category_id", UNSET)

        close_hour = d.pop("close_hour", UNSET)

        description = d.pop("description", UNSET)

        district_id = d.pop("district_id", UNSET)

        facility_id = cast(list[int], d.pop("facility_id", UNSET))

        instant_booking = d.pop("instant_booking", UNSET)

        latitude = d.pop("latitude", UNSET)

        longitude = d.pop("longitude", UNSET)

        max_count = d.pop("max_count", UNSET)

        min_count = d.pop("min_count", UNSET)

        min_hours = d.pop("min_hours", UNSET)

        open_hour = d.pop("open_hour", UNSET)

        price_all = d.pop("price_all", UNSET)

        price_day = d.pop("price_day", UNSET)

        price_hour = d.pop("price_hour", UNSET)

        price_night = d.pop("price_night", UNSET)

        _refund_policy = d.pop("refund_policy", UNSET)
        refund_policy: RefundPolicy | Unset
        if isinstance(_refund_policy, Unset):
            refund_policy = UNSET
        else:
            refund_policy = RefundPolicy(_refund_policy)

        sub_title = d.pop("sub_title", UNSET)

        title = d.pop("title", UNSET)

        space_changes = cls(
            address=address,
            category_id=category_id,
            close_hour=close_hour,
            description=description,
            district_id=district_id,
            facility_id=facility_id,
            instant_booking=instant_booking,
            latitude=latitude,
            longitude=longitude,
            max_count=max_count,
            min_count=min_count,
            min_hours=min_hours,
            open_hour=open_hour,
            price_all=price_all,
            price_day=price_day,
            price_hour=price_hour,
            price_night=price_night,
            refund_policy=refund_policy,
            sub_title=sub_title,
            title=title,
        )

        space_changes.additional_properties = d
        return space_changes

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
