from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.token_type import TokenType

if TYPE_CHECKING:
    from ..models.me import Me


T = TypeVar("T", bound="TokenPair")


@_attrs_define
class TokenPair:
    """A fresh token pair. Send `access_token` as `Authorization: Bearer …`; trade `refresh_token`
    for a new pair at `/auth/refresh` before it expires (each refresh token works once).

        Attributes:
            access_token (str):
            created (bool): True on the user's first login.
            expires_in (int): Seconds until `access_token` expires.
            refresh_token (str):
            token_type (TokenType): How the access token is sent: `Authorization: Bearer <access_token>`.
            user (Me):
    """

    access_token: str
    created: bool
    expires_in: int
    refresh_token: str
    token_type: TokenType
    user: Me
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        created = self.created

        expires_in = self.expires_in

        refresh_token = self.refresh_token

        token_type = self.token_type.value

        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "created": created,
                "expires_in": expires_in,
                "refresh_token": refresh_token,
                "token_type": token_type,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.me import Me  # noqa: PLC0415

        d = dict(src_dict)
        access_token = d.pop("access_token")

        created = d.pop("created")

        expires_in = d.pop("expires_in")

        refresh_token = d.pop("refresh_token")

        token_type = TokenType(d.pop("token_type"))

        user = Me.from_dict(d.pop("user"))

        token_pair = cls(
            access_token=access_token,
            created=created,
            expires_in=expires_in,
            refresh_token=refresh_token,
            token_type=token_type,
            user=user,
        )

        token_pair.additional_properties = d
        return token_pair

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
