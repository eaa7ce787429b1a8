from enum import StrEnum


class OrderStatus(StrEnum):
    CANCELED = "canceled"
    COMPLETED = "completed"
    EXPIRED = "expired"
    FAILED = "failed"
    PAYMENT_PENDING = "payment_pending"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
