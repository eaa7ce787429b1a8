from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Booker")


@_attrs_define
class Booker:
    """The person the host should expect, as the guest typed it.

    Attributes:
        email (str):
        name (str): 1–50 characters.
        phone (str): 9–15 digits; dashes, spaces and `+` allowed.
        purpose (str | Unset): At most 200 characters.
        request (str | Unset): A note to the host, at most 1000 characters.
    """

    email: str
    name: str
    phone: str
    purpose: str | Unset = UNSET
    request: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        phone = self.phone

        purpose = self.purpose

        request = self.request

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "phone": phone,
            }
        )
        if purpose is not UNSET:
            field_dict["purpose"] = purpose
        if request is not UNSET:
            field_dict["request"] = request

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        phone = d.pop("phone")

        purpose = d.pop("purpose", UNSET)

        request = d.pop("request", UNSET)

        booker = cls(
            email=email,
            name=name,
            phone=phone,
            purpose=purpose,
            request=request,
        )

        booker.additional_properties = d
        return booker

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
