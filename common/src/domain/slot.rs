use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A run of whole hours of one day, `[start, end)`: hour `h` is `[h:00, h+1:00)` in the
/// business time zone, 0–23. What an order (or a host block) claims, one `hour_claims` row per
/// hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hours {
    start: u8,
    end: u8,
}

impl Hours {
    pub const DAY_END: u8 = 24;

    /// `None` unless `start < end <= 24`.
    pub fn new(start: u8, end: u8) -> Option<Self> {
        (start < end && end <= Self::DAY_END).then_some(Self { start, end })
    }

    /// 0–24: a space with no opening hours of its own.
    pub const WHOLE_DAY: Hours = Hours {
        start: 0,
        end: Self::DAY_END,
    };

    /// The hours a stored row covers; a row that covers none (which the schema's CHECKs
    /// forbid) is a decoding error, not a panic.
    pub fn of_row(start: u8, end: u8) -> Result<Self, crate::error::AppError> {
        Self::new(start, end).ok_or_else(|| {
            crate::error::AppError::Database(sqlx::Error::Decode(
                format!("a row covers no hours ({start}..{end})").into(),
            ))
        })
    }

    /// Opening hours as stored, the whole day if they are not a run (the schema forbids it).
    pub fn opening(open: u8, close: u8) -> Self {
        Self::new(open, close).unwrap_or(Self::WHOLE_DAY)
    }

    pub fn start(self) -> u8 {
        self.start
    }

    pub fn end(self) -> u8 {
        self.end
    }

    pub fn len(self) -> u8 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, hour: u8) -> bool {
        (self.start..self.end).contains(&hour)
    }

    pub fn overlaps(self, other: Hours) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn iter(self) -> impl Iterator<Item = u8> {
        self.start..self.end
    }
}

/// What a guest books and a host prices: a package (the day, the night, or both: `all`), or
/// a run of hours (`hourly`, priced per hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Day,
    Night,
    All,
    Hourly,
}

impl Slot {
    pub const EVERY: [Slot; 4] = [Slot::Day, Slot::Night, Slot::All, Slot::Hourly];
    pub const PACKAGES: [Slot; 3] = [Slot::Day, Slot::Night, Slot::All];

    /// The hours a booking of this package covers: `day` 9–18, `night` 18–24, `all` both;
    /// the one place that says so. `None` for `hourly`, whose hours the booking names.
    pub fn package_hours(self) -> Option<Hours> {
        let (start, end) = match self {
            Self::Day => (9, 18),
            Self::Night => (18, 24),
            Self::All => (9, 24),
            Self::Hourly => return None,
        };
        Some(Hours { start, end })
    }

    /// What a booking of this option for `hours` costs at `price`: a package its price, an
    /// hourly booking its hours at the hourly price.
    pub fn cost(self, price: i64, hours: u8) -> i64 {
        match self {
            Self::Hourly => price * i64::from(hours),
            _ => price,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Night => "night",
            Self::All => "all",
            Self::Hourly => "hourly",
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a slot (day, night, all, hourly)")]
pub struct UnknownSlot(String);

impl FromStr for Slot {
    type Err = UnknownSlot;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "day" => Ok(Self::Day),
            "night" => Ok(Self::Night),
            "all" => Ok(Self::All),
            "hourly" => Ok(Self::Hourly),
            other => Err(UnknownSlot(other.to_owned())),
        }
    }
}

super::column::text_column!(Slot);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_fixed_hour_ranges_and_all_is_day_and_night() {
        let hours = |slot: Slot| slot.package_hours().unwrap();
        assert_eq!(hours(Slot::Day), Hours::new(9, 18).unwrap());
        assert_eq!(hours(Slot::Night), Hours::new(18, 24).unwrap());
        assert_eq!(Slot::Hourly.package_hours(), None);
        let all: Vec<u8> = hours(Slot::All).iter().collect();
        let halves: Vec<u8> = hours(Slot::Day)
            .iter()
            .chain(hours(Slot::Night).iter())
            .collect();
        assert_eq!(all, halves);
        assert!(!hours(Slot::Day).overlaps(hours(Slot::Night)));
        assert!(hours(Slot::All).overlaps(hours(Slot::Night)));
    }

    #[test]
    fn a_package_costs_its_price_and_hours_cost_each() {
        assert_eq!(Slot::Day.cost(30_000, 9), 30_000);
        assert_eq!(Slot::Hourly.cost(10_000, 3), 30_000);
        assert_eq!(Hours::opening(20, 20), Hours::WHOLE_DAY);
        assert!(Hours::of_row(14, 14).is_err());
    }

    #[test]
    fn hours_are_a_nonempty_run_within_the_day() {
        assert!(Hours::new(10, 10).is_none());
        assert!(Hours::new(12, 11).is_none());
        assert!(Hours::new(20, 25).is_none());
        assert_eq!(Hours::new(0, 24).unwrap().len(), 24);
        assert!(Hours::new(14, 17).unwrap().contains(16));
        assert!(!Hours::new(14, 17).unwrap().contains(17));
    }

    #[test]
    fn slots_round_trip_through_text() {
        for slot in Slot::EVERY {
            assert_eq!(slot.as_str().parse::<Slot>().unwrap(), slot);
        }
        assert!("evening".parse::<Slot>().is_err());
    }
}
