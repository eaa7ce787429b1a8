from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="District")


@_attrs_define
class District:
    """A district of Seoul with its centre.

    Attributes:
        id (int):
        latitude (float):
        longitude (float):
        name (str):
    """

    id: int
    latitude: float
    longitude: float
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        latitude = self.latitude

        longitude = self.longitude

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "latitude": latitude,
                "longitude": longitude,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        latitude = d.pop("latitude")

        longitude = d.pop("longitude")

        name = d.pop("name")

        district = cls(
            id=id,
            latitude=latitude,
            longitude=longitude,
            name=name,
        )

        district.additional_properties = d
        return district

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
