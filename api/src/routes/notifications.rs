//! The signed-in user's in-app notifications of bookings: requests to decide, decisions,
//! cancellations and refunds.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};
use spacecloud_common::{
    domain::Page,
    error::AppError,
    notifications::{self, NotificationKind, NotificationRow},
};

use super::ApiTags;
use super::json_body::JsonBody;
use crate::{auth::BearerAuth, error_responses, state::AppState};

pub struct NotificationsApi;

#[derive(Object, Debug)]
struct Notification {
    id: u64,
    kind: NotificationKind,
    /// The order it is about.
    order_id: u64,
    /// The space of that order.
    space_id: u64,
    /// A sentence for people, naming the space, the date and the hours.
    message: String,
    created_at: DateTime<Utc>,
    read: bool,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            order_id: row.order_id,
            space_id: row.space_id,
            message: row.message,
            created_at: row.created_at,
            read: row.is_read,
        }
    }
}

/// A page of notifications, newest first.
#[derive(Object, Debug)]
struct NotificationPage {
    items: Vec<Notification>,
    page: u32,
    per_page: u32,
    total: u64,
    /// How many of all the caller's notifications (not only this page's) are unread.
    unread_count: u64,
}

#[derive(Object, Debug)]
struct MarkRead {
    /// Every notification of the caller with an id up to this one becomes read.
    up_to_id: u64,
}

#[derive(ApiResponse)]
enum MarkedRead {
    /// Marked (idempotent).
    #[oai(status = 204)]
    NoContent,
}

error_responses!(
    /// Errors of listing notifications.
    ListNotificationsError {
        BadRequest = 400 "`malformed_request`: a parameter does not parse.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of marking notifications read.
    MarkNotificationsReadError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or `up_to_id` is not a non-negative integer.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

#[OpenApi(prefix_path = "/api/v1/me/notifications", tag = "ApiTags::Me")]
impl NotificationsApi {
    /// The caller's notifications, newest first, with how many are unread.
    #[oai(path = "/", method = "get", operation_id = "listMyNotifications")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<NotificationPage>, ListNotificationsError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let (rows, total, unread_count) =
            notifications::list(&mut conn, auth.user_id(), page).await?;
        Ok(Json(NotificationPage {
            items: rows.into_iter().map(Notification::from).collect(),
            page: page.page(),
            per_page: page.per_page(),
            total,
            unread_count,
        }))
    }

    /// Mark the caller's notifications read, up to and including `up_to_id`.
    #[oai(
        path = "/read",
        method = "post",
        operation_id = "markMyNotificationsRead"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<MarkRead>,
    ) -> Result<MarkedRead, MarkNotificationsReadError> {
        let mut conn = state.pool.acquire().await?;
        notifications::mark_read(&mut conn, auth.user_id(), body.0.up_to_id).await?;
        Ok(MarkedRead::NoContent)
    }
}
