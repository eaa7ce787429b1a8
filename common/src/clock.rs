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
    /// that occurs twice (clocks turned back) is its first occurrence; one that does not exist
    /// (clocks turned forward) is the first minute after the gap.
    pub fn instant_of(&self, date: NaiveDate, hour: u8) -> DateTime<Utc> {
        let mut wall = date.and_time(NaiveTime::MIN) + Duration::hours(i64::from(hour));
        // Gaps are whole minutes long (at most a few hours), so this ends within them.
        loop {
            if let Some(instant) = wall.and_local_timezone(self.timezone).earliest() {
                return instant.with_timezone(&Utc);
            }
            wall += Duration::minutes(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn an_hour_of_a_date_is_an_instant_of_the_business_zone() {
        let seoul = BusinessClock::new(chrono_tz::Asia::Seoul);
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(seoul.instant_of(date, 0), utc("2026-11-30T15:00:00Z"));
        assert_eq!(seoul.instant_of(date, 14), utc("2026-12-01T05:00:00Z"));
        assert_eq!(
            seoul.local_text(utc("2026-12-01T05:00:00Z")),
            "2026-12-01 14:00 KST"
        );
    }

    #[test]
    fn hours_skipped_or_repeated_by_daylight_saving() {
        let new_york = BusinessClock::new(chrono_tz::America::New_York);
        // 2027-03-14: 02:00 jumps to 03:00; hour 2 does not exist and starts when 03:00 does.
        let spring = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap();
        assert_eq!(new_york.instant_of(spring, 2), utc("2027-03-14T07:00:00Z"));
        assert_eq!(new_york.instant_of(spring, 3), utc("2027-03-14T07:00:00Z"));
        // 2027-11-07: 01:00–02:00 happens twice; the hour begins at its first occurrence.
        let autumn = NaiveDate::from_ymd_opt(2027, 11, 7).unwrap();
        assert_eq!(new_york.instant_of(autumn, 1), utc("2027-11-07T05:00:00Z"));
        assert_eq!(new_york.instant_of(autumn, 2), utc("2027-11-07T07:00:00Z"));
    }
}
