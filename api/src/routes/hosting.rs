//! Hosts register and manage their spaces and photos.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::multipart::Upload,
};
use spacecloud_common::{
    db::{self, spaces},
    domain::{ImageStatus, Page, RefundPolicy},
    error::AppError,
    hosting::{self, CheckedImage, SpaceInput, UploadRejected},
};

use super::form_bool::FormBool;
use super::{
    ApiTags,
    spaces::{SpaceDetail, SpaceImage, SpaceSummary, detail, summary},
};
use crate::{auth::BearerAuth, error::Problem, error_responses, state::AppState};

pub struct HostingApi;

/// The fields of a new space; a slot whose price is omitted is not offered.
#[derive(Multipart, Debug)]
pub(super) struct SpaceForm {
    /// 1–100 characters.
    title: String,
    sub_title: Option<String>,
    description: Option<String>,
    category_id: u64,
    district_id: u64,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// Default 1.
    min_count: Option<i64>,
    max_count: i64,
    price_day: Option<i64>,
    price_night: Option<i64>,
    price_all: Option<i64>,
    /// Offers the `hourly` option at this price per hour.
    price_hour: Option<i64>,
    /// The fewest hours of one hourly booking (default 1).
    min_hours: Option<i64>,
    /// When hourly bookings may start, 0–23 (default 0).
    open_hour: Option<i64>,
    /// When hourly bookings must have ended, 1–24, after `open_hour` (default 24).
    close_hour: Option<i64>,
    // Default `flexible`. (A plain comment: a described enum field becomes an `allOf` that
    // Python clients drop.)
    refund_policy: Option<RefundPolicy>,
    /// `false`: you approve each booking before it is confirmed (default `true`). Either
    /// letter case is read.
    instant_booking: Option<FormBool>,
    /// Repeatable.
    facility_id: Vec<u64>,
    /// Up to 10 JPEG, PNG or WebP files of at most 10 MiB each, judged by content.
    images: Vec<Upload>,
}

#[derive(Multipart, Debug)]
struct ImagesForm {
    images: Vec<Upload>,
}

#[derive(Object, Debug)]
struct AcceptedImage {
    id: u64,
    status: ImageStatus,
}

#[derive(Object, Debug)]
struct MySpace {
    #[oai(flatten)]
    summary: SpaceSummary,
    /// Every photo with its processing status.
    images: Vec<SpaceImage>,
}

page_of!(MySpacePage, MySpace);

#[derive(ApiResponse)]
pub(super) enum CreatedSpace {
    /// The space; its images are `processing` until the worker has stored them.
    #[oai(status = 201)]
    Created(Json<SpaceDetail>),
}

#[derive(ApiResponse)]
enum AcceptedImages {
    /// The images are queued for processing.
    #[oai(status = 202)]
    Accepted(Json<Vec<AcceptedImage>>),
}

#[derive(ApiResponse)]
pub(super) enum Deleted {
    /// Removed; stored objects are deleted in the background.
    #[oai(status = 204)]
    NoContent,
}

error_responses!(
    /// Errors of registering a space.
    CreateSpaceError {
        BadRequest = 400 "`bad_request`: the body is not a multipart form, or a form field is missing or does not parse.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Conflict = 409 "`uploads_pending`: too many of the caller's photos still wait to be processed.",
        TooLarge = 413 "`file_too_large`: a file is over 10 MiB; `payload_too_large`: the body is over the server's limit.",
        Unsupported = 415 "`unsupported_image`: a file is not a JPEG, PNG or WebP image; `unsupported_media_type`: the body is not `multipart/form-data`.",
        Unprocessable = 422 "`validation_failed`: a field breaks its rule (or 0 or over 10 images); `invalid_image`: a damaged image or one of too many pixels.",
        TooManyRequests = 429 "`rate_limited`: over the caller's upload budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`: nothing was created.",
    }
);

error_responses!(
    /// Errors of adding photos to a space.
    AddSpaceImagesError {
        BadRequest = 400 "`malformed_request`: the id is not a number; `bad_request`: the form cannot be read.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        Conflict = 409 "`uploads_pending`: too many of the caller's photos still wait to be processed.",
        TooLarge = 413 "`file_too_large`: a file is over 10 MiB; `payload_too_large`: the body is over the server's limit.",
        Unsupported = 415 "`unsupported_image`: a file is not a JPEG, PNG or WebP image; `unsupported_media_type`: the body is not `multipart/form-data`.",
        Unprocessable = 422 "`validation_failed`: no image, or more than 10 in all; `invalid_image`: a damaged image or one of too many pixels.",
        TooManyRequests = 429 "`rate_limited`: over the caller's upload budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`: nothing was added.",
    }
);

error_responses!(
    /// Errors of changing a space.
    UpdateSpaceError {
        BadRequest = 400 "`malformed_request`: the id is not a number, the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: a field breaks its rule.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of removing a space or one of its photos.
    DeleteError {
        BadRequest = 400 "`malformed_request`: an id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space (or photo of it).",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`: nothing was removed.",
    }
);

error_responses!(
    /// Errors of listing the caller's spaces.
    ListMySpacesError {
        BadRequest = 400 "`malformed_request`: `page` or `per_page` is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

async fn read_uploads(uploads: Vec<Upload>) -> Result<Vec<CheckedImage>, Problem> {
    let mut files = Vec::with_capacity(uploads.len());
    for (n, upload) in uploads.into_iter().enumerate() {
        if upload.size() > spacecloud_common::images::MAX_FILE_BYTES {
            return Err(Problem::from(UploadRejected {
                field: format!("images[{n}]"),
                rejection: spacecloud_common::images::Rejection::TooLarge,
            }));
        }
        let bytes = upload.into_vec().await.map_err(|_| {
            Problem::from(AppError::malformed("images", "could not read the upload"))
        })?;
        files.push(bytes);
    }
    hosting::check_uploads(files).map_err(Problem::from)
}

/// `POST /api/v1/spaces`, declared in the spaces API (one spec entry per path).
pub(super) async fn create_space(
    state: &AppState,
    auth: BearerAuth,
    form: SpaceForm,
) -> Result<CreatedSpace, CreateSpaceError> {
    let input = SpaceInput {
        title: form.title,
        sub_title: form.sub_title,
        description: form.description,
        category_id: form.category_id,
        district_id: form.district_id,
        address: form.address,
        latitude: form.latitude,
        longitude: form.longitude,
        min_count: form.min_count,
        max_count: form.max_count,
        price_day: form.price_day,
        price_night: form.price_night,
        price_all: form.price_all,
        price_hour: form.price_hour,
        min_hours: form.min_hours,
        open_hour: form.open_hour,
        close_hour: form.close_hour,
        refund_policy: form.refund_policy,
        instant_booking: form.instant_booking.map(|flag| flag.0),
        facility_ids: form.facility_id,
    };
    let now = state.clock.now();
    let space =
        hosting::validate(&state.pool, auth.user_id(), &input, form.images.len(), now).await?;
    let uploads = read_uploads(form.images).await?;
    let (space_id, _) =
        hosting::create_space(&state.pool, &state.jobs, &space, uploads, now).await?;
    state.catalogue_changed().await;
    let mut conn = state.pool.acquire().await?;
    let rows = spaces::detail(&mut conn, space_id, Some(auth.user_id()))
        .await?
        .ok_or(AppError::NotFound("space"))?;
    let images = db::images::of_spaces(&mut conn, &[space_id]).await?;
    let mut created = detail(state, rows, true);
    created.images = images
        .into_iter()
        .map(|image| SpaceImage::for_host(state, image))
        .collect();
    Ok(CreatedSpace::Created(Json(created)))
}

/// `DELETE /api/v1/spaces/{id}`, declared in the spaces API (one spec entry per path).
pub(super) async fn delete_space(
    state: &AppState,
    auth: BearerAuth,
    space_id: u64,
) -> Result<Deleted, DeleteError> {
    hosting::delete_space(
        &state.pool,
        &state.jobs,
        auth.user_id(),
        space_id,
        state.clock.now(),
    )
    .await?;
    state.catalogue_changed().await;
    Ok(Deleted::NoContent)
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Hosting")]
impl HostingApi {
    /// Add photos to your space (at most 10 in all).
    #[oai(
        path = "/spaces/:id/images",
        method = "post",
        operation_id = "addSpaceImages"
    )]
    async fn add_images(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        form: ImagesForm,
    ) -> Result<AcceptedImages, AddSpaceImagesError> {
        // Ownership first: a stranger's upload is refused before its bytes are examined.
        let space =
            hosting::owned_space(&mut *state.pool.acquire().await?, auth.user_id(), id.0).await?;
        if form.images.is_empty() || form.images.len() > hosting::MAX_IMAGES {
            return Err(AppError::invalid("images", "send 1 to 10 images").into());
        }
        let uploads = read_uploads(form.images).await?;
        let ids = hosting::add_images(&state.pool, &state.jobs, space, uploads, state.clock.now())
            .await?;
        Ok(AcceptedImages::Accepted(Json(
            ids.into_iter()
                .map(|id| AcceptedImage {
                    id,
                    status: ImageStatus::Processing,
                })
                .collect(),
        )))
    }

    /// Remove a photo of your space.
    #[oai(
        path = "/spaces/:id/images/:image_id",
        method = "delete",
        operation_id = "deleteSpaceImage"
    )]
    async fn delete_image(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        /// The photo's id.
        image_id: Path<u64>,
    ) -> Result<Deleted, DeleteError> {
        hosting::delete_image(
            &state.pool,
            &state.jobs,
            auth.user_id(),
            id.0,
            image_id.0,
            state.clock.now(),
        )
        .await?;
        state.catalogue_changed().await;
        Ok(Deleted::NoContent)
    }

    /// Your spaces, with every photo and its processing status.
    #[oai(path = "/me/spaces", method = "get", operation_id = "listMySpaces")]
    async fn my_spaces(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<MySpacePage>, ListMySpacesError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let (rows, total) = spaces::owned_by(&mut conn, auth.user_id(), page).await?;
        let ids: Vec<u64> = rows.iter().map(|row| row.id).collect();
        let mut images = db::images::of_spaces(&mut conn, &ids).await?;
        let items = rows
            .into_iter()
            .map(|row| {
                let space_id = row.id;
                let mine: Vec<_> = images
                    .extract_if(.., |image| image.space_id == space_id)
                    .map(|image| SpaceImage::for_host(&state, image))
                    .collect();
                MySpace {
                    summary: summary(&state, row),
                    images: mine,
                }
            })
            .collect();
        Ok(Json(MySpacePage::new(items, page, total)))
    }
}
