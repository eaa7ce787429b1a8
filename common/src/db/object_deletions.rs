//! Stored objects waiting to be removed (`object_deletions`): recorded with the soft delete
//! of their rows, forgotten once storage no longer has them.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlConnection, QueryBuilder};

/// Records `keys` for removal; call it in the transaction that deletes their rows.
pub async fn record(
    conn: &mut MySqlConnection,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut insert =
        QueryBuilder::<MySql>::new("INSERT INTO object_deletions (object_key, created_at) ");
    insert.push_values(keys, |mut row, key| {
        row.push_bind(key).push_bind(now);
    });
    insert.build().execute(&mut *conn).await?;
    Ok(())
}

/// Those of `keys` that are recorded for removal (their deletion committed).
pub async fn recorded(
    conn: &mut MySqlConnection,
    keys: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<MySql>::new(
        "SELECT DISTINCT object_key FROM object_deletions WHERE object_key IN (",
    );
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key);
    }
    query.push(")");
    query.build_query_scalar().fetch_all(&mut *conn).await
}

/// Forgets `keys` once storage no longer holds them.
pub async fn forget(conn: &mut MySqlConnection, keys: &[String]) -> Result<(), sqlx::Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut delete =
        QueryBuilder::<MySql>::new("DELETE FROM object_deletions WHERE object_key IN (");
    let mut list = delete.separated(", ");
    for key in keys {
        list.push_bind(key);
    }
    delete.push(")");
    delete.build().execute(&mut *conn).await?;
    Ok(())
}

/// Keys recorded before `before` and still there: their job was lost (at most `limit`).
pub async fn overdue(
    conn: &mut MySqlConnection,
    before: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT object_key FROM object_deletions WHERE created_at <= ? \
         ORDER BY object_key LIMIT ?",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}
