from enum import StrEnum


class FailureReason(StrEnum):
    INSUFFICIENT_POINTS = "insufficient_points"

    def __str__(self) -> str:
        return str(self.value)
