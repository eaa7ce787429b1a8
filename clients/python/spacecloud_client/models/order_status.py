from enum import StrEnum


class OrderStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    CANCELED = "canceled"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    FAILED = "failed"
    PAYMENT_PENDING = "payment_pending"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
