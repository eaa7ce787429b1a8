from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.refund_policy import RefundPolicy
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="CreateSpaceBody")


@_attrs_define
class CreateSpaceBody:
    """
    Attributes:
        address (str):
        category_id (int):
        district_id (int):
        facility_id (list[int]): Repeatable.
        images (list[File]): Up to 10 JPEG, PNG or WebP files of at most 10 MiB each, judged by content.
        max_count (int):
        title (str): 1–100 characters.
        close_hour (int | Unset): When hourly bookings must have ended, 1–24, after `open_hour` (default 24).
        description (str | Unset):
        instant_booking (bool | Unset): `false`: you approve each booking before it is confirmed (default `true`).
            Either
            letter case is read.
        latitude (float | Unset):
        longitude (float | Unset):
        min_count (int | Unset): Default 1.
        min_hours (int | Unset): The fewest hours of one hourly booking (default 1).
        open_hour (int | Unset): When hourly bookings may start, 0–23 (default 0).
        price_all (int | Unset):
        price_day (int | Unset):
        price_hour (int | Unset): Offers the `hourly` option at this price per hour.
        price_night (int | Unset):
        refund_policy (RefundPolicy | Unset): A space's cancellation policy (default `flexible`), a fixed schedule of
            tiers; an order is
            refunded by the policy its space had when it was placed. `flexible`: 1 day or more before
            100 %, on the day 0 %. `standard`: 7+ days 100 %, 3–6 days 50 %, 1–2 days 20 %, on the day
            0 %. `strict`: 8+ days 100 %, then 90, 80, 70, 60 and 50 % from 7 down to 3 days, fewer 0 %.
        sub_title (str | Unset):
    """

    address: str
    category_id: int
    district_id: int
    facility_id: list[int]
    images: list[File]
    max_count: int
    title: str
    close_hour: int | Unset = UNSET
    description: str | Unset = UNSET
    instant_booking: bool | Unset = UNSET
    latitude: float | Unset = UNSET
    longitude: float | Unset = UNSET
    min_count: int | Unset = UNSET
    min_hours: int | Unset = UNSET
    open_hour: int | Unset = UNSET
    price_all: int | Unset = UNSET
    price_day: int | Unset = UNSET
    price_hour: int | Unset = UNSET
    price_night: int | Unset = UNSET
    refund_policy: RefundPolicy | Unset = UNSET
    sub_title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        category_id = self.category_id

        district_id = self.district_id

        facility_id = self.facility_id

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_tuple()

            images.append(images_item)

        max_count = self.max_count

        title = self.title

        close_hour = self.close_hour

        description = self.description

        instant_booking = self.instant_booking

        latitude = self.latitude

        longitude = self.longitude

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "category_id": category_id,
                "district_id": district_id,
                "facility_id": facility_id,
                "images": images,
                "max_count": max_count,
                "title": title,
            }
        )
        if close_hour is not UNSET:
            field_dict["close_hour"] = close_hour
        if description is not UNSET:
            field_dict["description"] = description
        if instant_booking is not UNSET:
            field_dict["instant_booking"] = instant_booking
        if latitude is not UNSET:
            field_dict["latitude"] = latitude
        if longitude is not UNSET:
            field_dict["longitude"] = longitude
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

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("address", (None, str(self.address).encode(), "text/plain")))

        files.append(("category_id", (None, str(self.category_id).encode(), "text/plain")))

        files.append(("district_id", (None, str(self.district_id).encode(), "text/plain")))

        for facility_id_item_element in self.facility_id:
            files.append(("facility_id", (None, str(facility_id_item_element).encode(), "text/plain")))

        for images_item_element in self.images:
            files.append(("images", images_item_element.to_tuple()))

        files.append(("max_count", (None, str(self.max_count).encode(), "text/plain")))

        files.append(("title", (None, str(self.title).encode(), "text/plain")))

        if not isinstance(self.close_hour, Unset):
            files.append(("close_hour", (None, str(self.close_hour).encode(), "text/plain")))

        if not isinstance(self.description, Unset):
            files.append(("description", (None, str(self.description).encode(), "text/plain")))

        if not isinstance(self.instant_booking, Unset):
            files.append(("instant_booking", (None, str(self.instant_booking).encode(), "text/plain")))

        if not isinstance(self.latitude, Unset):
            files.append(("latitude", (None, str(self.latitude).encode(), "text/plain")))

        if not isinstance(self.longitude, Unset):
            files.append(("longitude", (None, str(self.longitude).encode(), "text/plain")))

        if not isinstance(self.min_count, Unset):
            files.append(("min_count", (None, str(self.min_count).encode(), "text/plain")))

        if not isinstance(self.min_hours, Unset):
            files.append(("min_hours", (None, str(self.min_hours).encode(), "text/plain")))

        if not isinstance(self.open_hour, Unset):
            files.append(("open_hour", (None, str(self.open_hour).encode(), "text/plain")))

        if not isinstance(self.price_all, Unset):
            files.append(("price_all", (None, str(self.price_all).encode(), "text/plain")))

        if not isinstance(self.price_day, Unset):
            files.append(("price_day", (None, str(self.price_day).encode(), "text/plain")))

        if not isinstance(self.price_hour, Unset):
            files.append(("price_hour", (None, str(self.price_hour).encode(), "text/plain")))

        if not isinstance(self.price_night, Unset):
            files.append(("price_night", (None, str(self.price_night).encode(), "text/plain")))

        if not isinstance(self.refund_policy, Unset):
            files.append(("refund_policy", (None, str(self.refund_policy.value).encode(), "text/plain")))

        if not isinstance(self.sub_title, Unset):
            files.append(("sub_title", (None, str(self.sub_title).encode(), "text/plain")))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        address = d.pop("address")

        category_id = d.pop("category_id")

        district_id = d.pop("district_id")

        facility_id = cast(list[int], d.pop("facility_id"))

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = File(payload=BytesIO(images_item_data))

            images.append(images_item)

        max_count = d.pop("max_count")

        title = d.pop("title")

        close_hour = d.pop("close_hour", UNSET)

        description = d.pop("description", UNSET)

        instant_booking = d.pop("instant_booking", UNSET)

        latitude = d.pop("latitude", UNSET)

        longitude = d.pop("longitude", UNSET)

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

        create_space_body = cls(
            address=address,
            category_id=category_id,
            district_id=district_id,
            facility_id=facility_id,
            images=images,
            max_count=max_count,
            title=title,
            close_hour=close_hour,
            description=description,
            instant_booking=instant_booking,
            latitude=latitude,
            longitude=longitude,
            min_count=min_count,
            min_hours=min_hours,
            open_hour=open_hour,
            price_all=price_all,
            price_day=price_day,
            price_hour=price_hour,
            price_night=price_night,
            refund_policy=refund_policy,
            sub_title=sub_title,
        )

        create_space_body.additional_properties = d
        return create_space_body

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
