from enum import StrEnum


class SpaceSort(StrEnum):
    NEWEST = "newest"
    POPULAR = "popular"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"

    def __str__(self) -> str:
        return str(self.value)
