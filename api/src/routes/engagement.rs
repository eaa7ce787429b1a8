//! Likes and reviews.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::multipart::Upload,
};
use spacecloud_common::{
    db::spaces,
    domain::Page,
    engagement::{self, Grade, ReviewRow, ReviewText},
    error::AppError,
    hosting::CheckedImage,
    hosting::UploadRejected,
    images::Rejection,
};

use super::nullable::Nullable;
use super::{
    ApiTags,
    spaces::{SpacePage, summary},
};
use crate::{auth::BearerAuth, error::Problem, error_responses, state::AppState};

pub struct EngagementApi;

#[derive(ApiResponse)]
enum Done {
    /// Done (idempotent).
    #[oai(status = 204)]
    NoContent,
}

#[derive(Object, Debug)]
struct Reviewer {
    id: u64,
    nickname: String,
}

#[derive(Object, Debug)]
struct Review {
    id: u64,
    user: Reviewer,
    grade: u8,
    content: String,
    image_url: Nullable<String>,
    created_at: DateTime<Utc>,
}

page_of!(ReviewPage, Review);

#[derive(Multipart, Debug)]
struct ReviewForm {
    /// 1 to 5.
    grade: i64,
    /// 1 to 2000 characters.
    content: String,
    /// Optional JPEG, PNG or WebP photo (at most 10 MiB); shown once the worker has processed it.
    image: Option<Upload>,
}

#[derive(ApiResponse)]
enum CreatedReview {
    /// The review, counted in the space's `rating` and `review_count` at once.
    #[oai(status = 201)]
    Created(Json<Review>),
}

error_responses!(
    /// Errors of liking or unliking a space.
    LikeError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        NotFound = 404 "`not_found`: no such space.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of listing the caller's liked spaces.
    ListMyLikesError {
        BadRequest = 400 "`malformed_request`: `page` or `per_page` is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of reviewing a space.
    ReviewError {
        BadRequest = 400 "`malformed_request`: the id is not a number; `bad_request`: the form cannot be read (a missing or unparsable field, such as `grade=five`).",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`own_space`: the space is the caller's own.",
        NotFound = 404 "`not_found`: no such space.",
        Conflict = 409 "`no_order`, `order_not_completed`, `stay_not_started` or `already_reviewed`: the caller may not review it (yet); `uploads_pending`: too many of the caller's photos still wait to be processed.",
        TooLarge = 413 "`file_too_large`: the photo is over 10 MiB; `payload_too_large`: the body is over the server's limit.",
        Unsupported = 415 "`unsupported_image`: the photo is not a JPEG, PNG or WebP image; `unsupported_media_type`: the body is not `multipart/form-data`.",
        Unprocessable = 422 "`validation_failed`: grade outside 1–5, content empty or over 2000 characters; `invalid_image`: a damaged photo or one of too many pixels.",
        TooManyRequests = 429 "`rate_limited`: over the caller's upload budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`: nothing was stored.",
    }
);

error_responses!(
    /// Errors of listing a space's reviews.
    ListReviewsError {
        BadRequest = 400 "`malformed_request`: the id, `page` or `per_page` is not a number.",
        NotFound = 404 "`not_found`: no such space.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

fn photo_rejected(rejection: Rejection) -> Problem {
    Problem::from(UploadRejected {
        field: "image".into(),
        rejection,
    })
}

fn review_dto(state: &AppState, row: ReviewRow) -> Review {
    Review {
        id: row.id,
        user: Reviewer {
            id: row.user_id,
            nickname: row.nickname,
        },
        grade: row.grade,
        content: row.content,
        image_url: row.image_web_key.map(|key| state.media_url(&key)).into(),
        created_at: row.created_at,
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Spaces")]
impl EngagementApi {
    /// Like a space. Idempotent.
    #[oai(path = "/spaces/:id/like", method = "put", operation_id = "likeSpace")]
    async fn like(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
    ) -> Result<Done, LikeError> {
        engagement::like(&state.pool, auth.user_id(), id.0, state.clock.now()).await?;
        state.catalogue_changed().await;
        Ok(Done::NoContent)
    }

    /// Stop liking a space. Idempotent.
    #[oai(
        path = "/spaces/:id/like",
        method = "delete",
        operation_id = "unlikeSpace"
    )]
    async fn unlike(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
    ) -> Result<Done, LikeError> {
        engagement::unlike(&state.pool, auth.user_id(), id.0, state.clock.now()).await?;
        state.catalogue_changed().await;
        Ok(Done::NoContent)
    }

    /// The spaces the caller likes, most recently liked first.
    #[oai(path = "/me/likes", method = "get", operation_id = "listMyLikes")]
    async fn my_likes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<SpacePage>, ListMyLikesError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let (rows, total) = spaces::liked_by(&mut conn, auth.user_id(), page).await?;
        Ok(Json(SpacePage::new(
            rows.into_iter().map(|row| summary(&state, row)).collect(),
            page,
            total,
        )))
    }

    /// Review a space you stayed at.
    ///
    /// Needs a `completed` booking of it dated today or earlier; each booking is reviewed
    /// once.
    #[oai(
        path = "/spaces/:id/reviews",
        method = "post",
        operation_id = "reviewSpace"
    )]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        form: ReviewForm,
    ) -> Result<CreatedReview, ReviewError> {
        let grade = Grade::parse(form.grade);
        let text = ReviewText::parse(&form.content);
        let (grade, text) = match (grade, text) {
            (Ok(grade), Ok(text)) => (grade, text),
            (grade, text) => {
                let errors = [grade.err(), text.err()].into_iter().flatten().collect();
                return Err(AppError::Validation(errors).into());
            }
        };
        let photo = match form.image {
            Some(upload) => {
                if upload.size() > spacecloud_common::images::MAX_FILE_BYTES {
                    return Err(photo_rejected(Rejection::TooLarge).into());
                }
                let bytes = upload
                    .into_vec()
                    .await
                    .map_err(|_| AppError::malformed("image", "could not read the upload"))?;
                let kind = spacecloud_common::images::sniff(&bytes)
                    .map_err(|rejection| ReviewError::from(photo_rejected(rejection)))?;
                Some(CheckedImage { kind, bytes })
            }
            None => None,
        };
        let moment = state.moment();
        let review = engagement::NewReview {
            user_id: auth.user_id(),
            space_id: id.0,
            grade,
            text,
            photo,
        };
        let review_id = engagement::review(&state.pool, &state.jobs, &review, moment).await?;
        state.catalogue_changed().await;
        let (grade, text) = (review.grade, review.text);
        Ok(CreatedReview::Created(Json(Review {
            id: review_id,
            user: Reviewer {
                id: auth.0.id,
                nickname: auth.0.nickname.clone(),
            },
            grade: grade.get(),
            content: text.as_str().to_owned(),
            image_url: None.into(),
            created_at: moment.now,
        })))
    }

    /// A space's reviews, newest first.
    #[oai(
        path = "/spaces/:id/reviews",
        method = "get",
        operation_id = "listSpaceReviews"
    )]
    async fn reviews(
        &self,
        state: Data<&AppState>,
        /// The space's id.
        id: Path<u64>,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<ReviewPage>, ListReviewsError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let (rows, total) = engagement::reviews_of(&mut conn, id.0, page.per_page(), page.offset())
            .await?
            .ok_or(AppError::NotFound("space"))?;
        Ok(Json(ReviewPage::new(
            rows.into_iter()
                .map(|row| review_dto(&state, row))
                .collect(),
            page,
            total,
        )))
    }
}
