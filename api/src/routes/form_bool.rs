//! A boolean form field that reads `true` and `false` in any letter case. A generated SDK writes
//! a multipart field with its own language's spelling: the Python client sends `str(False)`,
//! `False`, which poem-openapi's `bool` refuses, so hosts using it could not create a space
//! that approves its bookings.

use std::borrow::Cow;

use poem::web::Field;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromMultipartField, ParseResult, Type},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormBool(pub bool);

impl Type for FormBool {
    const IS_REQUIRED: bool = true;

    type RawValueType = bool;

    type RawElementValueType = bool;

    fn name() -> Cow<'static, str> {
        "boolean".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("boolean")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromMultipartField for FormBool {
    async fn parse_from_multipart(field: Option<Field>) -> ParseResult<Self> {
        let text = field.ok_or_else(ParseError::expected_input)?.text().await?;
        match text.trim() {
            value if value.eq_ignore_ascii_case("true") => Ok(Self(true)),
            value if value.eq_ignore_ascii_case("false") => Ok(Self(false)),
            _ => Err(ParseError::custom("must be true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_a_plain_boolean() {
        let MetaSchemaRef::Inline(schema) = FormBool::schema_ref() else {
            panic!("an inline schema");
        };
        assert_eq!(schema.ty, "boolean");
    }
}
