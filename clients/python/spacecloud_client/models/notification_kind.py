from enum import StrEnum


class NotificationKind(StrEnum):
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_TIMEOUT = "approval_timeout"
    APPROVED = "approved"
    CANCELED_BY_GUEST = "canceled_by_guest"
    DECLINED = "declined"
    REFUNDED = "refunded"

    def __str__(self) -> str:
        return str(self.value)
