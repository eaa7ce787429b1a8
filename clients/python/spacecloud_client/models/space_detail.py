from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.facility import Facility
    from ..models.host import Host
    from ..models.named_ref import NamedRef
    from ..models.refund_policy_detail import RefundPolicyDetail
    from ..models.space_image import SpaceImage
    from ..models.space_option import SpaceOption


T = TypeVar("T", bound="SpaceDetail")


@_attrs_define
class SpaceDetail:
    """
    Attributes:
        address (str):
        category (NamedRef): An id with its display name.
        close_hour (int): When an hourly booking must have ended (1–24).
        description (str):
        district (NamedRef): An id with its display name.
        facilities (list[Facility]):
        host (Host):
        id (int):
        images (list[SpaceImage]): Ready images only, in the host's order.
        instant_booking (bool): False: the host approves each paid booking (`awaiting_approval`) before it is confirmed.
        latitude (float | None):
        like_count (int):
        longitude (float | None):
        max_count (int):
        min_count (int):
        min_hours (int): The fewest hours of one hourly booking.
        min_price (int): The cheapest offered slot's price, in won.
        open_hour (int): When an hourly booking may start (0–23, business time zone).
        options (list[SpaceOption]): The packages and the hourly option offered; an `hourly` option's price is per hour.
        rating (float | None): Average grade, one decimal; null until the first review.
        refund_policy (RefundPolicyDetail): A cancellation policy and its schedule.
        review_count (int):
        sub_title (str):
        thumbnail_url (None | str): The first ready image's thumbnail; null while the space has none.
        title (str):
        liked (bool | Unset): Whether the caller likes the space; present only for an authenticated caller.
    """

    address: str
    category: NamedRef
    close_hour: int
    description: str
    district: NamedRef
    facilities: list[Facility]
    host: Host
    id: int
    images: list[SpaceImage]
    instant_booking: bool
    latitude: float | None
    like_count: int
    longitude: float | None
    max_count: int
    min_count: int
    min_hours: int
    min_price: int
    open_hour: int
    options: list[SpaceOption]
    rating: float | None
    refund_policy: RefundPolicyDetail
    review_count: int
    sub_title: str
    thumbnail_url: None | str
    title: str
    liked: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        category = self.category.to_dict()

        close_hour = self.close_hour

        description = self.description

        district = self.district.to_dict()

        facilities = []
        for facilities_item_data in self.facilities:
            facilities_item = facilities_item_data.to_dict()
            facilities.append(facilities_item)

        host = self.host.to_dict()

        id = self.id

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        instant_booking = self.instant_booking

        latitude: float | None
        latitude = self.latitude

        like_count = self.like_count

        longitude: float | None
        longitude = self.longitude

        max_count = self.max_count

        min_count = self.min_count

        min_hours = self.min_hours

        min_price = self.min_price

        open_hour = self.open_hour

        options = []
        for options_item_data in self.options:
            options_item = options_item_data.to_dict()
            options.append(options_item)

        rating: float | None
        rating = self.rating

        refund_policy = self.refund_policy.to_dict()

        review_count = self.review_count

        sub_title = self.sub_title

        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        title = self.title

        liked = self.liked

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "category": category,
                "close_hour": close_hour,
                "description": description,
                "district": district,
                "facilities": facilities,
                "host": host,
                "id": id,
                "images": images,
                "instant_booking": instant_booking,
                "latitude": latitude,
                "like_count": like_count,
                "longitude": longitude,
                "max_count": max_count,
                "min_count": min_count,
                "min_hours": min_hours,
                "min_price": min_price,
                "open_hour": open_hour,
                "options": options,
                "rating": rating,
                "refund_policy": refund_policy,
                "review_count": review_count,
                "sub_title": sub_title,
                "thumbnail_url": thumbnail_url,
                "title": title,
            }
        )
        if liked is not UNSET:
            field_dict["liked"] = liked

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.facility import Facility  # noqa: PLC0415
        from ..models.host import Host  # noqa: PLC0415
        from ..models.named_ref import NamedRef  # noqa: PLC0415
        from ..models.refund_policy_detail import RefundPolicyDetail  # noqa: PLC0415
        from ..models.space_image import SpaceImage  # noqa: PLC0415
        from ..models.space_option import SpaceOption  # noqa: PLC0415

        d = dict(src_dict)
        address = d.pop("address")

        category = NamedRef.from_dict(d.pop("category"))

        close_hour = d.pop("close_hour")

        description = d.pop("description")

        district = NamedRef.from_dict(d.pop("district"))

        facilities = []
        _facilities = d.pop("facilities")
        for facilities_item_data in _facilities:
            facilities_item = Facility.from_dict(facilities_item_data)

            facilities.append(facilities_item)

        host = Host.from_dict(d.pop("host"))

        id = d.pop("id")

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = SpaceImage.from_dict(images_item_data)

            images.append(images_item)

        instant_booking = d.pop("instant_booking")

        def _parse_latitude(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        latitude = _parse_latitude(d.pop("latitude"))

        like_count = d.pop("like_count")

        def _parse_longitude(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        longitude = _parse_longitude(d.pop("longitude"))

        max_count = d.pop("max_count")

        min_count = d.pop("min_count")

        min_hours = d.pop("min_hours")

        min_price = d.pop("min_price")

        open_hour = d.pop("open_hour")

        options = []
        _options = d.pop("options")
        for options_item_data in _options:
            options_item = SpaceOption.from_dict(options_item_data)

            options.append(options_item)

        def _parse_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        rating = _parse_rating(d.pop("rating"))

        refund_policy = RefundPolicyDetail.from_dict(d.pop("refund_policy"))

        review_count = d.pop("review_count")

        sub_title = d.pop("sub_title")

        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnail_url"))

        title = d.pop("title")

        liked = d.pop("liked", UNSET)

        space_detail = cls(
            address=address,
            category=category,
            close_hour=close_hour,
            description=description,
            district=district,
            facilities=facilities,
            host=host,
            id=id,
            images=images,
            instant_booking=instant_booking,
            latitude=latitude,
            like_count=like_count,
            longitude=longitude,
            max_count=max_count,
            min_count=min_count,
            min_hours=min_hours,
            min_price=min_price,
            open_hour=open_hour,
            options=options,
            rating=rating,
            refund_policy=refund_policy,
            review_count=review_count,
            sub_title=sub_title,
            thumbnail_url=thumbnail_url,
            title=title,
            liked=liked,
        )

        space_detail.additional_properties = d
        return space_detail

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
