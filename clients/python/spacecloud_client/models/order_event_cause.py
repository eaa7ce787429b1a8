from enum import StrEnum


class OrderEventCause(StrEnum):
    BOOKED = "booked"
    CANCELED_BY_GUEST = "canceled_by_guest"
    HOLD_EXPIRED = "hold_expired"
    INSUFFICIENT_POINTS = "insufficient_points"
    PAYMENT_REQUESTED = "payment_requested"
    PAYMENT_SETTLED = "payment_settled"
    SEED = "seed"

    def __str__(self) -> str:
        return str(self.value)
