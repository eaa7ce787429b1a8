from enum import StrEnum


class Slot(StrEnum):
    ALL = "all"
    DAY = "day"
    HOURLY = "hourly"
    NIGHT = "night"

    def __str__(self) -> str:
        return str(self.value)
