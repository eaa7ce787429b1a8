//! The instant a request is judged at.

use chrono::{DateTime, NaiveDate, Utc};

/// The instant and the business date (in `APP_TIMEZONE`) a list or calendar is judged at.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}
