//! What the OpenAPI document needs beyond what poem-openapi writes, added to the document it
//! generated. Every rule here is stated once, next to the domain constant it documents, so the
//! spec cannot drift from what the server enforces (the black-box tests send each bound).

use serde_json::{Map, Value, json};
use spacecloud_common::{
    booking::idempotency::MAX_KEY_LENGTH,
    domain::{Headcount, Keyword, Nickname, Page, SpaceFilter, Won},
    hosting::MAX_IMAGES,
};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// A bound the server enforces on a value, as JSON Schema says it.
#[derive(Clone, Copy)]
enum Bound {
    /// Inclusive minimum and maximum of a number.
    Range(f64, f64),
    /// Inclusive minimum and maximum of a number, and the value used when it is omitted.
    RangeWithDefault(i64, i64, i64),
    /// Fewest and most characters of a string.
    Length(usize, usize),
    /// Most items of an array.
    Items(usize),
}

/// Bounds of request fields and query parameters, by name. A name means the same thing in
/// every request that has it (responses are left alone: `name` is also a district's).
fn bound_of(name: &str) -> Option<Bound> {
    let won = Won::MAX as f64;
    let headcount = f64::from(Headcount::MAX);
    Some(match name {
        "page" => Bound::RangeWithDefault(1, i64::from(Page::MAX_PAGE), 1),
        "per_page" => Bound::RangeWithDefault(
            1,
            i64::from(Page::MAX_PER_PAGE),
            i64::from(Page::DEFAULT_PER_PAGE),
        ),
        "headcount" | "min_count" | "max_count" => Bound::Range(1.0, headcount),
        "min_price" | "max_price" | "price_day" | "price_night" | "price_all" => {
            Bound::Range(0.0, won)
        }
        "latitude" => Bound::Range(-90.0, 90.0),
        "longitude" => Bound::Range(-180.0, 180.0),
        "grade" => Bound::Range(1.0, 5.0),
        "keyword" => Bound::Length(0, Keyword::MAX_CHARS),
        "nickname" => Bound::Length(1, Nickname::MAX_CHARS),
        "title" => Bound::Length(1, 100),
        "sub_title" => Bound::Length(0, 200),
        "description" => Bound::Length(0, 5000),
        "address" => Bound::Length(1, 255),
        "content" => Bound::Length(1, 2000),
        "name" => Bound::Length(1, 50),
        "purpose" => Bound::Length(0, 200),
        "request" => Bound::Length(0, 1000),
        "Idempotency-Key" => Bound::Length(1, MAX_KEY_LENGTH),
        "images" => Bound::Items(MAX_IMAGES),
        "facility_id" => Bound::Items(SpaceFilter::MAX_FACILITIES),
        _ => return None,
    })
}

/// The schemas of request bodies (components only used to send).
const REQUEST_SCHEMAS: [&str; 6] = [
    "Booker",
    "KakaoLogin",
    "MeChanges",
    "OrderRequest",
    "RefreshRequest",
    "SpaceChanges",
];

pub(super) fn complete(document: &mut Value) {
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for name in REQUEST_SCHEMAS {
            if let Some(schema) = schemas.get_mut(name) {
                bound_properties(schema);
            }
        }
    }
    for_each_operation(document, |operation| {
        // No security means "unknown" to linters and generators; poem-openapi writes nothing
        // for an operation without a token. Optional-bearer operations keep `[bearer, {}]`.
        operation.entry("security").or_insert_with(|| json!([]));
        if let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        {
            for parameter in parameters {
                let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                if let (Some(bound), Some(schema)) = (bound_of(&name), parameter.get_mut("schema"))
                {
                    apply(schema, bound);
                }
            }
        }
        if let Some(content) = operation
            .get_mut("requestBody")
            .and_then(|body| body.get_mut("content"))
            .and_then(Value::as_object_mut)
        {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    bound_properties(schema);
                }
            }
            if let Some(form) = content.get_mut("multipart/form-data") {
                encode_repeated_parts(form);
            }
        }
        if let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        {
            for (status, response) in responses.iter_mut() {
                complete_response(status, response);
            }
        }
    });
    unsigned_to_signed(document);
}

fn for_each_operation(document: &mut Value, mut visit: impl FnMut(&mut Map<String, Value>)) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if METHODS.contains(&method.as_str())
                && let Some(operation) = operation.as_object_mut()
            {
                visit(operation);
            }
        }
    }
}

fn bound_properties(schema: &mut Value) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if let Some(bound) = bound_of(name) {
            apply(property, bound);
        }
    }
}

fn apply(schema: &mut Value, bound: Bound) {
    let Some(schema) = schema.as_object_mut() else {
        return;
    };
    match bound {
        Bound::Range(minimum, maximum) => {
            let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
            let number = |value: f64| {
                if integer {
                    json!(value as i64)
                } else {
                    json!(value)
                }
            };
            schema.insert("minimum".into(), number(minimum));
            schema.insert("maximum".into(), number(maximum));
        }
        Bound::RangeWithDefault(minimum, maximum, default) => {
            schema.insert("minimum".into(), json!(minimum));
            schema.insert("maximum".into(), json!(maximum));
            schema.insert("default".into(), json!(default));
        }
        Bound::Length(fewest, most) => {
            if fewest > 0 {
                schema.insert("minLength".into(), json!(fewest));
            }
            schema.insert("maxLength".into(), json!(most));
        }
        Bound::Items(most) => {
            schema.insert("maxItems".into(), json!(most));
        }
    }
}

/// Array fields of a form are sent as one part per item (`facility_id=1`, `facility_id=3`),
/// which the spec must say: without `encoding`, generators send one comma-separated part.
fn encode_repeated_parts(form: &mut Value) {
    let arrays: Vec<(String, bool)> = form
        .pointer("/schema/properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .filter(|(_, property)| property["type"] == "array")
                .map(|(name, property)| (name.clone(), property["items"]["format"] == "binary"))
                .collect()
        })
        .unwrap_or_default();
    if arrays.is_empty() {
        return;
    }
    let encoding = form
        .as_object_mut()
        .expect("a media type object")
        .entry("encoding")
        .or_insert_with(|| json!({}));
    for (name, binary) in arrays {
        let content_type = if binary {
            "image/jpeg, image/png, image/webp"
        } else {
            "text/plain"
        };
        encoding[name] = json!({"contentType": content_type, "style": "form", "explode": true});
    }
}

fn complete_response(status: &str, response: &mut Value) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    // poem-openapi writes `application/json; charset=utf-8`; generated clients match media
    // types exactly (openapi-typescript's helpers resolve to `never` on the parameter).
    if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
        let keys: Vec<String> = content.keys().cloned().collect();
        for key in keys {
            if let Some((essence, _)) = key.split_once(';') {
                let media = content.remove(&key).expect("the key was just listed");
                content.insert(essence.trim().to_owned(), media);
            }
        }
    }
    let described = response
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|text| !text.is_empty());
    if !described {
        let what = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .and_then(|media| media.pointer("/schema"))
            .map(schema_name)
            .unwrap_or_else(|| "Done".to_owned());
        response.insert("description".into(), json!(what));
    }
    if status == "429" {
        response.insert(
            "headers".into(),
            json!({"Retry-After": {
                "description": "Seconds until the budget has room again.",
                "schema": {"type": "integer", "minimum": 0}
            }}),
        );
    }
}

/// How a success response is described when its operation did not say: by what it carries.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("The {name}.");
    }
    if schema["type"] == "array"
        && let Some(reference) = schema.pointer("/items/$ref").and_then(Value::as_str)
    {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("Every {name}.");
    }
    "The answer.".to_owned()
}

/// poem-openapi writes Rust's unsigned types as formats (`uint64`, …) that no generator or
/// fuzzer knows: they become the signed format wide enough, with a minimum of 0.
fn unsigned_to_signed(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let replacement = match object.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(("int32", Some(255_i64))),
                Some("uint16") => Some(("int32", Some(65_535))),
                Some("uint32") => Some(("int64", Some(4_294_967_295))),
                Some("uint64") => Some(("int64", None)),
                _ => None,
            };
            if let Some((format, maximum)) = replacement {
                object.insert("format".into(), json!(format));
                object.entry("minimum").or_insert(json!(0));
                if let Some(maximum) = maximum {
                    object.entry("maximum").or_insert(json!(maximum));
                }
            }
            object.values_mut().for_each(unsigned_to_signed);
        }
        Value::Array(items) => items.iter_mut().for_each(unsigned_to_signed),
        _ => {}
    }
}

/// The operations of the document with the statuses each declares and, per error status, the
/// problem codes its description names: the table `docs/api.md` carries (kept equal by a test
/// and written by `scripts/export-openapi.sh`).
pub fn operations_markdown(document: &Value) -> String {
    let known: Vec<&str> = document
        .pointer("/components/schemas/ProblemCode/enum")
        .and_then(Value::as_array)
        .map(|codes| codes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let token = match operation["security"].as_array().map(Vec::len) {
                    Some(0) | None => "none",
                    _ if operation["security"]
                        .as_array()
                        .is_some_and(|options| options.iter().any(|o| o == &json!({}))) =>
                    {
                        "optional"
                    }
                    _ => "bearer",
                };
                let mut answers = Vec::new();
                if let Some(responses) = operation["responses"].as_object() {
                    for (status, response) in responses {
                        let codes =
                            problem_codes(response["description"].as_str().unwrap_or(""), &known);
                        answers.push(if codes.is_empty() || !status.starts_with(['4', '5']) {
                            status.clone()
                        } else {
                            format!("{status} {}", codes.join(", "))
                        });
                    }
                }
                rows.push(format!(
                    "| `{}` | `{} {}` | {} | {} |",
                    operation["operationId"].as_str().unwrap_or_default(),
                    method.to_uppercase(),
                    path,
                    token,
                    answers.join("; ")
                ));
            }
        }
    }
    let mut table = String::from(
        "| operation | route | token | statuses, with the problem codes of each error status |\n\
         | --- | --- | --- | --- |\n",
    );
    for row in rows {
        table.push_str(&row);
        table.push('\n');
    }
    table
}

/// The problem codes a response description names (in backticks), in order.
fn problem_codes(description: &str, known: &[&str]) -> Vec<String> {
    let mut codes = Vec::new();
    for (index, part) in description.split('`').enumerate() {
        let is_code = index % 2 == 1 && known.contains(&part);
        if is_code && !codes.iter().any(|code| code == part) {
            codes.push(part.to_owned());
        }
    }
    codes
}
