from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_kind import NotificationKind

T = TypeVar("T", bound="Notification")


@_attrs_define
class Notification:
    """
    Attributes:
        created_at (datetime.datetime):
        id (int):
        kind (NotificationKind): What a notification tells, and so to whom it goes.
        message (str): A sentence for people, naming the space, the date and the hours.
        order_id (int): The order it is about.
        read (bool):
        space_id (int): The space of that order.
    """

    created_at: datetime.datetime
    id: int
    kind: NotificationKind
    message: str
    order_id: int
    read: bool
    space_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind.value

        message = self.message

        order_id = self.order_id

        read = self.read

        space_id = self.space_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "message": message,
                "order_id": order_id,
                "read": read,
                "space_id": space_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        kind = NotificationKind(d.pop("kind"))

        message = d.pop("message")

        order_id = d.pop("order_id")

        read = d.pop("read")

        space_id = d.pop("space_id")

        notification = cls(
            created_at=created_at,
            id=id,
            kind=kind,
            message=message,
            order_id=order_id,
            read=read,
            space_id=space_id,
        )

        notification.additional_properties = d
        return notification

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
