from enum import StrEnum


class Slot(StrEnum):
    ALL = "all"
    DAY = "day"
    NIGHT = "night"

    def __str__(self) -> str:
        return str(self.value)
