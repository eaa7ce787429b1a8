//! "Today" for the business is a calendar date in `APP_TIMEZONE`, never the server's zone.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// A source of the current instant. Rules that depend on "now" read it here, at the moment
/// they decide (inside their transaction, after its locks are held), never earlier.
///
/// The clock can be moved forward, for all of its clones at once, and a skewed copy can be
/// made: that is how tests let a hold run out, or play another process whose clock is ahead,
/// without sleeping. Production code never moves it.
#[derive(Debug, Clone)]
pub struct BusinessClock {
    timezone: Tz,
    offset_ms: Arc<AtomicI64>,
}

impl BusinessClock {
    pub fn new(timezone: Tz) -> Self {
        Self {
            timezone,
            offset_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now())
    }

    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.timezone).date_naive()
    }

    /// The business date, and its hour (0–23), of `instant`.
    pub fn moment_of(&self, instant: DateTime<Utc>) -> crate::domain::Moment {
        let local = instant.with_timezone(&self.timezone);
        crate::domain::Moment {
            now: instant,
            today: local.date_naive(),
            hour: local.hour() as u8,
        }
    }

    /// The instant hour `hour` (0–23) of `date` begins in the business time zone. A wall time
    /// that does not exist (a DST gap) is taken as the instant after the gap.
    pub fn instant_of(&self, date: NaiveDate, hour: u8) -> DateTime<Utc> {
        let wall = date.and_time(NaiveTime::MIN) + Duration::hours(i64::from(hour));
        let mut probe = wall;
        loop {
            if let Some(instant) = probe.and_local_timezone(self.timezone).earliest() {
                return instant.with_timezone(&Utc);
            }
            probe += Duration::minutes(15);
        }
    }

    /// `instant` as people read it in the business time zone, to the minute.
    pub fn local_text(&self, instant: DateTime<Utc>) -> String {
        instant
            .with_timezone(&self.timezone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// Lets `by` pass for this clock and every clone of it.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }

    /// An independent clock `by` ahead of this one (behind, when negative).
    pub fn skewed(&self, by: Duration) -> Self {
        let skewed = Self::new(self.timezone);
        skewed.offset_ms.store(
            self.offset_ms.load(Ordering::Relaxed) + by.num_milliseconds(),
            Ordering::Relaxed,
        );
        skewed
    }
}
