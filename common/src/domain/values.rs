use crate::error::AppError;

/// A number of guests: at least 1, at most 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Headcount(u32);

impl Headcount {
    pub const MAX: u32 = 1000;

    pub fn parse(field: &str, value: i64) -> Result<Self, AppError> {
        if (1..=i64::from(Self::MAX)).contains(&value) {
            Ok(Self(value as u32))
        } else {
            Err(AppError::invalid(
                field,
                format!("must be between 1 and {}", Self::MAX),
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// An amount of Korean won: whole won, never negative, at most one billion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Won(i64);

impl Won {
    pub const MAX: i64 = 1_000_000_000;

    pub fn parse(field: &str, value: i64) -> Result<Self, AppError> {
        if (0..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(AppError::invalid(
                field,
                format!("must be between 0 and {} won", Self::MAX),
            ))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn headcount_accepts_exactly_its_range(value in any::<i64>()) {
            let parsed = Headcount::parse("headcount", value);
            prop_assert_eq!(parsed.is_ok(), (1..=1000).contains(&value));
            if let Ok(headcount) = parsed {
                prop_assert_eq!(i64::from(headcount.get()), value);
            }
        }

        #[test]
        fn won_accepts_exactly_its_range(value in any::<i64>()) {
            let parsed = Won::parse("price", value);
            prop_assert_eq!(parsed.is_ok(), (0..=Won::MAX).contains(&value));
        }
    }
}
