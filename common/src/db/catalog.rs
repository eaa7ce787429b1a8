//! The fixed reference data guests filter by.

use sqlx::{FromRow, MySqlConnection};

#[derive(Debug, Clone, FromRow)]
pub struct DistrictRow {
    pub id: u64,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A category or a facility: both are a name with an icon.
#[derive(Debug, Clone, FromRow)]
pub struct LabelRow {
    pub id: u64,
    pub name: String,
    pub image_url: Option<String>,
}

pub async fn districts(conn: &mut MySqlConnection) -> Result<Vec<DistrictRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, CAST(latitude AS DOUBLE) AS latitude, \
         CAST(longitude AS DOUBLE) AS longitude FROM districts ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

pub async fn categories(conn: &mut MySqlConnection) -> Result<Vec<LabelRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, image_url FROM categories ORDER BY id")
        .fetch_all(conn)
        .await
}

pub async fn facilities(conn: &mut MySqlConnection) -> Result<Vec<LabelRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, image_url FROM facilities ORDER BY id")
        .fetch_all(conn)
        .await
}
