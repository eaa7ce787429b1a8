use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use spacecloud_common::db::catalog::{self, DistrictRow, LabelRow};

use super::ApiTags;
use super::nullable::Nullable;
use crate::{error_responses, state::AppState};

pub struct CatalogApi;

/// A district of Seoul with its centre.
#[derive(Object)]
pub struct District {
    pub id: u64,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A category or facility: a name with an icon.
#[derive(Object)]
pub struct Label {
    pub id: u64,
    pub name: String,
    pub image_url: Nullable<String>,
}

impl From<DistrictRow> for District {
    fn from(row: DistrictRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            latitude: row.latitude,
            longitude: row.longitude,
        }
    }
}

impl From<LabelRow> for Label {
    fn from(row: LabelRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            image_url: row.image_url.into(),
        }
    }
}

error_responses!(CatalogError {
    Unavailable = 503 "`database_unavailable`.",
});

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// Every district, in a stable order.
    #[oai(path = "/districts", method = "get", operation_id = "listDistricts")]
    async fn districts(&self, state: Data<&AppState>) -> Result<Json<Vec<District>>, CatalogError> {
        let mut conn = state.pool.acquire().await?;
        let rows = catalog::districts(&mut conn).await?;
        Ok(Json(rows.into_iter().map(District::from).collect()))
    }

    /// Every space category.
    #[oai(path = "/categories", method = "get", operation_id = "listCategories")]
    async fn categories(&self, state: Data<&AppState>) -> Result<Json<Vec<Label>>, CatalogError> {
        let mut conn = state.pool.acquire().await?;
        let rows = catalog::categories(&mut conn).await?;
        Ok(Json(rows.into_iter().map(Label::from).collect()))
    }

    /// Every facility a space can have.
    #[oai(path = "/facilities", method = "get", operation_id = "listFacilities")]
    async fn facilities(&self, state: Data<&AppState>) -> Result<Json<Vec<Label>>, CatalogError> {
        let mut conn = state.pool.acquire().await?;
        let rows = catalog::facilities(&mut conn).await?;
        Ok(Json(rows.into_iter().map(Label::from).collect()))
    }
}
