from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.reviewer import Reviewer


T = TypeVar("T", bound="Review")


@_attrs_define
class Review:
    """
    Attributes:
        content (str):
        created_at (datetime.datetime):
        grade (int):
        id (int):
        image_url (None | str):
        user (Reviewer):
    """

    content: str
    created_at: datetime.datetime
    grade: int
    id: int
    image_url: None | str
    user: Reviewer
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        created_at = self.created_at.isoformat()

        grade = self.grade

        id = self.id

        image_url: None | str
        image_url = self.image_url

        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content": content,
                "created_at": created_at,
                "grade": grade,
                "id": id,
                "image_url": image_url,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.reviewer import Reviewer  # noqa: PLC0415

        d = dict(src_dict)
        content = d.pop("content")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        grade = d.pop("grade")

        id = d.pop("id")

        def _parse_image_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        image_url = _parse_image_url(d.pop("image_url"))

        user = Reviewer.from_dict(d.pop("user"))

        review = cls(
            content=content,
            created_at=created_at,
            grade=grade,
            id=id,
            image_url=image_url,
            user=user,
        )

        review.additional_properties = d
        return review

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
