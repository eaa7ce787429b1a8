//! Domain enums stored in MySQL text columns (`ENUM(...)` or `VARCHAR`) by their `as_str`
//! name. Decoding a name the enum does not know is an error, never a guess.
//!
//! sqlx's `#[derive(sqlx::Type)]` cannot be used for these on MySQL: its derived
//! `compatible` compares the column's flags exactly, so a `NOT NULL` ENUM column never
//! matches. These impls accept every text column instead, as `&str` does.

/// Implements `sqlx::Type`, `Decode` and `Encode` for MySQL on an enum with
/// `fn as_str(self) -> &'static str` and a `FromStr` whose error converts into a boxed error.
macro_rules! text_column {
    ($($ty:ty),+ $(,)?) => {$(
        impl sqlx::Type<sqlx::MySql> for $ty {
            fn type_info() -> sqlx::mysql::MySqlTypeInfo {
                <str as sqlx::Type<sqlx::MySql>>::type_info()
            }

            fn compatible(ty: &sqlx::mysql::MySqlTypeInfo) -> bool {
                <str as sqlx::Type<sqlx::MySql>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::MySql> for $ty {
            fn decode(
                value: sqlx::mysql::MySqlValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <&str as sqlx::Decode<sqlx::MySql>>::decode(value)?;
                Ok(name.parse::<$ty>()?)
            }
        }

        impl sqlx::Encode<'_, sqlx::MySql> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<u8>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::MySql>>::encode(self.as_str(), buf)
            }
        }
    )+};
}

pub(crate) use text_column;

/// The error of parsing a name that is not one of an enum's.
#[derive(Debug, thiserror::Error)]
#[error("`{value}` is not a known {kind}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub value: String,
}

/// `FromStr` and `Display` through the enum's `EVERY` list and `as_str`.
macro_rules! named_enum {
    ($ty:ty, $kind:literal) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::domain::column::UnknownName;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::EVERY
                    .into_iter()
                    .find(|variant| variant.as_str() == value)
                    .ok_or_else(|| $crate::domain::column::UnknownName {
                        kind: $kind,
                        value: value.to_owned(),
                    })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;
