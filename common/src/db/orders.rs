//! Orders and the slot claims that keep two blocking orders off the same half-day.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{MySql, MySqlConnection, QueryBuilder};

use crate::{
    domain::{HalfDay, Slot},
    error::{AppError, violated_unique_index},
};

/// Where an order is in its life. `Waiting` (until its hold expires), `PaymentPending` and
/// `Completed` block their slot; the rest free it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Waiting,
    PaymentPending,
    Completed,
    Failed,
    Expired,
    Canceled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::PaymentPending => "payment_pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
        }
    }

    /// Whether an order in this status holds claims on its half-days.
    pub fn claims_slot(self) -> bool {
        matches!(self, Self::Waiting | Self::PaymentPending | Self::Completed)
    }

    /// Until when a claim of an order in this status blocks: the hold's end for a waiting
    /// order, forever (`None`) once payment has started.
    pub fn claim_expiry(self, hold_expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self == Self::Waiting).then_some(hold_expires_at)
    }
}

#[derive(Debug, Clone)]
pub struct Booker {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub purpose: Option<String>,
    pub request: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub user_id: u64,
    pub space_id: u64,
    pub option_id: u64,
    pub slot: Slot,
    pub price: i64,
    pub date: NaiveDate,
    pub headcount: u32,
    pub status: OrderStatus,
    pub hold_expires_at: DateTime<Utc>,
    pub booker: Booker,
    pub created_at: DateTime<Utc>,
}

const SLOT_CLAIMS_PRIMARY: &str = "PRIMARY";

/// Inserts an order, its first history entry and, for a blocking status, its slot claims. A
/// claim already held by a blocking order makes the whole call fail with `slot_unavailable`;
/// the caller's transaction must then be rolled back.
pub async fn insert(
    conn: &mut MySqlConnection,
    order: &NewOrder,
    cause: &str,
) -> Result<u64, AppError> {
    let order_id = sqlx::query(
        "INSERT INTO orders (user_id, space_id, option_id, slot, price, date, headcount, amount, \
         status, hold_expires_at, booker_name, booker_phone, booker_email, booker_purpose, \
         booker_request, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(order.user_id)
    .bind(order.space_id)
    .bind(order.option_id)
    .bind(order.slot.as_str())
    .bind(order.price)
    .bind(order.date)
    .bind(order.headcount)
    .bind(order.price)
    .bind(order.status.as_str())
    .bind(order.hold_expires_at)
    .bind(&order.booker.name)
    .bind(&order.booker.phone)
    .bind(&order.booker.email)
    .bind(&order.booker.purpose)
    .bind(&order.booker.request)
    .bind(order.created_at)
    .bind(order.created_at)
    .execute(&mut *conn)
    .await?
    .last_insert_id();
    sqlx::query(
        "INSERT INTO order_events (order_id, from_status, to_status, cause, created_at) \
         VALUES (?, NULL, ?, ?, ?)",
    )
    .bind(order_id)
    .bind(order.status.as_str())
    .bind(cause)
    .bind(order.created_at)
    .execute(&mut *conn)
    .await?;
    if order.status.claims_slot() {
        claim(
            conn,
            order_id,
            order.space_id,
            order.date,
            order.slot.claims(),
            order.status.claim_expiry(order.hold_expires_at),
            order.created_at,
        )
        .await?;
    }
    Ok(order_id)
}

/// Claims `halves` of `date` for an order. Claims of holds that ran out by `now` are removed
/// first: an expired hold never blocks, whether or not the expiry job has run yet.
pub async fn claim(
    conn: &mut MySqlConnection,
    order_id: u64,
    space_id: u64,
    date: NaiveDate,
    halves: &[HalfDay],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut stale = QueryBuilder::<MySql>::new("DELETE FROM slot_claims WHERE space_id = ");
    stale
        .push_bind(space_id)
        .push(" AND date = ")
        .push_bind(date)
        .push(" AND expires_at IS NOT NULL AND expires_at <= ")
        .push_bind(now)
        .push(" AND slot IN (");
    let mut slots = stale.separated(", ");
    for half in halves {
        slots.push_bind(half.as_str());
    }
    stale.push(")");
    stale.build().execute(&mut *conn).await?;

    let mut insert = QueryBuilder::<MySql>::new(
        "INSERT INTO slot_claims (space_id, date, slot, order_id, expires_at) ",
    );
    insert.push_values(halves, |mut row, half| {
        row.push_bind(space_id)
            .push_bind(date)
            .push_bind(half.as_str())
            .push_bind(order_id)
            .push_bind(expires_at);
    });
    match insert.build().execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(err) if violated_unique_index(&err, &[SLOT_CLAIMS_PRIMARY]).is_some() => {
            Err(AppError::Conflict {
                code: "slot_unavailable",
                detail: "the slot is already booked for that date".into(),
            })
        }
        Err(err) => Err(err.into()),
    }
}
