//! Every error leaves the API as RFC 9457 problem details (`application/problem+json`) with a
//! stable `code`. Operations declare which statuses they can answer through
//! [`error_responses!`], so each one shows in the OpenAPI spec; errors poem raises itself
//! (unparsable parameters, unknown routes, oversized bodies) are rewritten by
//! [`problem_response`] at the outermost layer.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    Enum, Object,
    error::{ParseParamError, ParsePathError, ParseRequestPayloadError},
    payload::Json,
};
use spacecloud_common::{
    auth::{KakaoError, sessions::SignInError},
    db::refresh_tokens::RefreshError,
    domain::ConflictCode,
    error::{AppError, FieldError, loggable},
    hosting::UploadRejected,
    images::Rejection,
};

#[derive(Object, Debug, Clone, PartialEq)]
pub struct FieldProblem {
    /// The request field or parameter at fault.
    pub field: String,
    pub message: String,
}

/// The stable machine-readable code of a problem, e.g. `slot_unavailable`: what a client
/// branches on. Each operation's responses say which codes it can give. A new code is added with a new minor version of the spec, so a generated client that
/// rejects unknown enum values is regenerated before it meets one.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ProblemCode {
    // Any operation
    MalformedRequest,
    ValidationFailed,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    BadRequest,
    RateLimited,
    DatabaseUnavailable,
    QueueUnavailable,
    InternalError,
    // Authentication and authorisation
    Unauthorized,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
    Forbidden,
    OwnSpace,
    // Signing in
    InvalidKakaoToken,
    InvalidKakaoCode,
    KakaoUnavailable,
    InvalidState,
    AccountDeleted,
    InvalidRefreshToken,
    RefreshTokenReused,
    // Photos
    FileTooLarge,
    UnsupportedImage,
    InvalidImage,
    // Conflicts (409)
    SlotUnavailable,
    HoldExpired,
    OrderNotPayable,
    OrderNotCancelable,
    OrderStarted,
    OrderNotAwaitingApproval,
    OrderStateChanged,
    IdempotencyKeyInUse,
    TooManyHolds,
    UploadsPending,
    NoOrder,
    OrderNotCompleted,
    StayNotStarted,
    AlreadyReviewed,
}

impl From<ConflictCode> for ProblemCode {
    fn from(code: ConflictCode) -> Self {
        match code {
            ConflictCode::SlotUnavailable => Self::SlotUnavailable,
            ConflictCode::HoldExpired => Self::HoldExpired,
            ConflictCode::OrderNotPayable => Self::OrderNotPayable,
            ConflictCode::OrderNotCancelable => Self::OrderNotCancelable,
            ConflictCode::OrderStarted => Self::OrderStarted,
            ConflictCode::OrderNotAwaitingApproval => Self::OrderNotAwaitingApproval,
            ConflictCode::OrderStateChanged => Self::OrderStateChanged,
            ConflictCode::IdempotencyKeyInUse => Self::IdempotencyKeyInUse,
            ConflictCode::TooManyHolds => Self::TooManyHolds,
            ConflictCode::UploadsPending => Self::UploadsPending,
            ConflictCode::NoOrder => Self::NoOrder,
            ConflictCode::OrderNotCompleted => Self::OrderNotCompleted,
            ConflictCode::StayNotStarted => Self::StayNotStarted,
            ConflictCode::AlreadyReviewed => Self::AlreadyReviewed,
        }
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The name the Enum derive writes into the spec and the JSON.
        match poem_openapi::types::ToJSON::to_json(self) {
            Some(serde_json::Value::String(name)) => f.write_str(&name),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// RFC 9457 problem details.
#[derive(Object, Debug, Clone)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:spacecloud:problem:<code>`.
    #[oai(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// A human sentence about this occurrence.
    pub detail: String,
    // Documented on the enum: a described `$ref` becomes `allOf`, which generators drop.
    pub code: ProblemCode,
    /// Every invalid field, on 400 and 422 answers.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldProblem>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("urn:spacecloud:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = Some(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        );
        self
    }

    pub fn malformed(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            ProblemCode::MalformedRequest,
            format!("`{field}` is malformed: {message}"),
        )
        .with_errors(vec![FieldError::new(field, message)])
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::InternalError,
            "something went wrong on our side; it has been logged",
        )
    }

    pub fn into_http_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Json(self)
            .with_content_type("application/problem+json")
            .with_status(status)
            .into_response()
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                ProblemCode::NotFound,
                format!("{what} not found"),
            ),
            AppError::Forbidden(detail) => {
                Self::new(StatusCode::FORBIDDEN, ProblemCode::Forbidden, detail)
            }
            AppError::OwnSpace(action) => Self::new(
                StatusCode::FORBIDDEN,
                ProblemCode::OwnSpace,
                format!("a host cannot {action} their own space"),
            ),
            AppError::Validation(errors) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemCode::ValidationFailed,
                describe_fields(&errors),
            )
            .with_errors(errors),
            AppError::Malformed { field, message } => Self::malformed(&field, message),
            AppError::Conflict { code, detail } => {
                Self::new(StatusCode::CONFLICT, code.into(), detail)
            }
            AppError::Database(ref cause) if is_unavailable(cause) => {
                tracing::error!(error = %loggable(cause), "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ProblemCode::DatabaseUnavailable,
                    "the database cannot be reached; try again shortly",
                )
            }
            AppError::Redis(ref cause) => {
                tracing::error!(error = %err, cause = %cause, "redis unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ProblemCode::QueueUnavailable,
                    "the job queue cannot be reached; try again shortly",
                )
            }
            other => {
                tracing::error!(error = %loggable(&other), "unexpected error");
                Self::internal()
            }
        }
    }
}

impl From<KakaoError> for Problem {
    fn from(err: KakaoError) -> Self {
        match err {
            KakaoError::InvalidToken => Self::new(
                StatusCode::UNAUTHORIZED,
                ProblemCode::InvalidKakaoToken,
                "Kakao does not accept this access token",
            ),
            KakaoError::InvalidCode => Self::new(
                StatusCode::UNAUTHORIZED,
                ProblemCode::InvalidKakaoCode,
                "Kakao does not accept this authorization code",
            ),
            KakaoError::Unavailable(reason) => {
                tracing::warn!(kakao.failure = %reason, "kakao unavailable");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    ProblemCode::KakaoUnavailable,
                    "Kakao could not be reached; try again shortly",
                )
            }
        }
    }
}

impl From<SignInError> for Problem {
    fn from(err: SignInError) -> Self {
        match err {
            SignInError::AccountDeleted => Self::new(
                StatusCode::FORBIDDEN,
                ProblemCode::AccountDeleted,
                "this account was deleted",
            ),
            SignInError::App(err) => err.into(),
        }
    }
}

impl From<RefreshError> for Problem {
    fn from(err: RefreshError) -> Self {
        match err {
            RefreshError::Invalid => Self::new(
                StatusCode::UNAUTHORIZED,
                ProblemCode::InvalidRefreshToken,
                "the refresh token is unknown, expired or revoked",
            ),
            RefreshError::Reused => {
                tracing::warn!("refresh token reuse detected; family revoked");
                Self::new(
                    StatusCode::UNAUTHORIZED,
                    ProblemCode::RefreshTokenReused,
                    "this refresh token was already used; sign in again",
                )
            }
            RefreshError::App(err) => err.into(),
        }
    }
}

/// A refused image, for space photos and review photos alike: 413 `file_too_large`, 415
/// `unsupported_image`, or 422 `invalid_image`, naming the form field.
impl From<UploadRejected> for Problem {
    fn from(err: UploadRejected) -> Self {
        let (status, code) = match err.rejection {
            Rejection::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ProblemCode::FileTooLarge),
            Rejection::NotAnImage => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemCode::UnsupportedImage,
            ),
            Rejection::Damaged | Rejection::TooManyPixels => {
                (StatusCode::UNPROCESSABLE_ENTITY, ProblemCode::InvalidImage)
            }
        };
        Self::new(status, code, err.to_string())
            .with_errors(vec![FieldError::new(err.field, err.rejection.to_string())])
    }
}

fn is_unavailable(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_)
    )
}

fn describe_fields(errors: &[FieldError]) -> String {
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    format!("invalid value for {}", fields.join(", "))
}

/// Declares one operation's error response type: 500 always, plus exactly the listed
/// `Variant = status "description"` entries, each naming the problem codes it can carry. A
/// problem whose status the operation did not declare is a bug: it is logged and answered as
/// 500 (the black-box tests of each error path would see it).
#[macro_export]
macro_rules! error_responses {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $status:literal $doc:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(poem_openapi::ApiResponse, Debug)]
        pub enum $name {
            $(
                #[doc = $doc]
                #[oai(status = $status, content_type = "application/problem+json")]
                $variant(poem_openapi::payload::Json<$crate::error::Problem>),
            )*
            /// Unexpected server error (`internal_error`); details are logged, never returned.
            #[oai(status = 500, content_type = "application/problem+json")]
            Internal(poem_openapi::payload::Json<$crate::error::Problem>),
        }

        impl From<$crate::error::Problem> for $name {
            fn from(problem: $crate::error::Problem) -> Self {
                match problem.status {
                    $($status => Self::$variant(poem_openapi::payload::Json(problem)),)*
                    500 => Self::Internal(poem_openapi::payload::Json(problem)),
                    undeclared => {
                        tracing::error!(
                            http.status = undeclared,
                            code = %problem.code,
                            concat!("undeclared error status in ", stringify!($name))
                        );
                        Self::Internal(poem_openapi::payload::Json($crate::error::Problem::internal()))
                    }
                }
            }
        }

        impl From<spacecloud_common::error::AppError> for $name {
            fn from(err: spacecloud_common::error::AppError) -> Self {
                $crate::error::Problem::from(err).into()
            }
        }

        impl From<sqlx::Error> for $name {
            fn from(err: sqlx::Error) -> Self {
                spacecloud_common::error::AppError::from(err).into()
            }
        }
    };
}

/// Renders any error that reached the outermost layer as problem+json. Errors our operations
/// returned are already problems and pass through untouched.
pub fn problem_response(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let problem = if let Some(e) = err.downcast_ref::<ParseParamError>() {
        Problem::malformed(e.name, plain_reason(&e.reason))
    } else if let Some(e) = err.downcast_ref::<ParsePathError>() {
        Problem::malformed(path_param_name(e.name), plain_reason(&e.reason))
    } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        Problem::malformed("body", &e.reason)
    } else {
        let status = err.status();
        match status {
            StatusCode::UNAUTHORIZED => Problem::new(
                status,
                ProblemCode::Unauthorized,
                "this route needs an `Authorization: Bearer <access token>` header",
            ),
            StatusCode::NOT_FOUND => Problem::new(status, ProblemCode::NotFound, "no such route"),
            StatusCode::METHOD_NOT_ALLOWED => Problem::new(
                status,
                ProblemCode::MethodNotAllowed,
                "this route does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
                status,
                ProblemCode::PayloadTooLarge,
                "the request body is larger than this server accepts",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
                status,
                ProblemCode::UnsupportedMediaType,
                "the request's content type is not accepted here",
            ),
            status if status.is_client_error() => {
                Problem::new(status, ProblemCode::BadRequest, err.to_string())
            }
            _ => {
                tracing::error!(error = %err, "unhandled server error");
                Problem::internal()
            }
        }
    };
    problem.into_http_response()
}

/// poem-openapi renames path parameters to `param0`, `param1`, … in order of appearance. Our
/// routes name their first path parameter `id` and the second `image_id`, so the client is told
/// the name it sees in the spec.
fn path_param_name(internal: &str) -> &str {
    match internal {
        "param0" => "id",
        "param1" => "image_id",
        other => other,
    }
}

/// The parser's own words without poem-openapi's type names, e.g. "invalid digit found in
/// string" from `failed to parse "integer_int64": invalid digit found in string (occurred
/// while parsing "optional_integer_int64")`.
fn plain_reason(reason: &str) -> String {
    let without_context = reason
        .split(" (occurred while parsing")
        .next()
        .unwrap_or(reason);
    let without_type = match without_context.strip_prefix("failed to parse \"") {
        Some(rest) => rest.split_once("\": ").map_or(rest, |(_, message)| message),
        None => without_context,
    };
    without_type.trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_reason_drops_type_names() {
        assert_eq!(
            plain_reason(
                "failed to parse \"integer_int64\": invalid digit found in string \
                 (occurred while parsing \"optional_integer_int64\")"
            ),
            "invalid digit found in string"
        );
        assert_eq!(plain_reason("something else"), "something else");
    }
}
