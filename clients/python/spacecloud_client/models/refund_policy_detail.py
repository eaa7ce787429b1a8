from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.refund_policy import RefundPolicy

if TYPE_CHECKING:
    from ..models.refund_tier_detail import RefundTierDetail


T = TypeVar("T", bound="RefundPolicyDetail")


@_attrs_define
class RefundPolicyDetail:
    """A cancellation policy and its schedule.

    Attributes:
        name (RefundPolicy): A space's cancellation policy (default `flexible`), a fixed schedule of tiers; an order is
            refunded by the policy its space had when it was placed. `flexible`: 1 day or more before
            100 %, on the day 0 %. `standard`: 7+ days 100 %, 3–6 days 50 %, 1–2 days 20 %, on the day
            0 %. `strict`: 8+ days 100 %, then 90, 80, 70, 60 and 50 % from 7 down to 3 days, fewer 0 %.
        tiers (list[RefundTierDetail]): Most days first, ending with the 0 % tier: cancelling `days_before` or more
            calendar
            days (business time zone) before the booked date refunds `percent` of the amount,
            rounded down, unless an earlier tier applies.
    """

    name: RefundPolicy
    tiers: list[RefundTierDetail]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name.value

        tiers = []
        for tiers_item_data in self.tiers:
            tiers_item = tiers_item_data.to_dict()
            tiers.append(tiers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "tiers": tiers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.refund_tier_detail import RefundTierDetail  # noqa: PLC0415

        d = dict(src_dict)
        name = RefundPolicy(d.pop("name"))

        tiers = []
        _tiers = d.pop("tiers")
        for tiers_item_data in _tiers:
            tiers_item = RefundTierDetail.from_dict(tiers_item_data)

            tiers.append(tiers_item)

        refund_policy_detail = cls(
            name=name,
            tiers=tiers,
        )

        refund_policy_detail.additional_properties = d
        return refund_policy_detail

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
