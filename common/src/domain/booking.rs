//! What a guest may ask for when booking, checked before anything touches the database.

use chrono::{Days, NaiveDate};

use crate::error::{AppError, FieldError};

/// How far ahead a booking may be made.
pub const MAX_DAYS_AHEAD: u64 = 365;

/// A booking date: today or later in the business time zone, at most a year ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingDate(NaiveDate);

impl BookingDate {
    pub fn parse(field: &str, date: NaiveDate, today: NaiveDate) -> Result<Self, FieldError> {
        if date < today {
            return Err(FieldError::new(field, "must be today or later"));
        }
        let last = today
            .checked_add_days(Days::new(MAX_DAYS_AHEAD))
            .unwrap_or(NaiveDate::MAX);
        if date > last {
            return Err(FieldError::new(
                field,
                format!("must be at most {MAX_DAYS_AHEAD} days ahead"),
            ));
        }
        Ok(Self(date))
    }

    pub fn get(self) -> NaiveDate {
        self.0
    }
}

/// The person the host should expect, as the guest typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "Booker"))]
pub struct BookerInput {
    /// 1–50 characters.
    pub name: String,
    /// 9–15 digits; dashes, spaces and `+` allowed.
    pub phone: String,
    pub email: String,
    /// At most 200 characters.
    pub purpose: Option<String>,
    /// A note to the host, at most 1000 characters.
    pub request: Option<String>,
}

/// A booker whose fields are well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBooker(BookerInput);

impl ValidBooker {
    /// Checks every field and reports all that are wrong, named `booker.<field>`.
    pub fn parse(input: BookerInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        if !(1..=50).contains(&name.chars().count()) || name.chars().any(char::is_control) {
            errors.push(FieldError::new("booker.name", "must be 1 to 50 characters"));
        }
        let phone = input.phone.trim().to_owned();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let phone_chars_ok = phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '-' | ' ' | '+'));
        if !phone_chars_ok || !(9..=15).contains(&digits) || phone.len() > 20 {
            errors.push(FieldError::new(
                "booker.phone",
                "must be a phone number of 9 to 15 digits, e.g. 010-1234-5678",
            ));
        }
        let email = input.email.trim().to_owned();
        if !is_plausible_email(&email) {
            errors.push(FieldError::new("booker.email", "must be an email address"));
        }
        let purpose = non_empty(input.purpose);
        if purpose.as_ref().is_some_and(|p| p.chars().count() > 200) {
            errors.push(FieldError::new(
                "booker.purpose",
                "must be at most 200 characters",
            ));
        }
        let request = non_empty(input.request);
        if request.as_ref().is_some_and(|r| r.chars().count() > 1000) {
            errors.push(FieldError::new(
                "booker.request",
                "must be at most 1000 characters",
            ));
        }
        if errors.is_empty() {
            Ok(Self(BookerInput {
                name,
                phone,
                email,
                purpose,
                request,
            }))
        } else {
            Err(errors)
        }
    }

    pub fn get(&self) -> &BookerInput {
        &self.0
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// One `@`, a non-empty local part, a dotted domain, no spaces, at most 255 bytes. Deliverability
/// is the host's concern; this catches typos.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 255
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|ch| ch.is_whitespace() || ch.is_control())
}

/// Collects field errors from several checks into one validation error.
pub fn validation(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn booker(name: &str, phone: &str, email: &str) -> BookerInput {
        BookerInput {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            purpose: None,
            request: None,
        }
    }

    #[test]
    fn dates_from_today_to_a_year_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(BookingDate::parse("date", today, today).is_ok());
        assert!(BookingDate::parse("date", today.pred_opt().unwrap(), today).is_err());
        let last = today + Days::new(365);
        assert!(BookingDate::parse("date", last, today).is_ok());
        assert!(BookingDate::parse("date", last.succ_opt().unwrap(), today).is_err());
    }

    #[test]
    fn bookers_are_checked_field_by_field() {
        assert!(ValidBooker::parse(booker("김민지", "010-1234-5678", "minji@example.com")).is_ok());
        let errors = ValidBooker::parse(booker("", "call me", "nope")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["booker.name", "booker.phone", "booker.email"]);
        assert!(ValidBooker::parse(booker("a", "010-1234-5678", "a@b@c.com")).is_err());
    }

    proptest! {
        #[test]
        fn a_valid_booker_stays_within_column_sizes(
            name in "\\PC{0,60}", phone in "[0-9 +-]{0,25}", email in "\\PC{0,40}"
        ) {
            if let Ok(valid) = ValidBooker::parse(booker(&name, &phone, &email)) {
                let b = valid.get();
                prop_assert!(b.name.chars().count() <= 50);
                prop_assert!(b.phone.len() <= 20);
                prop_assert!(b.email.len() <= 255);
            }
        }
    }
}

/// A space's rules for booking by the hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourlyRules {
    /// `[open_hour, close_hour)`: the hours an hourly booking may cover.
    pub opening: super::Hours,
    /// The fewest hours one hourly booking covers.
    pub min_hours: u8,
}

/// The hours a booking of `slot` covers, checked against the space's rules and the clock:
/// a package covers its fixed hours and names none; an hourly booking names `[start_hour,
/// end_hour)`, at least `min_hours` long, inside the opening hours, and none of its hours may
/// have started. Every field at fault is reported.
pub fn booked_hours(
    slot: super::Slot,
    start_hour: Option<i64>,
    end_hour: Option<i64>,
    rules: HourlyRules,
    date: NaiveDate,
    moment: &super::Moment,
) -> Result<super::Hours, Vec<FieldError>> {
    if let Some(hours) = slot.package_hours() {
        let mut errors = Vec::new();
        for (field, value) in [("start_hour", start_hour), ("end_hour", end_hour)] {
            if value.is_some() {
                errors.push(FieldError::new(
                    field,
                    "only an hourly option takes hours; a package covers fixed hours",
                ));
            }
        }
        return if errors.is_empty() {
            Ok(hours)
        } else {
            Err(errors)
        };
    }
    let mut errors = Vec::new();
    let mut hour = |field: &str, value: Option<i64>| match value {
        None => {
            errors.push(FieldError::new(field, "is required for an hourly option"));
            None
        }
        Some(value) if (0..=24).contains(&value) => Some(value as u8),
        Some(_) => {
            errors.push(FieldError::new(field, "must be between 0 and 24"));
            None
        }
    };
    let (start, end) = (hour("start_hour", start_hour), hour("end_hour", end_hour));
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors);
    };
    let Some(hours) = super::Hours::new(start, end) else {
        return Err(vec![FieldError::new(
            "end_hour",
            "must be after start_hour",
        )]);
    };
    let opening = rules.opening;
    if start < opening.start() || end > opening.end() {
        errors.push(FieldError::new(
            "start_hour",
            format!(
                "the space is open from {} to {}",
                opening.start(),
                opening.end()
            ),
        ));
    }
    if hours.len() < rules.min_hours {
        errors.push(FieldError::new(
            "end_hour",
            format!("book at least {} hours", rules.min_hours),
        ));
    }
    if start < moment.first_open_hour(date) && date >= moment.today {
        errors.push(FieldError::new(
            "start_hour",
            "that hour has started; book from the next full hour",
        ));
    }
    if errors.is_empty() {
        Ok(hours)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod hour_tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{Hours, Moment, Slot};

    fn moment(today: NaiveDate, hour: u8) -> Moment {
        Moment {
            now: Utc::now(),
            today,
            hour,
        }
    }

    fn rules(open: u8, close: u8, min_hours: u8) -> HourlyRules {
        HourlyRules {
            opening: Hours::new(open, close).unwrap(),
            min_hours,
        }
    }

    fn fields(result: Result<Hours, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_hourly_booking_names_enough_hours_inside_the_opening_hours() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let tomorrow = today.succ_opt().unwrap();
        let now = moment(today, 10);
        let rules = rules(9, 22, 2);
        let book = |start, end, date| booked_hours(Slot::Hourly, start, end, rules, date, &now);
        assert_eq!(
            book(Some(14), Some(17), tomorrow).unwrap(),
            Hours::new(14, 17).unwrap()
        );
        assert_eq!(fields(book(None, Some(17), tomorrow)), ["start_hour"]);
        assert_eq!(fields(book(Some(14), None, tomorrow)), ["end_hour"]);
        assert_eq!(fields(book(Some(14), Some(14), tomorrow)), ["end_hour"]);
        assert_eq!(
            fields(book(Some(14), Some(15), tomorrow)),
            ["end_hour"],
            "min_hours"
        );
        assert_eq!(
            fields(book(Some(8), Some(10), tomorrow)),
            ["start_hour"],
            "opens at 9"
        );
        assert_eq!(
            fields(book(Some(21), Some(23), tomorrow)),
            ["start_hour"],
            "closes at 22"
        );
        assert_eq!(
            fields(book(Some(-1), Some(25), tomorrow)),
            ["start_hour", "end_hour"]
        );
        // Today at 10:xx, hour 10 has started; 11 is the first bookable one.
        assert_eq!(fields(book(Some(10), Some(12), today)), ["start_hour"]);
        assert!(book(Some(11), Some(13), today).is_ok());
    }

    #[test]
    fn a_package_covers_its_own_hours_and_takes_none() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let now = moment(today, 20);
        let rules = rules(0, 24, 1);
        assert_eq!(
            booked_hours(Slot::Night, None, None, rules, today, &now).unwrap(),
            Hours::new(18, 24).unwrap()
        );
        assert_eq!(
            fields(booked_hours(
                Slot::Day,
                Some(9),
                Some(18),
                rules,
                today,
                &now
            )),
            ["start_hour", "end_hour"]
        );
    }
}
