//! JSON request bodies read strictly. poem-openapi's `String` accepts a number or a boolean in
//! its place (`{"nickname": 5}` became the nickname `"5"`, `{"access_token": 5}` was sent to
//! Kakao as `"5"`); the contract says a value of the wrong type is refused. This payload checks
//! the body against the operation's own schema (strings must be strings, at every depth)
//! before the usual parsing, and declares the media type without a charset parameter, which
//! generated clients match exactly.

use std::ops::Deref;

use poem::{FromRequest, Request, RequestBody, Result};
use poem_openapi::{
    error::ParseRequestPayloadError,
    impl_apirequest_for_payload,
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
};
use serde_json::Value;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(mime) if mime.type_() == "application"
            && (mime.subtype() == "json" || mime.suffix().is_some_and(|suffix| suffix == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError {
                reason: err.to_string(),
            })?
        };
        let mut registry = Registry::new();
        T::register(&mut registry);
        if let Some(field) = mistyped_string(&value, &T::schema_ref(), &registry, "") {
            return Err(ParseRequestPayloadError {
                reason: format!("`{field}` must be a string"),
            }
            .into());
        }
        let value = T::parse_from_json(Some(value)).map_err(|err| ParseRequestPayloadError {
            reason: err.into_message(),
        })?;
        Ok(Self(value))
    }
}

impl_apirequest_for_payload!(JsonBody<T>, T: ParseFromJSON);

/// The path of the first value where the schema wants a string and the body has another type
/// (`null` stays for the type's own parsing to judge).
fn mistyped_string(
    value: &Value,
    schema: &MetaSchemaRef,
    registry: &Registry,
    path: &str,
) -> Option<String> {
    let schema = match schema {
        MetaSchemaRef::Inline(schema) => schema,
        MetaSchemaRef::Reference(name) => registry.schemas.get(name)?,
    };
    for part in schema.all_of.iter() {
        if let Some(found) = mistyped_string(value, part, registry, path) {
            return Some(found);
        }
    }
    match (schema.ty, value) {
        (_, Value::Null) => None,
        ("string", Value::String(_)) => None,
        ("string", _) => Some(path.to_owned()),
        ("object", Value::Object(fields)) => schema.properties.iter().find_map(|(name, field)| {
            let nested = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            mistyped_string(fields.get(*name)?, field, registry, &nested)
        }),
        ("array", Value::Array(items)) => {
            let item_schema = schema.items.as_deref()?;
            items.iter().enumerate().find_map(|(index, item)| {
                mistyped_string(item, item_schema, registry, &format!("{path}[{index}]"))
            })
        }
        _ => None,
    }
}
