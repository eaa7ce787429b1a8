from enum import StrEnum


class OrderEventCause(StrEnum):
    APPROVAL_TIMEOUT = "approval_timeout"
    APPROVED_BY_HOST = "approved_by_host"
    BOOKED = "booked"
    CANCELED_BY_GUEST = "canceled_by_guest"
    DECLINED_BY_HOST = "declined_by_host"
    HOLD_EXPIRED = "hold_expired"
    INSUFFICIENT_POINTS = "insufficient_points"
    PAYMENT_REQUESTED = "payment_requested"
    PAYMENT_SETTLED = "payment_settled"
    SEED = "seed"

    def __str__(self) -> str:
        return str(self.value)
