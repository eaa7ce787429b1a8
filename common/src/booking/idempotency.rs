//! `Idempotency-Key` support. The key is reserved inside the same transaction as the work it
//! guards and completed with the id of the order it produced before that transaction commits,
//! so a stored key always points at finished work; a concurrent duplicate waits on the key's
//! row lock and then replays. Keys live 24 hours. Only successful requests are remembered: a
//! request that failed changed nothing and may simply be sent again.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::{FromRow, MySql, MySqlConnection, QueryBuilder};

use crate::error::{AppError, violated_unique_index};

pub const KEY_LIFETIME_HOURS: i64 = 24;
pub const MAX_KEY_LENGTH: usize = 255;

/// A client's idempotency key for one kind of request, with a fingerprint of the request.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    user_id: u64,
    scope: String,
    key: String,
    request_hash: [u8; 32],
}

impl IdempotencyKey {
    /// `scope` names the operation (and resource) the key is used for; `request` is a stable
    /// serialisation of everything the request asks for.
    pub fn parse(
        user_id: u64,
        scope: impl Into<String>,
        key: &str,
        request: &[u8],
    ) -> Result<Self, AppError> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LENGTH || !key.is_ascii() {
            return Err(AppError::invalid(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_LENGTH} ASCII characters"),
            ));
        }
        Ok(Self {
            user_id,
            scope: scope.into(),
            key: key.to_owned(),
            request_hash: Sha256::digest(request).into(),
        })
    }
}

pub enum Reservation {
    /// The key is new: do the work, then `complete` it in the same transaction.
    Reserved,
    /// The same request was already done: answer as the first time.
    Replay(Replay),
}

/// A request already done under a key: the order it produced and, once recorded, the first
/// response's status and body.
#[derive(Debug, Clone)]
pub struct Replay {
    pub order_id: u64,
    pub first_response: Option<(u16, Vec<u8>)>,
}

#[derive(FromRow)]
struct StoredKey {
    request_hash: Vec<u8>,
    result_id: Option<u64>,
    response_status: Option<u16>,
    response_body: Option<Vec<u8>>,
    created_at: DateTime<Utc>,
}

const PRIMARY: &str = "PRIMARY";

pub async fn reserve(
    conn: &mut MySqlConnection,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Reservation, AppError> {
    // A key older than its lifetime is forgotten, whether or not the cleanup ran.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idempotency_key = ? \
         AND created_at <= ?",
    )
    .bind(key.user_id)
    .bind(&key.scope)
    .bind(&key.key)
    .bind(now - Duration::hours(KEY_LIFETIME_HOURS))
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, scope, idempotency_key, request_hash, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(key.user_id)
    .bind(&key.scope)
    .bind(&key.key)
    .bind(&key.request_hash[..])
    .bind(now)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(Reservation::Reserved),
        Err(err) if violated_unique_index(&err, &[PRIMARY]).is_some() => {
            let stored: StoredKey = sqlx::query_as(
                "SELECT request_hash, result_id, response_status, response_body, created_at \
                 FROM idempotency_keys \
                 WHERE user_id = ? AND scope = ? AND idempotency_key = ?",
            )
            .bind(key.user_id)
            .bind(&key.scope)
            .bind(&key.key)
            .fetch_one(&mut *conn)
            .await?;
            if stored.request_hash != key.request_hash {
                return Err(AppError::invalid(
                    "Idempotency-Key",
                    "was already used for a different request",
                ));
            }
            let order_id = stored.result_id.ok_or_else(|| {
                    tracing::error!(created_at = %stored.created_at, "idempotency key without a result");
                    AppError::Conflict {
                        code: crate::domain::ConflictCode::IdempotencyKeyInUse,
                        detail: "a request with this key is still being processed".into(),
                    }
            })?;
            Ok(Reservation::Replay(Replay {
                order_id,
                first_response: stored.response_status.zip(stored.response_body),
            }))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn complete(
    conn: &mut MySqlConnection,
    key: &IdempotencyKey,
    order_id: u64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE idempotency_keys SET result_id = ? \
         WHERE user_id = ? AND scope = ? AND idempotency_key = ?",
    )
    .bind(order_id)
    .bind(key.user_id)
    .bind(&key.scope)
    .bind(&key.key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the first response to a keyed request, after its work committed, so that a replay
/// answers the same status and body even when the order has moved on since. Should this be
/// lost (the process died in between), a replay falls back to the order as it is then.
pub async fn remember_response(
    pool: &sqlx::MySqlPool,
    key: &IdempotencyKey,
    status: u16,
    body: &[u8],
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = ?, response_body = ? \
         WHERE user_id = ? AND scope = ? AND idempotency_key = ? AND response_status IS NULL",
    )
    .bind(status)
    .bind(body)
    .bind(key.user_id)
    .bind(&key.scope)
    .bind(&key.key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes keys past their lifetime; run by the worker's periodic sweep.
///
/// The expired keys are read without locks and then deleted through the primary key, the
/// way `reserve` reaches them: a DELETE that locked the `created_at` index first and the
/// primary key second could deadlock with a booking that reuses an expired key.
pub async fn purge_expired(
    conn: &mut MySqlConnection,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let cutoff = now - Duration::hours(KEY_LIFETIME_HOURS);
    let expired: Vec<(u64, String, String)> = sqlx::query_as(
        "SELECT user_id, scope, idempotency_key FROM idempotency_keys WHERE created_at <= ? \
         LIMIT 1000",
    )
    .bind(cutoff)
    .fetch_all(&mut *conn)
    .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let mut delete = QueryBuilder::<MySql>::new(
        "DELETE idempotency_keys FROM idempotency_keys FORCE INDEX (PRIMARY) WHERE created_at <= ",
    );
    delete.push_bind(cutoff).push(" AND (");
    let mut keys = delete.separated(" OR ");
    for (user_id, scope, key) in &expired {
        keys.push("(user_id = ")
            .push_bind_unseparated(user_id)
            .push_unseparated(" AND scope = ")
            .push_bind_unseparated(scope)
            .push_unseparated(" AND idempotency_key = ")
            .push_bind_unseparated(key)
            .push_unseparated(")");
    }
    delete.push(")");
    Ok(delete.build().execute(&mut *conn).await?.rows_affected())
}
