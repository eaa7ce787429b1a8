//! The instant a request is judged at.

use chrono::{DateTime, NaiveDate, Utc};

/// The instant and the business date (in `APP_TIMEZONE`) a list or calendar is judged at.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// The hour of `now` on `today`, 0–23: hours up to this one have started.
    pub hour: u8,
}

impl Moment {
    /// The first hour of `date` that has not started: 0 for a later date, the next hour today
    /// (24 when none is left), and past the day's end for a past date.
    pub fn first_open_hour(&self, date: NaiveDate) -> u8 {
        match date.cmp(&self.today) {
            std::cmp::Ordering::Greater => 0,
            std::cmp::Ordering::Equal => self.hour + 1,
            std::cmp::Ordering::Less => 25,
        }
    }
}
