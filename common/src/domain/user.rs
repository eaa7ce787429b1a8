//! A user's display name: trimmed, 1–30 characters (characters, not bytes: Korean names are
//! three bytes a character in UTF-8), no control characters.

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub const MAX_CHARS: usize = 30;

    pub fn parse(field: &str, value: &str) -> Result<Self, AppError> {
        let trimmed = value.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(AppError::invalid(
                field,
                format!("must be 1 to {} characters after trimming", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(AppError::invalid(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// A nickname from Kakao, which we do not control: cut to our limit, control characters
    /// dropped, and a stand-in when Kakao has none (nickname consent is optional).
    pub fn from_kakao(value: Option<&str>, kakao_id: i64) -> Self {
        let cleaned: String = value
            .unwrap_or_default()
            .chars()
            .filter(|ch| !ch.is_control())
            .collect::<String>()
            .trim()
            .chars()
            .take(Self::MAX_CHARS)
            .collect();
        let cleaned = cleaned.trim().to_owned();
        if cleaned.is_empty() {
            Self(format!("kakao-{}", kakao_id.rem_euclid(1_000_000_000)))
        } else {
            Self(cleaned)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn korean_names_count_characters_not_bytes() {
        let name = "가".repeat(30);
        assert!(Nickname::parse("nickname", &name).is_ok());
        assert!(Nickname::parse("nickname", &"가".repeat(31)).is_err());
        assert_eq!(
            Nickname::parse("nickname", "  민지  ").unwrap().as_str(),
            "민지"
        );
        assert!(Nickname::parse("nickname", "   ").is_err());
        assert!(Nickname::parse("nickname", "a\u{0}b").is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_nickname_is_trimmed_and_within_limits(value in "\\PC{0,40}") {
            if let Ok(nickname) = Nickname::parse("nickname", &value) {
                let chars = nickname.as_str().chars().count();
                prop_assert!((1..=Nickname::MAX_CHARS).contains(&chars));
                prop_assert_eq!(nickname.as_str(), nickname.as_str().trim());
            }
        }

        #[test]
        fn a_kakao_nickname_always_fits(value in proptest::option::of("\\PC{0,80}"), id in any::<i64>()) {
            let nickname = Nickname::from_kakao(value.as_deref(), id);
            prop_assert!(Nickname::parse("nickname", nickname.as_str()).is_ok());
        }
    }
}
