//! Orders and the slot claims that keep two blocking orders off the same half-day.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, MySql, MySqlConnection, QueryBuilder};

use super::images::FIRST_READY_THUMBNAIL;
use crate::{
    domain::{
        ConflictCode, FailureReason, HalfDay, OrderEventCause, OrderStatus, Slot, ValidBooker,
    },
    error::{AppError, violated_unique_index},
};

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
    pub booker: ValidBooker,
    pub created_at: DateTime<Utc>,
}

const SLOT_CLAIMS_PRIMARY: &str = "PRIMARY";

/// Inserts an order, its first history entry and, for a blocking status, its slot claims. A
/// claim already held by a blocking order makes the whole call fail with `slot_unavailable`;
/// the caller's transaction must then be rolled back.
pub async fn insert(
    conn: &mut MySqlConnection,
    order: &NewOrder,
    cause: OrderEventCause,
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
    .bind(order.slot)
    .bind(order.price)
    .bind(order.date)
    .bind(order.headcount)
    .bind(order.price)
    .bind(order.status)
    .bind(order.hold_expires_at)
    .bind(&order.booker.get().name)
    .bind(&order.booker.get().phone)
    .bind(&order.booker.get().email)
    .bind(&order.booker.get().purpose)
    .bind(&order.booker.get().request)
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
    .bind(order.status)
    .bind(cause)
    .bind(order.created_at)
    .execute(&mut *conn)
    .await?;
    if order.status.claims_slot() {
        claim(
            conn,
            order_id,
            ClaimKeys {
                space_id: order.space_id,
                date: order.date,
                halves: order.slot.claims(),
            },
            order.status.claim_expiry(order.hold_expires_at),
            order.created_at,
        )
        .await?;
    }
    Ok(order_id)
}

/// The half-days an order claims: every statement on `slot_claims` finds its rows through
/// the primary key (space, date, half), in key order. A statement that reached the rows
/// through a secondary index would lock that index first and the primary key second, the
/// reverse of the others, and two such statements can deadlock (docs/locking.md).
#[derive(Debug, Clone, Copy)]
pub struct ClaimKeys<'a> {
    pub space_id: u64,
    pub date: NaiveDate,
    pub halves: &'a [HalfDay],
}

impl ClaimKeys<'_> {
    /// `statement` (which names `slot_claims FORCE INDEX (PRIMARY)`: only the multi-table
    /// forms of DELETE and UPDATE take index hints on both MySQL 8.4 and MariaDB), then a
    /// WHERE on these keys, ready for more conditions.
    fn statement(&self, statement: &'static str) -> QueryBuilder<MySql> {
        let mut query = QueryBuilder::<MySql>::new(statement);
        query
            .push(" WHERE space_id = ")
            .push_bind(self.space_id)
            .push(" AND date = ")
            .push_bind(self.date)
            .push(" AND slot IN (");
        let mut slots = query.separated(", ");
        for half in self.halves {
            slots.push_bind(*half);
        }
        query.push(")");
        query
    }
}

const DELETE_CLAIMS: &str = "DELETE slot_claims FROM slot_claims FORCE INDEX (PRIMARY)";
const KEEP_CLAIMS: &str = "UPDATE slot_claims FORCE INDEX (PRIMARY) SET expires_at = NULL";

/// Claims the half-days of `keys` for an order. Claims of holds that ran out by `now` are
/// removed first: an expired hold never blocks, whether or not the expiry job has run yet.
pub async fn claim(
    conn: &mut MySqlConnection,
    order_id: u64,
    keys: ClaimKeys<'_>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut stale = keys.statement(DELETE_CLAIMS);
    stale
        .push(" AND expires_at IS NOT NULL AND expires_at <= ")
        .push_bind(now);
    stale.build().execute(&mut *conn).await?;

    let mut insert = QueryBuilder::<MySql>::new(
        "INSERT INTO slot_claims (space_id, date, slot, order_id, expires_at) ",
    );
    insert.push_values(keys.halves, |mut row, half| {
        row.push_bind(keys.space_id)
            .push_bind(keys.date)
            .push_bind(*half)
            .push_bind(order_id)
            .push_bind(expires_at);
    });
    match insert.build().execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(err) if violated_unique_index(&err, &[SLOT_CLAIMS_PRIMARY]).is_some() => {
            Err(AppError::Conflict {
                code: ConflictCode::SlotUnavailable,
                detail: "the slot is already booked for that date".into(),
            })
        }
        Err(err) => Err(err.into()),
    }
}

/// Makes an order's claims permanent (payment has started) and returns how many of them
/// were still the order's own: fewer than `keys.halves` means a booking took over a claim
/// after the hold ran out.
pub async fn keep_claims(
    conn: &mut MySqlConnection,
    order_id: u64,
    keys: ClaimKeys<'_>,
) -> Result<u64, AppError> {
    let mut keep = keys.statement(KEEP_CLAIMS);
    keep.push(" AND order_id = ").push_bind(order_id);
    Ok(keep.build().execute(&mut *conn).await?.rows_affected())
}

/// Frees whatever claims an order still holds.
pub async fn release_claims(
    conn: &mut MySqlConnection,
    order_id: u64,
    keys: ClaimKeys<'_>,
) -> Result<(), AppError> {
    let mut release = keys.statement(DELETE_CLAIMS);
    release.push(" AND order_id = ").push_bind(order_id);
    release.build().execute(&mut *conn).await?;
    Ok(())
}

/// An order as the API shows it, with its space's title and host.
#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: u64,
    pub user_id: u64,
    pub space_id: u64,
    pub space_title: String,
    pub host_id: u64,
    pub thumbnail_key: Option<String>,
    pub option_id: u64,
    pub slot: Slot,
    pub price: i64,
    pub date: NaiveDate,
    pub headcount: u32,
    pub amount: i64,
    pub status: OrderStatus,
    pub hold_expires_at: DateTime<Utc>,
    pub failure_reason: Option<FailureReason>,
    pub refunded_points: Option<i64>,
    pub booker_name: String,
    pub booker_phone: String,
    pub booker_email: String,
    pub booker_purpose: Option<String>,
    pub booker_request: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderEventRow {
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub cause: OrderEventCause,
    pub created_at: DateTime<Utc>,
}

fn order_select() -> String {
    format!(
        "SELECT o.id, o.user_id, o.space_id, s.title AS space_title, s.host_id, \
         {FIRST_READY_THUMBNAIL} AS thumbnail_key, o.option_id, o.slot, o.price, o.date, \
         o.headcount, o.amount, o.status, o.hold_expires_at, o.failure_reason, \
         o.refunded_points, o.booker_name, o.booker_phone, o.booker_email, o.booker_purpose, \
         o.booker_request, o.created_at, o.updated_at \
         FROM orders o JOIN spaces s ON s.id = o.space_id"
    )
}

/// An order its booker or its space's host may see; anyone else gets `None`, as if it did not
/// exist, so order ids reveal nothing.
pub async fn find_visible(
    conn: &mut MySqlConnection,
    order_id: u64,
    viewer_id: u64,
) -> Result<Option<OrderRow>, AppError> {
    Ok(sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(format!(
        "{} WHERE o.id = ? AND (o.user_id = ? OR s.host_id = ?)",
        order_select()
    )))
    .bind(order_id)
    .bind(viewer_id)
    .bind(viewer_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn history(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Vec<OrderEventRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT from_status, to_status, cause, created_at FROM order_events \
         WHERE order_id = ? ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Whose orders a listing shows.
#[derive(Debug, Clone, Copy)]
pub enum OrderOwner {
    Booker(u64),
    Space(u64),
}

/// A page of orders, newest date first (ties: newest order first), and the total.
pub async fn list(
    conn: &mut MySqlConnection,
    owner: OrderOwner,
    status: Option<OrderStatus>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<OrderRow>, u64), AppError> {
    let filter = |builder: &mut QueryBuilder<MySql>| {
        match owner {
            OrderOwner::Booker(user_id) => builder.push(" WHERE o.user_id = ").push_bind(user_id),
            OrderOwner::Space(space_id) => builder.push(" WHERE o.space_id = ").push_bind(space_id),
        };
        if let Some(status) = status {
            builder.push(" AND o.status = ").push_bind(status);
        }
    };
    let mut count = QueryBuilder::<MySql>::new("SELECT COUNT(*) FROM orders o");
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut page = QueryBuilder::<MySql>::new(order_select());
    filter(&mut page);
    page.push(" ORDER BY o.date DESC, o.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = page.build_query_as().fetch_all(&mut *conn).await?;
    Ok((rows, total as u64))
}
