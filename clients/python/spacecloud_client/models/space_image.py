from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.image_status import ImageStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="SpaceImage")


@_attrs_define
class SpaceImage:
    """
    Attributes:
        height (int | None):
        id (int):
        thumbnail_url (None | str):
        url (None | str): Web-sized version (longest side 1600 px); null until the image is ready.
        width (int | None):
        failure_reason (str | Unset): Why processing failed, for a `failed` image.
        status (ImageStatus | Unset): Where a photo is in processing: `processing` until the worker stored its
            renditions, then
            `ready`, or `failed` (with a reason the host reads).
    """

    height: int | None
    id: int
    thumbnail_url: None | str
    url: None | str
    width: int | None
    failure_reason: str | Unset = UNSET
    status: ImageStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        height: int | None
        height = self.height

        id = self.id

        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        url: None | str
        url = self.url

        width: int | None
        width = self.width

        failure_reason = self.failure_reason

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "id": id,
                "thumbnail_url": thumbnail_url,
                "url": url,
                "width": width,
            }
        )
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_height(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        height = _parse_height(d.pop("height"))

        id = d.pop("id")

        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnail_url"))

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        def _parse_width(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        width = _parse_width(d.pop("width"))

        failure_reason = d.pop("failure_reason", UNSET)

        _status = d.pop("status", UNSET)
        status: ImageStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = ImageStatus(_status)

        space_image = cls(
            height=height,
            id=id,
            thumbnail_url=thumbnail_url,
            url=url,
            width=width,
            failure_reason=failure_reason,
            status=status,
        )

        space_image.additional_properties = d
        return space_image

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
