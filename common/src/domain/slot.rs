use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// The half of a day an order blocks. The database's `slot_claims` rows are of this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfDay {
    Day,
    Night,
}

impl HalfDay {
    pub const ALL: [HalfDay; 2] = [HalfDay::Day, HalfDay::Night];
    const EVERY: [HalfDay; 2] = Self::ALL;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Night => "night",
        }
    }
}

/// What a guest books and a host prices: the day, the night, or both (`all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Day,
    Night,
    All,
}

impl Slot {
    pub const EVERY: [Slot; 3] = [Slot::Day, Slot::Night, Slot::All];

    /// The half-days a booking of this slot blocks; the one place that says `all` is both.
    pub fn claims(self) -> &'static [HalfDay] {
        match self {
            Self::Day => &[HalfDay::Day],
            Self::Night => &[HalfDay::Night],
            Self::All => &HalfDay::ALL,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Night => "night",
            Self::All => "all",
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a slot (day, night, all)")]
pub struct UnknownSlot(String);

impl FromStr for Slot {
    type Err = UnknownSlot;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "day" => Ok(Self::Day),
            "night" => Ok(Self::Night),
            "all" => Ok(Self::All),
            other => Err(UnknownSlot(other.to_owned())),
        }
    }
}

super::column::named_enum!(HalfDay, "half-day");
super::column::text_column!(HalfDay, Slot);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_claims_both_halves_and_the_others_one() {
        assert_eq!(Slot::All.claims(), &[HalfDay::Day, HalfDay::Night]);
        assert_eq!(Slot::Day.claims(), &[HalfDay::Day]);
        assert_eq!(Slot::Night.claims(), &[HalfDay::Night]);
    }

    #[test]
    fn slots_round_trip_through_text() {
        for slot in Slot::EVERY {
            assert_eq!(slot.as_str().parse::<Slot>().unwrap(), slot);
        }
        assert!("evening".parse::<Slot>().is_err());
    }
}
