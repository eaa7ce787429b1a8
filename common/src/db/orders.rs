//! Orders and the hour claims that keep two blocking orders (or a block) off the same hour.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, MySql, MySqlConnection, QueryBuilder};

use super::images::FIRST_READY_THUMBNAIL;
use crate::{
    domain::{
        ConflictCode, FailureReason, Hours, OrderEventCause, OrderStatus, RefundPolicy, Slot,
        ValidBooker,
    },
    error::{AppError, violated_unique_index},
};

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub user_id: u64,
    pub space_id: u64,
    pub option_id: u64,
    pub slot: Slot,
    /// The option's price: the package's, or the hourly option's per hour.
    pub price: i64,
    /// What the order costs: the package's price, or its hours at the hourly price.
    pub amount: i64,
    pub date: NaiveDate,
    /// The hours the order covers on `date` (a package's are its slot's).
    pub hours: Hours,
    pub headcount: u32,
    pub status: OrderStatus,
    pub hold_expires_at: DateTime<Utc>,
    /// The space's refund policy when the order is placed: its cancellation is refunded by
    /// this one, whatever the host changes later.
    pub refund_policy: RefundPolicy,
    /// The space's `instant_booking` when the order is placed: false, its settlement waits
    /// for the host.
    pub instant_booking: bool,
    /// Set for an order that is `awaiting_approval`.
    pub approval_deadline: Option<DateTime<Utc>>,
    pub booker: ValidBooker,
    pub created_at: DateTime<Utc>,
}

pub(crate) const HOUR_CLAIMS_PRIMARY: &str = "PRIMARY";

/// Inserts a hold (or any order), its first history entry and, for a blocking status, its
/// claims. Claims of holds that ran out by the order's `created_at` are removed first (after
/// the order's own rows, which is the lock order of docs/locking.md): an expired hold never
/// blocks, whether or not the expiry job has run. An hour held by a blocking order (or a block) makes
/// the call fail with `slot_unavailable`; the caller's transaction must then be rolled back.
pub async fn insert(
    conn: &mut MySqlConnection,
    order: &NewOrder,
    cause: OrderEventCause,
) -> Result<u64, AppError> {
    let orders = std::slice::from_ref(order);
    let ids = insert_rows(conn, orders, cause).await?;
    if order.status.claims_slot() {
        lock_claims(conn, order.claim_keys()).await?;
        let mut stale = order.claim_keys().statement(DELETE_CLAIMS);
        stale
            .push(" AND expires_at IS NOT NULL AND expires_at <= ")
            .push_bind(order.created_at);
        stale.build().execute(&mut *conn).await?;
    }
    insert_claims(conn, &ids, orders).await?;
    if order.status.claims_slot() {
        // The list's date filter and the calendar read claims from memory (docs/catalogue.md).
        crate::catalogue::record_claims(conn, order.space_id, order.created_at).await?;
    }
    Ok(ids[0])
}

/// How many orders one multi-row statement writes (well under `max_allowed_packet`).
const INSERT_BATCH: usize = 1_000;

/// Inserts orders as [`insert`] does, three multi-row statements per `INSERT_BATCH` orders,
/// without looking for stale claims (the bulk seed writes only settled orders). Returns the
/// ids in order.
pub async fn insert_many(
    conn: &mut MySqlConnection,
    orders: &[NewOrder],
    cause: OrderEventCause,
) -> Result<Vec<u64>, AppError> {
    let mut ids = Vec::with_capacity(orders.len());
    for batch in orders.chunks(INSERT_BATCH) {
        let batch_ids = insert_rows(conn, batch, cause).await?;
        insert_claims(conn, &batch_ids, batch).await?;
        ids.extend(batch_ids);
    }
    Ok(ids)
}

/// The orders' rows and first history entries; returns their ids.
async fn insert_rows(
    conn: &mut MySqlConnection,
    orders: &[NewOrder],
    cause: OrderEventCause,
) -> Result<Vec<u64>, AppError> {
    let mut insert = QueryBuilder::<MySql>::new(
        "INSERT INTO orders (user_id, space_id, option_id, slot, price, date, start_hour, \
         end_hour, headcount, amount, status, hold_expires_at, refund_policy, instant_booking, \
         approval_deadline, \
         booker_name, booker_phone, booker_email, booker_purpose, booker_request, created_at, \
         updated_at) ",
    );
    insert.push_values(orders, |mut row, order| {
        let booker = order.booker.get();
        row.push_bind(order.user_id)
            .push_bind(order.space_id)
            .push_bind(order.option_id)
            .push_bind(order.slot)
            .push_bind(order.price)
            .push_bind(order.date)
            .push_bind(order.hours.start())
            .push_bind(order.hours.end())
            .push_bind(order.headcount)
            .push_bind(order.amount)
            .push_bind(order.status)
            .push_bind(order.hold_expires_at)
            .push_bind(order.refund_policy)
            .push_bind(order.instant_booking)
            .push_bind(order.approval_deadline)
            .push_bind(&booker.name)
            .push_bind(&booker.phone)
            .push_bind(&booker.email)
            .push_bind(&booker.purpose)
            .push_bind(&booker.request)
            .push_bind(order.created_at)
            .push_bind(order.created_at);
    });
    // The rows of one multi-row insert get consecutive ids from last_insert_id.
    let first_id = insert.build().execute(&mut *conn).await?.last_insert_id();
    let ids: Vec<u64> = (first_id..).take(orders.len()).collect();

    let mut events = QueryBuilder::<MySql>::new(
        "INSERT INTO order_events (order_id, from_status, to_status, cause, created_at) ",
    );
    events.push_values(ids.iter().zip(orders), |mut row, (id, order)| {
        row.push_bind(*id)
            .push_bind(None::<OrderStatus>)
            .push_bind(order.status)
            .push_bind(cause)
            .push_bind(order.created_at);
    });
    events.build().execute(&mut *conn).await?;
    Ok(ids)
}

/// The claims of the blocking ones of `orders` (whose ids are `ids`), hours in key order.
async fn insert_claims(
    conn: &mut MySqlConnection,
    ids: &[u64],
    orders: &[NewOrder],
) -> Result<(), AppError> {
    let claims: Vec<(u64, &NewOrder, u8)> = ids
        .iter()
        .zip(orders)
        .filter(|(_, order)| order.status.claims_slot())
        .flat_map(|(id, order)| order.hours.iter().map(move |hour| (*id, order, hour)))
        .collect();
    if claims.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<MySql>::new(
        "INSERT INTO hour_claims (space_id, date, hour, order_id, expires_at) ",
    );
    insert.push_values(claims, |mut row, (id, order, hour)| {
        row.push_bind(order.space_id)
            .push_bind(order.date)
            .push_bind(hour)
            .push_bind(id)
            .push_bind(order.status.claim_expiry(order.hold_expires_at));
    });
    match insert.build().execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(err) if violated_unique_index(&err, &[HOUR_CLAIMS_PRIMARY]).is_some() => {
            Err(slot_unavailable())
        }
        Err(err) => Err(err.into()),
    }
}

pub fn slot_unavailable() -> AppError {
    AppError::Conflict {
        code: ConflictCode::SlotUnavailable,
        detail: "some of those hours are already booked or blocked for that date".into(),
    }
}

impl NewOrder {
    fn claim_keys(&self) -> ClaimKeys {
        ClaimKeys {
            space_id: self.space_id,
            date: self.date,
            hours: self.hours,
        }
    }
}

/// The hours an order (or block) claims: every statement on `hour_claims` finds its rows
/// through the primary key (space, date, hour), in key order. A statement that reached the
/// rows through a secondary index would lock that index first and the primary key second, the
/// reverse of the others, and two such statements can deadlock (docs/locking.md).
#[derive(Debug, Clone, Copy)]
pub struct ClaimKeys {
    pub space_id: u64,
    pub date: NaiveDate,
    pub hours: Hours,
}

impl ClaimKeys {
    /// `statement` (which names `hour_claims FORCE INDEX (PRIMARY)`: only the multi-table
    /// forms of DELETE and UPDATE take index hints on both MySQL 8.4 and MariaDB), then a
    /// WHERE on these keys, ready for more conditions.
    pub(crate) fn statement(&self, statement: &'static str) -> QueryBuilder<MySql> {
        let mut query = QueryBuilder::<MySql>::new(statement);
        query
            .push(" WHERE space_id = ")
            .push_bind(self.space_id)
            .push(" AND date = ")
            .push_bind(self.date)
            .push(" AND hour >= ")
            .push_bind(self.hours.start())
            .push(" AND hour < ")
            .push_bind(self.hours.end());
        query
    }
}

/// Locks every existing claim of `keys`' hours, in key order, before any of them is deleted or
/// inserted. Without it, two overlapping ranges whose transactions judge a hold stale at
/// different instants could each delete a claim (keeping it locked) and then insert where the
/// other one deleted: a cycle. One ascending pass first makes the second wait at the first
/// hour they share, holding nothing the first one needs.
pub(crate) async fn lock_claims(
    conn: &mut MySqlConnection,
    keys: ClaimKeys,
) -> Result<(), AppError> {
    let mut lock = keys.statement("SELECT hour FROM hour_claims FORCE INDEX (PRIMARY)");
    lock.push(" ORDER BY hour FOR UPDATE");
    lock.build().fetch_all(&mut *conn).await?;
    Ok(())
}

pub(crate) const DELETE_CLAIMS: &str = "DELETE hour_claims FROM hour_claims FORCE INDEX (PRIMARY)";
const KEEP_CLAIMS: &str = "UPDATE hour_claims FORCE INDEX (PRIMARY) SET expires_at = NULL";

/// Makes an order's claims permanent (payment has started) and returns how many of them
/// were still the order's own: fewer than `keys.hours` means a booking took over a claim
/// after the hold ran out.
pub async fn keep_claims(
    conn: &mut MySqlConnection,
    order_id: u64,
    keys: ClaimKeys,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut keep = keys.statement(KEEP_CLAIMS);
    keep.push(" AND order_id = ").push_bind(order_id);
    let kept = keep.build().execute(&mut *conn).await?.rows_affected();
    // A claim that no longer runs out changes what the calendar shows after the hold's end.
    crate::catalogue::record_claims(conn, keys.space_id, now).await?;
    Ok(kept)
}

/// Frees whatever claims an order still holds.
pub async fn release_claims(
    conn: &mut MySqlConnection,
    order_id: u64,
    keys: ClaimKeys,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut release = keys.statement(DELETE_CLAIMS);
    release.push(" AND order_id = ").push_bind(order_id);
    if release.build().execute(&mut *conn).await?.rows_affected() > 0 {
        crate::catalogue::record_claims(conn, keys.space_id, now).await?;
    }
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
    pub start_hour: u8,
    pub end_hour: u8,
    pub headcount: u32,
    pub amount: i64,
    pub status: OrderStatus,
    pub hold_expires_at: DateTime<Utc>,
    pub failure_reason: Option<FailureReason>,
    pub refunded_points: Option<i64>,
    pub refund_policy: RefundPolicy,
    pub approval_deadline: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
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
         o.start_hour, o.end_hour, \
         o.headcount, o.amount, o.status, o.hold_expires_at, o.failure_reason, \
         o.refunded_points, o.refund_policy, o.approval_deadline, o.decline_reason, o.booker_name, o.booker_phone, o.booker_email, o.booker_purpose, \
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

/// A page of orders, newest date first (ties: newest order first), and the total. A space's
/// requests waiting for their host come oldest deadline first instead: the host's queue.
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
    let hosts_queue =
        matches!(owner, OrderOwner::Space(_)) && status == Some(OrderStatus::AwaitingApproval);
    page.push(if hosts_queue {
        " ORDER BY o.approval_deadline, o.id LIMIT "
    } else {
        " ORDER BY o.date DESC, o.id DESC LIMIT "
    })
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    let rows = page.build_query_as().fetch_all(&mut *conn).await?;
    Ok((rows, total as u64))
}
