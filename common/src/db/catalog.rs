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

/// Which of the referenced ids exist: one statement for a whole space form.
pub struct KnownIds {
    pub category: bool,
    pub district: bool,
    /// How many of the (deduplicated) facility ids exist.
    pub facilities: usize,
}

pub async fn existing_ids(
    conn: &mut MySqlConnection,
    category_id: u64,
    district_id: u64,
    facility_ids: &[u64],
) -> Result<KnownIds, sqlx::Error> {
    let mut query = sqlx::QueryBuilder::<sqlx::MySql>::new(
        "SELECT CAST(EXISTS (SELECT 1 FROM categories WHERE id = ",
    );
    query
        .push_bind(category_id)
        .push(") AS SIGNED), CAST(EXISTS (SELECT 1 FROM districts WHERE id = ")
        .push_bind(district_id)
        .push(") AS SIGNED), (SELECT COUNT(*) FROM facilities WHERE id IN (");
    let mut ids = query.separated(", ");
    ids.push_bind(0u64);
    for id in facility_ids {
        ids.push_bind(*id);
    }
    query.push("))");
    let (category, district, facilities): (i64, i64, i64) =
        query.build_query_as().fetch_one(&mut *conn).await?;
    Ok(KnownIds {
        category: category == 1,
        district: district == 1,
        facilities: facilities as usize,
    })
}
