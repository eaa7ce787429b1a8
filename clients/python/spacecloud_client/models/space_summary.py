from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.named_ref import NamedRef


T = TypeVar("T", bound="SpaceSummary")


@_attrs_define
class SpaceSummary:
    """
    Attributes:
        address (str):
        category (NamedRef): An id with its display name.
        district (NamedRef): An id with its display name.
        id (int):
        like_count (int):
        max_count (int):
        min_count (int):
        min_price (int): The cheapest offered slot's price, in won.
        rating (float | None): Average grade, one decimal; null until the first review.
        review_count (int):
        sub_title (str):
        thumbnail_url (None | str): The first ready image's thumbnail; null while the space has none.
        title (str):
    """

    address: str
    category: NamedRef
    district: NamedRef
    id: int
    like_count: int
    max_count: int
    min_count: int
    min_price: int
    rating: float | None
    review_count: int
    sub_title: str
    thumbnail_url: None | str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        category = self.category.to_dict()

        district = self.district.to_dict()

        id = self.id

        like_count = self.like_count

        max_count = self.max_count

        min_count = self.min_count

        min_price = self.min_price

        rating: float | None
        rating = self.rating

        review_count = self.review_count

        sub_title = self.sub_title

        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "category": category,
                "district": district,
                "id": id,
                "like_count": like_count,
                "max_count": max_count,
                "min_count": min_count,
                "min_price": min_price,
                "rating": rating,
                "review_count": review_count,
                "sub_title": sub_title,
                "thumbnail_url": thumbnail_url,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.named_ref import NamedRef  # noqa: PLC0415

        d = dict(src_dict)
        address = d.pop("address")

        category = NamedRef.from_dict(d.pop("category"))

        district = NamedRef.from_dict(d.pop("district"))

        id = d.pop("id")

        like_count = d.pop("like_count")

        max_count = d.pop("max_count")

        min_count = d.pop("min_count")

        min_price = d.pop("min_price")

        def _parse_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        rating = _parse_rating(d.pop("rating"))

        review_count = d.pop("review_count")

        sub_title = d.pop("sub_title")

        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnail_url"))

        title = d.pop("title")

        space_summary = cls(
            address=address,
            category=category,
            district=district,
            id=id,
            like_count=like_count,
            max_count=max_count,
            min_count=min_count,
            min_price=min_price,
            rating=rating,
            review_count=review_count,
            sub_title=sub_title,
            thumbnail_url=thumbnail_url,
            title=title,
        )

        space_summary.additional_properties = d
        return space_summary

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
