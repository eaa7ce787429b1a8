//! Refresh-token families. Each login starts a family; every refresh marks the presented token
//! used and issues its successor in the same family. A used token presented again means two
//! parties hold the chain (one of them a thief), so the whole family is revoked.

use chrono::{DateTime, Duration, Utc};
use sqlx::{Connection, FromRow, MySqlConnection};

use crate::{domain::RefreshToken, error::AppError};

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("the refresh token is unknown, expired or revoked")]
    Invalid,
    #[error("the refresh token was already used; its family is revoked")]
    Reused,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for RefreshError {
    fn from(err: sqlx::Error) -> Self {
        Self::App(err.into())
    }
}

#[derive(FromRow)]
struct TokenRow {
    user_id: u64,
    family_id: Vec<u8>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    user_deleted: bool,
}

/// Starts a new family for a fresh login; returns the family (the login's session id, carried
/// by its access tokens) and its first token.
pub async fn start_family(
    conn: &mut MySqlConnection,
    user_id: u64,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<(uuid::Uuid, RefreshToken), AppError> {
    let family = uuid::Uuid::new_v4();
    let token = insert(conn, user_id, family.as_bytes(), ttl, now).await?;
    Ok((family, token))
}

async fn insert(
    conn: &mut MySqlConnection,
    user_id: u64,
    family: &[u8],
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<RefreshToken, AppError> {
    let token = RefreshToken::generate();
    sqlx::query(
        "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(family)
    .bind(&token.hash[..])
    .bind(now + ttl)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// A refresh token's rotation: whose it is, its login, and the successor.
pub struct Rotated {
    pub user_id: u64,
    pub family: uuid::Uuid,
    pub next: RefreshToken,
}

/// Exchanges a refresh token for its successor. A token used less than `grace` ago is taken
/// for two tabs (or a retry after a lost answer) refreshing at once, not for a thief: it gets
/// a successor of its own in the same login. Later, its reuse revokes the whole login.
pub async fn rotate(
    conn: &mut MySqlConnection,
    presented: &str,
    ttl: Duration,
    grace: Duration,
    now: DateTime<Utc>,
) -> Result<Rotated, RefreshError> {
    let hash = RefreshToken::hash_of(presented);
    let mut tx = conn.begin().await?;
    // The row lock serialises two refreshes racing with the same token: the second sees it used.
    let row = sqlx::query_as::<_, TokenRow>(
        "SELECT t.user_id, t.family_id, t.expires_at, t.used_at, t.revoked_at, \
         (u.deleted_at IS NOT NULL) AS user_deleted \
         FROM refresh_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = ? FOR UPDATE",
    )
    .bind(&hash[..])
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(RefreshError::Invalid);
    };
    if row.revoked_at.is_some() || row.expires_at <= now || row.user_deleted {
        return Err(RefreshError::Invalid);
    }
    let family = uuid::Uuid::from_slice(&row.family_id).map_err(|_| RefreshError::Invalid)?;
    match row.used_at {
        Some(used_at) if now - used_at >= grace => {
            revoke_family_of(&mut tx, &row.family_id, now).await?;
            tx.commit().await?;
            return Err(RefreshError::Reused);
        }
        Some(_) => {}
        None => {
            sqlx::query("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?")
                .bind(now)
                .bind(&hash[..])
                .execute(&mut *tx)
                .await?;
        }
    }
    let next = insert(&mut tx, row.user_id, &row.family_id, ttl, now).await?;
    tx.commit().await?;
    Ok(Rotated {
        user_id: row.user_id,
        family,
        next,
    })
}

/// Revokes the family of a token (logout). Unknown tokens are ignored: logging out twice is fine.
pub async fn revoke(
    conn: &mut MySqlConnection,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let hash = RefreshToken::hash_of(presented);
    let family: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE token_hash = ?")
            .bind(&hash[..])
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(family) = family {
        revoke_family_of(conn, &family, now).await?;
    }
    Ok(())
}

async fn revoke_family_of(
    conn: &mut MySqlConnection,
    family: &[u8],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
