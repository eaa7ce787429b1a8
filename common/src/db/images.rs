//! Space images through their life: `processing` (bytes staged, job queued), `ready` (objects
//! stored), `failed` (with a reason the host can read), and soft-deleted.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, MySqlConnection};

use crate::{domain::ImageStatus, images::ImageKind};

/// The thumbnail key of the first ready image of the space `s` (a correlated subquery for
/// list, detail and order pages). The literal is `ImageStatus::Ready`'s column value; a
/// test below holds them together.
pub const FIRST_READY_THUMBNAIL: &str = "(SELECT i.thumbnail_key FROM space_images i \
     WHERE i.space_id = s.id AND i.status = 'ready' AND i.deleted_at IS NULL \
     ORDER BY i.position, i.id LIMIT 1)";

#[derive(Debug, Clone, FromRow)]
pub struct ImageRow {
    pub id: u64,
    pub space_id: u64,
    pub position: u32,
    pub status: ImageStatus,
    pub original_key: Option<String>,
    pub web_key: Option<String>,
    pub thumbnail_key: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub failure_reason: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl ImageRow {
    pub fn keys(&self) -> Vec<String> {
        [&self.original_key, &self.web_key, &self.thumbnail_key]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

const COLUMNS: &str = "id, space_id, position, status, original_key, \
     web_key, thumbnail_key, width, height, failure_reason, deleted_at";

/// Adds a `processing` image whose object keys are fixed now (a uuid keeps them unique), so
/// every retry of its job writes the same objects.
pub async fn insert_processing(
    conn: &mut MySqlConnection,
    space_id: u64,
    position: u32,
    kind: ImageKind,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let folder = format!("spaces/{space_id}/{}", uuid::Uuid::new_v4().simple());
    Ok(sqlx::query(
        "INSERT INTO space_images (space_id, position, status, original_key, web_key, \
         thumbnail_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(space_id)
    .bind(position)
    .bind(ImageStatus::Processing)
    .bind(format!("{folder}/original.{}", kind.extension()))
    .bind(format!("{folder}/web.jpg"))
    .bind(format!("{folder}/thumb.jpg"))
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .last_insert_id())
}

pub async fn find(
    conn: &mut MySqlConnection,
    image_id: u64,
) -> Result<Option<ImageRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM space_images WHERE id = ?"
    )))
    .bind(image_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Every live image of the given spaces, in display order, whatever their status.
pub async fn of_spaces(
    conn: &mut MySqlConnection,
    space_ids: &[u64],
) -> Result<Vec<ImageRow>, sqlx::Error> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = sqlx::QueryBuilder::<sqlx::MySql>::new(format!(
        "SELECT {COLUMNS} FROM space_images WHERE deleted_at IS NULL AND space_id IN ("
    ));
    let mut ids = query.separated(", ");
    for id in space_ids {
        ids.push_bind(*id);
    }
    query.push(") ORDER BY space_id, position, id");
    query.build_query_as().fetch_all(&mut *conn).await
}

/// Marks a processing image ready, and records the change of its space's detail in the same
/// transaction; `false` if it was not processing (done already, deleted).
pub async fn mark_ready(
    conn: &mut MySqlConnection,
    image_id: u64,
    width: u32,
    height: u32,
    now: DateTime<Utc>,
) -> Result<bool, crate::error::AppError> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let ready = sqlx::query(
        "UPDATE space_images SET status = ?, width = ?, height = ?, updated_at = ? \
         WHERE id = ? AND status = ? AND deleted_at IS NULL",
    )
    .bind(ImageStatus::Ready)
    .bind(width)
    .bind(height)
    .bind(now)
    .bind(image_id)
    .bind(ImageStatus::Processing)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if ready {
        crate::catalogue::record_image(&mut tx, image_id, now).await?;
    }
    tx.commit().await?;
    Ok(ready)
}

pub async fn mark_failed(
    conn: &mut MySqlConnection,
    image_id: u64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE space_images SET status = ?, failure_reason = ?, updated_at = ? \
         WHERE id = ? AND status = ?",
    )
    .bind(ImageStatus::Failed)
    .bind(reason)
    .bind(now)
    .bind(image_id)
    .bind(ImageStatus::Processing)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Soft-deletes images (one, or all of a space) and returns the object keys to remove.
pub async fn soft_delete(
    conn: &mut MySqlConnection,
    space_id: u64,
    image_id: Option<u64>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<ImageRow> = match image_id {
        Some(image_id) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM space_images WHERE id = ? AND space_id = ? \
             AND deleted_at IS NULL FOR UPDATE"
        )))
        .bind(image_id)
        .bind(space_id),
        None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM space_images WHERE space_id = ? AND deleted_at IS NULL FOR UPDATE"
        )))
        .bind(space_id),
    }
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        sqlx::query("UPDATE space_images SET deleted_at = ?, updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(now)
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows.iter().flat_map(ImageRow::keys).collect())
}

/// How many of `keys` a live (not deleted) image still uses. A deletion job checks this: its
/// transaction may not have committed yet, or may have rolled back.
pub async fn live_references(
    conn: &mut MySqlConnection,
    keys: &[String],
) -> Result<i64, sqlx::Error> {
    if keys.is_empty() {
        return Ok(0);
    }
    let mut query = sqlx::QueryBuilder::<sqlx::MySql>::new(
        "SELECT COUNT(*) FROM space_images WHERE deleted_at IS NULL AND (",
    );
    for (n, column) in ["original_key", "web_key", "thumbnail_key"]
        .iter()
        .enumerate()
    {
        if n > 0 {
            query.push(" OR ");
        }
        query.push(*column).push(" IN (");
        let mut list = query.separated(", ");
        for key in keys {
            list.push_bind(key.clone());
        }
        query.push(")");
    }
    query.push(")");
    query.build_query_scalar().fetch_one(&mut *conn).await
}

/// Live photos still `processing` since before `before` (at most 1,000, oldest first).
pub async fn stuck_processing(
    conn: &mut MySqlConnection,
    before: DateTime<Utc>,
) -> Result<Vec<u64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM space_images WHERE status = ? AND updated_at <= ? \
         AND deleted_at IS NULL ORDER BY updated_at LIMIT 1000",
    )
    .bind(ImageStatus::Processing)
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbnail_subquery_names_the_ready_status() {
        let ready = format!("i.status = '{}'", ImageStatus::Ready.as_str());
        assert!(FIRST_READY_THUMBNAIL.contains(&ready));
    }
}
