from enum import StrEnum


class RefundPolicy(StrEnum):
    FLEXIBLE = "flexible"
    STANDARD = "standard"
    STRICT = "strict"

    def __str__(self) -> str:
        return str(self.value)
