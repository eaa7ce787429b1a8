//! "Today" for the business is a calendar date in `APP_TIMEZONE`, never the server's zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A source of the current instant, injectable so rules that depend on "now" can be tested.
#[derive(Debug, Clone, Copy)]
pub struct BusinessClock {
    timezone: Tz,
}

impl BusinessClock {
    pub fn new(timezone: Tz) -> Self {
        Self { timezone }
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now())
    }

    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.timezone).date_naive()
    }
}
