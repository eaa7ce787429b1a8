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
