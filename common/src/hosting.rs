//! Hosts' side of spaces: registering one with photos, adding and removing photos, removing
//! the space. The request path only checks and stages bytes; the worker decodes and stores.
//! A space and its image rows commit only after their bytes are staged and their jobs queued,
//! so a Redis failure leaves nothing behind, and a job whose rows never committed is a no-op.

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    db::{
        self,
        spaces::{self, NewSpace},
    },
    domain::{Hours, RefundPolicy, Slot},
    error::{AppError, FieldError},
    images::{self, ImageKind, Rejection},
    jobs::{DeleteObjects, JobQueues, ProcessImage, StagedUpload},
};

pub const MAX_IMAGES: usize = 10;

/// A space as a host typed it, before any check.
#[derive(Debug, Clone, Default)]
pub struct SpaceInput {
    pub title: String,
    pub sub_title: Option<String>,
    pub description: Option<String>,
    pub category_id: u64,
    pub district_id: u64,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub min_count: Option<i64>,
    pub max_count: i64,
    pub price_day: Option<i64>,
    pub price_night: Option<i64>,
    pub price_all: Option<i64>,
    /// The hourly option's price per hour; omitted, it is not offered.
    pub price_hour: Option<i64>,
    /// The fewest hours of one hourly booking (default 1).
    pub min_hours: Option<i64>,
    /// `[open_hour, close_hour)`: when hourly bookings may take place (default 0 and 24).
    pub open_hour: Option<i64>,
    pub close_hour: Option<i64>,
    /// How much a cancelling guest gets back (default `flexible`).
    pub refund_policy: Option<RefundPolicy>,
    /// False: the host approves each booking (default true).
    pub instant_booking: Option<bool>,
    pub facility_ids: Vec<u64>,
}

/// An uploaded file that passed the header checks.
pub struct CheckedImage {
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
}

/// An upload refused, naming the form field it came in.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {rejection}")]
pub struct UploadRejected {
    pub field: String,
    pub rejection: Rejection,
}

/// Checks each upload by content and header; no pixels are decoded.
pub fn check_uploads(uploads: Vec<Vec<u8>>) -> Result<Vec<CheckedImage>, UploadRejected> {
    uploads
        .into_iter()
        .enumerate()
        .map(|(n, bytes)| {
            images::sniff(&bytes)
                .map(|kind| CheckedImage { kind, bytes })
                .map_err(|rejection| UploadRejected {
                    field: format!("images[{n}]"),
                    rejection,
                })
        })
        .collect()
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) -> String {
    let trimmed = value.trim();
    let chars = trimmed.chars().count();
    if chars < min || chars > max {
        errors.push(FieldError::new(
            field,
            format!("must be {min} to {max} characters"),
        ));
    }
    trimmed.to_owned()
}

/// Validates a space against the rules and the reference data; reports every bad field.
pub async fn validate(
    pool: &MySqlPool,
    host_id: u64,
    input: &SpaceInput,
    image_count: usize,
    now: DateTime<Utc>,
) -> Result<NewSpace, AppError> {
    let mut errors = Vec::new();
    let title = text(&mut errors, "title", &input.title, 1, 100);
    let sub_title = text(
        &mut errors,
        "sub_title",
        input.sub_title.as_deref().unwrap_or(""),
        0,
        200,
    );
    let description = text(
        &mut errors,
        "description",
        input.description.as_deref().unwrap_or(""),
        0,
        5000,
    );
    let address = text(&mut errors, "address", &input.address, 1, 255);
    if input
        .latitude
        .is_some_and(|lat| !(-90.0..=90.0).contains(&lat))
    {
        errors.push(FieldError::new("latitude", "must be between -90 and 90"));
    }
    if input
        .longitude
        .is_some_and(|lng| !(-180.0..=180.0).contains(&lng))
    {
        errors.push(FieldError::new("longitude", "must be between -180 and 180"));
    }
    let min_count = input.min_count.unwrap_or(1);
    if !(1..=1000).contains(&min_count) {
        errors.push(FieldError::new("min_count", "must be between 1 and 1000"));
    }
    if !(1..=1000).contains(&input.max_count) || input.max_count < min_count {
        errors.push(FieldError::new(
            "max_count",
            "must be between min_count and 1000",
        ));
    }
    let mut options = Vec::new();
    for (field, slot, price) in [
        ("price_day", Slot::Day, input.price_day),
        ("price_night", Slot::Night, input.price_night),
        ("price_all", Slot::All, input.price_all),
        ("price_hour", Slot::Hourly, input.price_hour),
    ] {
        match price {
            Some(price) if (0..=1_000_000_000).contains(&price) => options.push((slot, price)),
            Some(_) => errors.push(FieldError::new(
                field,
                "must be between 0 and 1000000000 won",
            )),
            None => {}
        }
    }
    if options.is_empty()
        && input.price_day.is_none()
        && input.price_night.is_none()
        && input.price_all.is_none()
        && input.price_hour.is_none()
    {
        errors.push(FieldError::new(
            "price_day",
            "at least one of price_day, price_night, price_all, price_hour is required",
        ));
    }
    let hour =
        |field: &str, value: Option<i64>, default: u8, errors: &mut Vec<FieldError>| match value {
            None => default,
            Some(value) if (0..=i64::from(Hours::DAY_END)).contains(&value) => value as u8,
            Some(_) => {
                errors.push(FieldError::new(field, "must be between 0 and 24"));
                default
            }
        };
    let open_hour = hour("open_hour", input.open_hour, 0, &mut errors);
    let close_hour = hour("close_hour", input.close_hour, Hours::DAY_END, &mut errors);
    let opening = Hours::new(open_hour, close_hour).unwrap_or_else(|| {
        errors.push(FieldError::new("close_hour", "must be after open_hour"));
        Hours::WHOLE_DAY
    });
    let min_hours = match input.min_hours {
        None => 1,
        Some(value) if (1..=i64::from(opening.len())).contains(&value) => value as u8,
        Some(_) => {
            errors.push(FieldError::new(
                "min_hours",
                "must be at least 1 and fit in the opening hours",
            ));
            1
        }
    };
    if image_count > MAX_IMAGES {
        errors.push(FieldError::new(
            "images",
            format!("at most {MAX_IMAGES} images"),
        ));
    }
    let mut facility_ids = input.facility_ids.clone();
    facility_ids.sort_unstable();
    facility_ids.dedup();
    let mut conn = pool.acquire().await?;
    let known = db::catalog::existing_ids(
        &mut conn,
        input.category_id,
        input.district_id,
        &facility_ids,
    )
    .await?;
    if !known.category {
        errors.push(FieldError::new("category_id", "no such category"));
    }
    if !known.district {
        errors.push(FieldError::new("district_id", "no such district"));
    }
    if known.facilities != facility_ids.len() {
        errors.push(FieldError::new("facility_id", "no such facility"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(NewSpace {
        host_id,
        category_id: input.category_id,
        district_id: input.district_id,
        title,
        sub_title,
        description,
        address,
        latitude: input.latitude,
        longitude: input.longitude,
        min_count: min_count as u32,
        max_count: input.max_count as u32,
        options,
        opening,
        min_hours,
        refund_policy: input.refund_policy.unwrap_or_default(),
        instant_booking: input.instant_booking.unwrap_or(true),
        facility_ids,
        created_at: now,
    })
}

/// How many photos one user may have waiting to be processed (of their spaces and reviews):
/// what a user can have staged in Redis is bounded by this times 10 MiB.
pub const MAX_PENDING_PHOTOS: i64 = 30;

/// Refuses an upload of `adding` photos by `user_id` while too many of theirs still wait for
/// the worker. A plain read: concurrent uploads may overshoot by a request's worth, which the
/// upload rate limit bounds.
pub async fn check_pending_photos(
    pool: &MySqlPool,
    user_id: u64,
    adding: usize,
) -> Result<(), AppError> {
    let pending: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM space_images i JOIN spaces s ON s.id = i.space_id \
                 WHERE s.host_id = ? AND i.status = ? AND i.deleted_at IS NULL) \
              + (SELECT COUNT(*) FROM reviews WHERE user_id = ? AND image_status = ?)",
    )
    .bind(user_id)
    .bind(crate::domain::ImageStatus::Processing)
    .bind(user_id)
    .bind(crate::domain::ImageStatus::Processing)
    .fetch_one(pool)
    .await?;
    if pending + adding as i64 > MAX_PENDING_PHOTOS {
        return Err(AppError::Conflict {
            code: crate::domain::ConflictCode::UploadsPending,
            detail: format!(
                "{pending} of your photos are still being processed; upload more once they are"
            ),
        });
    }
    Ok(())
}

/// Creates the space with its images `processing`; returns the space id and the image ids.
/// The photos' bytes are staged first; the transaction only makes rows and hands them over.
pub async fn create_space(
    pool: &MySqlPool,
    queues: &JobQueues,
    space: &NewSpace,
    uploads: Vec<CheckedImage>,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<u64>), AppError> {
    check_pending_photos(pool, space.host_id, uploads.len()).await?;
    let (kinds, staged) = stage(queues, uploads).await?;
    let created = insert_space_with_images(pool, queues, space, &kinds, &staged, now).await;
    if created.is_err() {
        queues.discard(&staged).await;
    }
    created
}

async fn insert_space_with_images(
    pool: &MySqlPool,
    queues: &JobQueues,
    space: &NewSpace,
    kinds: &[ImageKind],
    staged: &[StagedUpload],
    now: DateTime<Utc>,
) -> Result<(u64, Vec<u64>), AppError> {
    let mut tx = pool.begin().await?;
    let space_id = spaces::insert(&mut tx, space).await?;
    let image_ids = add_images_in(&mut tx, queues, space_id, 0, kinds, staged, now).await?;
    crate::catalogue::record(&mut tx, space_id, now).await?;
    tx.commit().await?;
    Ok((space_id, image_ids))
}

/// Stages every upload's bytes; on a failure, forgets those already staged.
async fn stage(
    queues: &JobQueues,
    uploads: Vec<CheckedImage>,
) -> Result<(Vec<ImageKind>, Vec<StagedUpload>), AppError> {
    let mut kinds = Vec::with_capacity(uploads.len());
    let mut staged = Vec::with_capacity(uploads.len());
    for upload in uploads {
        match queues.stage_upload(&upload.bytes).await {
            Ok(done) => staged.push(done),
            Err(err) => {
                queues.discard(&staged).await;
                return Err(err);
            }
        }
        kinds.push(upload.kind);
    }
    Ok((kinds, staged))
}

async fn add_images_in(
    conn: &mut sqlx::MySqlConnection,
    queues: &JobQueues,
    space_id: u64,
    first_position: u32,
    kinds: &[ImageKind],
    staged: &[StagedUpload],
    now: DateTime<Utc>,
) -> Result<Vec<u64>, AppError> {
    let mut ids = Vec::with_capacity(kinds.len());
    for (n, (kind, upload)) in kinds.iter().zip(staged).enumerate() {
        let id =
            db::images::insert_processing(conn, space_id, first_position + n as u32, *kind, now)
                .await?;
        queues.adopt_image(upload, id).await?;
        ids.push(id);
    }
    for &image_id in &ids {
        queues.enqueue(ProcessImage { image_id }).await?;
    }
    Ok(ids)
}

/// The live space `space_id` if `host_id` owns it: `NotFound` or `Forbidden` otherwise.
pub async fn owned_space(
    conn: &mut MySqlConnection,
    host_id: u64,
    space_id: u64,
) -> Result<OwnedSpace, AppError> {
    hosted_by(spaces::host_of(conn, space_id).await?, host_id, space_id)
}

/// `owned_space`, holding the space's row locked until the caller's transaction ends: what a
/// PATCH takes, and what a block takes first as a hold does (docs/locking.md, rank 2).
pub async fn lock_owned_space(
    conn: &mut MySqlConnection,
    host_id: u64,
    space_id: u64,
) -> Result<OwnedSpace, AppError> {
    hosted_by(
        spaces::lock_host_of(conn, space_id).await?,
        host_id,
        space_id,
    )
}

/// The ownership rule itself, given the space's host (`None`: no such live space).
fn hosted_by(host: Option<u64>, host_id: u64, space_id: u64) -> Result<OwnedSpace, AppError> {
    match host {
        None => Err(AppError::NotFound("space")),
        Some(owner) if owner != host_id => Err(AppError::Forbidden("the space is not yours")),
        Some(_) => Ok(OwnedSpace {
            id: space_id,
            host_id,
        }),
    }
}

/// A live space the caller was found to host: the only way to name a space to the operations
/// that change it, so none of them can skip the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedSpace {
    id: u64,
    host_id: u64,
}

impl OwnedSpace {
    pub fn id(self) -> u64 {
        self.id
    }
}

/// Adds photos to an owned space, after the ones it has.
pub async fn add_images(
    pool: &MySqlPool,
    queues: &JobQueues,
    space: OwnedSpace,
    uploads: Vec<CheckedImage>,
    now: DateTime<Utc>,
) -> Result<Vec<u64>, AppError> {
    check_pending_photos(pool, space.host_id, uploads.len()).await?;
    import_images(pool, queues, space, uploads, now).await
}

/// `add_images` without the bound on a user's pending photos: for an operator's import (the
/// demo seed), not for requests.
pub async fn import_images(
    pool: &MySqlPool,
    queues: &JobQueues,
    space: OwnedSpace,
    uploads: Vec<CheckedImage>,
    now: DateTime<Utc>,
) -> Result<Vec<u64>, AppError> {
    let (kinds, staged) = stage(queues, uploads).await?;
    let added = add_staged_images(pool, queues, space.id(), &kinds, &staged, now).await;
    if added.is_err() {
        queues.discard(&staged).await;
    }
    added
}

async fn add_staged_images(
    pool: &MySqlPool,
    queues: &JobQueues,
    space_id: u64,
    kinds: &[ImageKind],
    staged: &[StagedUpload],
    now: DateTime<Utc>,
) -> Result<Vec<u64>, AppError> {
    let mut tx = pool.begin().await?;
    // Lock the space so concurrent additions count each other.
    let (count, next): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM space_images WHERE space_id = s.id AND deleted_at IS NULL), \
         CAST((SELECT COALESCE(MAX(position) + 1, 0) FROM space_images WHERE space_id = s.id) AS SIGNED) \
         FROM spaces s WHERE s.id = ? AND s.deleted_at IS NULL FOR UPDATE",
    )
    .bind(space_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound("space"))?;
    if count as usize + kinds.len() > MAX_IMAGES {
        return Err(AppError::invalid(
            "images",
            format!("a space has at most {MAX_IMAGES} images"),
        ));
    }
    let ids = add_images_in(&mut tx, queues, space_id, next as u32, kinds, staged, now).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Removes one photo of an owned space; its objects are deleted in the background.
pub async fn delete_image(
    pool: &MySqlPool,
    queues: &JobQueues,
    host_id: u64,
    space_id: u64,
    image_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    owned_space(&mut tx, host_id, space_id).await?;
    let keys = db::images::soft_delete(&mut tx, space_id, Some(image_id), now).await?;
    if keys.is_empty() {
        return Err(AppError::NotFound("image"));
    }
    db::object_deletions::record(&mut tx, &keys, now).await?;
    crate::catalogue::record(&mut tx, space_id, now).await?;
    queues.enqueue(DeleteObjects { keys }).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an owned space from every public list (its orders stay) and its photos from storage.
pub async fn delete_space(
    pool: &MySqlPool,
    queues: &JobQueues,
    host_id: u64,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    owned_space(&mut tx, host_id, space_id).await?;
    sqlx::query(
        "UPDATE spaces SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(now)
    .bind(space_id)
    .execute(&mut *tx)
    .await?;
    let keys = db::images::soft_delete(&mut tx, space_id, None, now).await?;
    crate::catalogue::record(&mut tx, space_id, now).await?;
    if !keys.is_empty() {
        db::object_deletions::record(&mut tx, &keys, now).await?;
        queues.enqueue(DeleteObjects { keys }).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Fields of a space to change; absent ones stay. Prices set or change a slot's price (a slot
/// cannot be withdrawn here: its orders refer to it).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(rename = "SpaceChanges"))]
pub struct SpacePatch {
    pub title: Option<String>,
    pub sub_title: Option<String>,
    pub description: Option<String>,
    pub category_id: Option<u64>,
    pub district_id: Option<u64>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub min_count: Option<i64>,
    pub max_count: Option<i64>,
    pub price_day: Option<i64>,
    pub price_night: Option<i64>,
    pub price_all: Option<i64>,
    /// Sets (or adds) the hourly option's price per hour.
    pub price_hour: Option<i64>,
    pub min_hours: Option<i64>,
    pub open_hour: Option<i64>,
    pub close_hour: Option<i64>,
    // Applies to bookings placed from now on; earlier ones keep the policy they were placed
    // under. (A plain comment: a described enum field becomes an `allOf` clients drop.)
    pub refund_policy: Option<RefundPolicy>,
    /// False: the host approves each booking paid from now on.
    pub instant_booking: Option<bool>,
    /// Replaces the space's facilities.
    #[cfg_attr(feature = "openapi", oai(rename = "facility_id"))]
    pub facility_ids: Option<Vec<u64>>,
}

#[derive(sqlx::FromRow)]
struct CurrentSpace {
    title: String,
    sub_title: String,
    description: String,
    category_id: u64,
    district_id: u64,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    min_count: u32,
    max_count: u32,
    open_hour: u8,
    close_hour: u8,
    min_hours: u8,
    refund_policy: RefundPolicy,
    instant_booking: bool,
}

/// Applies a patch to an owned space after validating the result as a whole.
pub async fn update_space(
    pool: &MySqlPool,
    host_id: u64,
    space_id: u64,
    patch: SpacePatch,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    // The space's row stays locked from the read of its current fields to the write: two
    // PATCHes apply one after the other, and neither writes back a field the other changed.
    lock_owned_space(&mut tx, host_id, space_id).await?;
    let current: CurrentSpace = sqlx::query_as(
        "SELECT title, sub_title, description, category_id, district_id, address, \
         CAST(latitude AS DOUBLE) AS latitude, CAST(longitude AS DOUBLE) AS longitude, \
         min_count, max_count, open_hour, close_hour, min_hours, refund_policy, instant_booking \
         FROM spaces WHERE id = ?",
    )
    .bind(space_id)
    .fetch_one(&mut *tx)
    .await?;
    let prices: Vec<(Slot, i64)> =
        sqlx::query_as("SELECT slot, price FROM space_options WHERE space_id = ?")
            .bind(space_id)
            .fetch_all(&mut *tx)
            .await?;
    let price_of = |slot: Slot| prices.iter().find(|(s, _)| *s == slot).map(|(_, p)| *p);
    let facilities: Vec<u64> =
        sqlx::query_scalar("SELECT facility_id FROM space_facilities WHERE space_id = ?")
            .bind(space_id)
            .fetch_all(&mut *tx)
            .await?;
    let input = SpaceInput {
        title: patch.title.unwrap_or(current.title),
        sub_title: Some(patch.sub_title.unwrap_or(current.sub_title)),
        description: Some(patch.description.unwrap_or(current.description)),
        category_id: patch.category_id.unwrap_or(current.category_id),
        district_id: patch.district_id.unwrap_or(current.district_id),
        address: patch.address.unwrap_or(current.address),
        latitude: patch.latitude.or(current.latitude),
        longitude: patch.longitude.or(current.longitude),
        min_count: Some(patch.min_count.unwrap_or(i64::from(current.min_count))),
        max_count: patch.max_count.unwrap_or(i64::from(current.max_count)),
        price_day: patch.price_day.or(price_of(Slot::Day)),
        price_night: patch.price_night.or(price_of(Slot::Night)),
        price_all: patch.price_all.or(price_of(Slot::All)),
        price_hour: patch.price_hour.or(price_of(Slot::Hourly)),
        min_hours: Some(patch.min_hours.unwrap_or(i64::from(current.min_hours))),
        open_hour: Some(patch.open_hour.unwrap_or(i64::from(current.open_hour))),
        close_hour: Some(patch.close_hour.unwrap_or(i64::from(current.close_hour))),
        refund_policy: Some(patch.refund_policy.unwrap_or(current.refund_policy)),
        instant_booking: Some(patch.instant_booking.unwrap_or(current.instant_booking)),
        facility_ids: patch.facility_ids.unwrap_or(facilities),
    };
    let space = validate(pool, host_id, &input, 0, now).await?;
    db::spaces::update(&mut tx, space_id, &space, now).await?;
    crate::catalogue::record(&mut tx, space_id, now).await?;
    tx.commit().await?;
    Ok(())
}
