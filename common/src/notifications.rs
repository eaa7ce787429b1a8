//! In-app notifications of order transitions. Each is written by the transaction that makes
//! the transition, so a transition and its notifications commit (or roll back) together: a
//! worker killed mid-job, or a job delivered twice, neither loses nor doubles one.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, MySqlConnection};

use crate::{
    domain::{
        Page,
        column::{named_enum, text_column},
    },
    error::AppError,
};

/// What a notification tells, and so to whom it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum NotificationKind {
    /// To the host: a paid booking waits for their approval.
    ApprovalRequested,
    /// To the guest: the host approved; the booking is confirmed.
    Approved,
    /// To the guest: the host declined; the points are back.
    Declined,
    /// To the guest: nobody decided in time; the points are back.
    ApprovalTimeout,
    /// To the guest: a cancellation gave points back.
    Refunded,
    /// To the host: the guest cancelled a booking the host had seen.
    CanceledByGuest,
}

impl NotificationKind {
    pub const EVERY: [NotificationKind; 6] = [
        Self::ApprovalRequested,
        Self::Approved,
        Self::Declined,
        Self::ApprovalTimeout,
        Self::Refunded,
        Self::CanceledByGuest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApprovalRequested => "approval_requested",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::ApprovalTimeout => "approval_timeout",
            Self::Refunded => "refunded",
            Self::CanceledByGuest => "canceled_by_guest",
        }
    }
}

named_enum!(NotificationKind, "notification kind");
text_column!(NotificationKind);

/// The order a notification is about, as its message names it.
#[derive(Debug, Clone)]
pub struct About {
    pub order_id: u64,
    pub space_id: u64,
    pub space_title: String,
    pub date: NaiveDate,
    pub start_hour: u8,
    pub end_hour: u8,
}

impl About {
    fn booking(&self) -> String {
        format!(
            "{} on {} {:02}:00–{:02}:00",
            self.space_title, self.date, self.start_hour, self.end_hour
        )
    }
}

/// Writes one notification inside the caller's transaction.
pub async fn notify(
    conn: &mut MySqlConnection,
    user_id: u64,
    kind: NotificationKind,
    about: &About,
    message: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, order_id, space_id, message, is_read, \
         created_at) VALUES (?, ?, ?, ?, ?, FALSE, ?)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(about.order_id)
    .bind(about.space_id)
    .bind(message)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The message of each kind, in one place so every writer words it the same.
pub fn message(kind: NotificationKind, about: &About, detail: Option<&str>) -> String {
    let booking = about.booking();
    match kind {
        NotificationKind::ApprovalRequested => format!(
            "New booking request for {booking}: approve or decline it by {}.",
            detail.unwrap_or("its deadline")
        ),
        NotificationKind::Approved => format!("Your booking of {booking} is confirmed."),
        NotificationKind::Declined => format!(
            "The host declined your booking of {booking} ({}); your points are back.",
            detail.unwrap_or("no reason given")
        ),
        NotificationKind::ApprovalTimeout => format!(
            "The host did not answer your booking request for {booking} in time; your points are back."
        ),
        NotificationKind::Refunded => format!(
            "Your cancelled booking of {booking} refunded {} points.",
            detail.unwrap_or("0")
        ),
        NotificationKind::CanceledByGuest => {
            format!("The guest cancelled the booking of {booking}.")
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: u64,
    pub kind: NotificationKind,
    pub order_id: u64,
    pub space_id: u64,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub is_read: bool,
}

/// A page of a user's notifications, newest first, with the total and the unread count.
pub async fn list(
    conn: &mut MySqlConnection,
    user_id: u64,
    page: Page,
) -> Result<(Vec<NotificationRow>, u64, u64), AppError> {
    let (total, unread): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(NOT is_read), 0) AS SIGNED) \
         FROM notifications WHERE user_id = ?",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as(
        "SELECT id, kind, order_id, space_id, message, created_at, is_read \
         FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
    )
    .bind(user_id)
    .bind(page.per_page())
    .bind(page.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, total as u64, unread as u64))
}

/// Marks every notification of the user up to `up_to_id` read.
pub async fn mark_read(
    conn: &mut MySqlConnection,
    user_id: u64,
    up_to_id: u64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notifications SET is_read = TRUE WHERE user_id = ? AND id <= ? AND NOT is_read",
    )
    .bind(user_id)
    .bind(up_to_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
