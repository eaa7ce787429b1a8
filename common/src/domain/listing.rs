use chrono::{Days, NaiveDate};

use super::{Headcount, Slot, Won};
use crate::error::{AppError, FieldError};

/// Order of the space list. Every order ends with `id` descending so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpaceSort {
    /// Most likes first.
    #[default]
    Popular,
    PriceAsc,
    PriceDesc,
    Newest,
    /// Best average grade first; spaces without reviews last.
    Rating,
}

/// A page request: `page` counts from 1, `per_page` is 1..=100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    page: u32,
    per_page: u32,
}

impl Page {
    pub const DEFAULT_PER_PAGE: u32 = 20;
    pub const MAX_PER_PAGE: u32 = 100;
    /// Deep offsets cost the database a scan of everything before them; nobody pages this far.
    pub const MAX_PAGE: u32 = 10_000;

    pub fn parse(page: Option<i64>, per_page: Option<i64>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let page = page.unwrap_or(1);
        if !(1..=i64::from(Self::MAX_PAGE)).contains(&page) {
            errors.push(FieldError::new(
                "page",
                format!("must be between 1 and {}", Self::MAX_PAGE),
            ));
        }
        let per_page = per_page.unwrap_or(i64::from(Self::DEFAULT_PER_PAGE));
        if !(1..=i64::from(Self::MAX_PER_PAGE)).contains(&per_page) {
            errors.push(FieldError::new(
                "per_page",
                format!("must be between 1 and {}", Self::MAX_PER_PAGE),
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                page: page as u32,
                per_page: per_page as u32,
            })
        } else {
            Err(errors)
        }
    }

    pub fn page(self) -> u32 {
        self.page
    }

    pub fn per_page(self) -> u32 {
        self.per_page
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// A search keyword: trimmed, non-empty, at most 100 characters, no control characters. Matched
/// literally (`50%` means those three characters) and case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword(String);

impl Keyword {
    pub const MAX_CHARS: usize = 100;

    /// `None` for a blank keyword, which filters nothing.
    pub fn parse(value: &str) -> Result<Option<Self>, FieldError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "q",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::new("q", "must not contain control characters"));
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Bounds on a space's cheapest price, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PriceRange {
    pub min: Option<Won>,
    pub max: Option<Won>,
}

/// Everything a guest can filter the space list by, already checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceFilter {
    pub district_id: Option<u64>,
    pub category_id: Option<u64>,
    pub headcount: Option<Headcount>,
    /// Only spaces bookable on this date: any offered slot free, or `slot` free if given.
    pub date: Option<NaiveDate>,
    pub slot: Option<Slot>,
    /// The space must have every one of these (deduplicated, sorted).
    pub facility_ids: Vec<u64>,
    pub keyword: Option<Keyword>,
    pub price: PriceRange,
    pub sort: SpaceSort,
    /// With `date`: only spaces whose hourly option can book exactly these hours.
    pub hours: Option<super::Hours>,
}

/// The query string of the space list, as typed values but not yet checked against the rules.
#[derive(Debug, Clone, Default)]
pub struct SpaceListParams {
    pub district_id: Option<u64>,
    pub category_id: Option<u64>,
    pub headcount: Option<i64>,
    pub date: Option<NaiveDate>,
    pub slot: Option<Slot>,
    pub start_hour: Option<i64>,
    pub end_hour: Option<i64>,
    pub facility_ids: Vec<u64>,
    pub q: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub sort: Option<SpaceSort>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl SpaceFilter {
    pub const MAX_FACILITIES: usize = 20;

    /// Checks every parameter and reports all broken ones at once.
    pub fn parse(params: SpaceListParams) -> Result<(Self, Page), AppError> {
        let mut errors = Vec::new();
        let headcount = params
            .headcount
            .map(|value| Headcount::parse("headcount", value))
            .transpose()
            .unwrap_or_else(|err| collect(&mut errors, err));
        if params.slot.is_some() && params.date.is_none() {
            errors.push(FieldError::new(
                "slot",
                "can only be used together with date",
            ));
        }
        let hours = match (params.start_hour, params.end_hour) {
            (None, None) => None,
            (Some(start), Some(end)) => {
                if params.date.is_none() {
                    errors.push(FieldError::new(
                        "start_hour",
                        "can only be used together with date",
                    ));
                }
                if params.slot.is_some() {
                    errors.push(FieldError::new(
                        "slot",
                        "either a slot or start_hour and end_hour, not both",
                    ));
                }
                let in_day = |value: i64| u8::try_from(value).ok().filter(|hour| *hour <= 24);
                let hours = in_day(start)
                    .zip(in_day(end))
                    .and_then(|(start, end)| super::Hours::new(start, end));
                if hours.is_none() {
                    errors.push(FieldError::new(
                        "end_hour",
                        "hours run from 0 to 24 and end_hour comes after start_hour",
                    ));
                }
                hours
            }
            (Some(_), None) => {
                errors.push(FieldError::new("end_hour", "is required with start_hour"));
                None
            }
            (None, Some(_)) => {
                errors.push(FieldError::new("start_hour", "is required with end_hour"));
                None
            }
        };
        let mut facility_ids = params.facility_ids;
        facility_ids.sort_unstable();
        facility_ids.dedup();
        if facility_ids.len() > Self::MAX_FACILITIES {
            errors.push(FieldError::new(
                "facility_id",
                format!("at most {} facilities", Self::MAX_FACILITIES),
            ));
        }
        let keyword = match params.q.as_deref().map(Keyword::parse).transpose() {
            Ok(keyword) => keyword.flatten(),
            Err(err) => {
                errors.push(err);
                None
            }
        };
        let min = params
            .min_price
            .map(|value| Won::parse("min_price", value))
            .transpose()
            .unwrap_or_else(|err| collect(&mut errors, err));
        let max = params
            .max_price
            .map(|value| Won::parse("max_price", value))
            .transpose()
            .unwrap_or_else(|err| collect(&mut errors, err));
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            errors.push(FieldError::new(
                "min_price",
                "must not be greater than max_price",
            ));
        }
        let page = Page::parse(params.page, params.per_page)
            .map_err(|page_errors| errors.extend(page_errors))
            .ok();
        match page {
            Some(page) if errors.is_empty() => Ok((
                Self {
                    district_id: params.district_id,
                    category_id: params.category_id,
                    headcount,
                    date: params.date,
                    slot: params.slot,
                    facility_ids,
                    keyword,
                    price: PriceRange { min, max },
                    sort: params.sort.unwrap_or_default(),
                    hours,
                },
                page,
            )),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

fn collect<T>(errors: &mut Vec<FieldError>, err: AppError) -> Option<T> {
    match err {
        AppError::Validation(field_errors) => errors.extend(field_errors),
        other => errors.push(FieldError::new("query", other.to_string())),
    }
    None
}

/// The days of an availability calendar: `from` to `to` inclusive, at most 92 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvailabilityRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl AvailabilityRange {
    pub const MAX_DAYS: u64 = 92;
    pub const DEFAULT_DAYS: u64 = 30;

    /// Missing ends default to a 30-day window starting today.
    pub fn parse(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let from = from.unwrap_or(today);
        let to = match to {
            Some(to) => to,
            None => from
                .checked_add_days(Days::new(Self::DEFAULT_DAYS - 1))
                .ok_or_else(|| AppError::invalid("from", "is too far in the future"))?,
        };
        if from > to {
            return Err(AppError::invalid("to", "must not be before from"));
        }
        let days = (to - from).num_days() + 1;
        if days as u64 > Self::MAX_DAYS {
            return Err(AppError::invalid(
                "to",
                format!("the range may span at most {} days", Self::MAX_DAYS),
            ));
        }
        Ok(Self { from, to })
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |day| *day <= self.to)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn keyword_is_trimmed_and_refuses_control_characters() {
        let keyword = Keyword::parse(" 50%_off\\ ").unwrap().unwrap();
        assert_eq!(keyword.as_str(), "50%_off\\");
        assert_eq!(Keyword::parse("   ").unwrap(), None);
        assert!(Keyword::parse("파티\n룸").is_err());
        assert!(Keyword::parse("a\u{0}b").is_err());
    }

    #[test]
    fn filter_reports_every_broken_field() {
        let err = SpaceFilter::parse(SpaceListParams {
            headcount: Some(0),
            per_page: Some(1000),
            min_price: Some(10),
            max_price: Some(5),
            ..Default::default()
        })
        .unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!("expected validation error")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["headcount", "min_price", "per_page"]);
    }

    #[test]
    fn slot_needs_a_date() {
        assert!(
            SpaceFilter::parse(SpaceListParams {
                slot: Some(Slot::Day),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn availability_range_limits() {
        let today = date("2026-11-24");
        let range = AvailabilityRange::parse(None, None, today).unwrap();
        assert_eq!(range.days().count(), 30);
        assert!(AvailabilityRange::parse(Some(today), Some(date("2027-02-23")), today).is_ok());
        assert!(AvailabilityRange::parse(Some(today), Some(date("2027-02-24")), today).is_err());
        assert!(AvailabilityRange::parse(Some(date("2026-12-01")), Some(today), today).is_err());
    }

    proptest! {
        #[test]
        fn page_accepts_exactly_its_ranges(page in -5i64..20_000, per_page in -5i64..200) {
            let parsed = Page::parse(Some(page), Some(per_page));
            let valid = (1..=10_000).contains(&page) && (1..=100).contains(&per_page);
            prop_assert_eq!(parsed.is_ok(), valid);
            if let Ok(parsed) = parsed {
                prop_assert_eq!(parsed.offset(), ((page - 1) * per_page) as u64);
            }
        }

        #[test]
        fn availability_range_spans_at_most_92_days(start in 0u64..400, len in 0u64..200) {
            let today = date("2026-01-01");
            let from = today.checked_add_days(Days::new(start)).unwrap();
            let to = from.checked_add_days(Days::new(len)).unwrap();
            let parsed = AvailabilityRange::parse(Some(from), Some(to), today);
            prop_assert_eq!(parsed.is_ok(), len < 92);
            if let Ok(range) = parsed {
                prop_assert_eq!(range.days().count() as u64, len + 1);
            }
        }
    }
}
