//! Decodes, resizes and stores a review's photo staged in Redis, like a space photo.

use std::time::Duration;

use apalis::prelude::BoxDynError;
use spacecloud_common::{
    domain::ImageStatus,
    engagement::{self, ReviewPhotoRow},
    jobs::{self, ProcessReviewImage},
};

use super::{
    Handler,
    photos::{self, PhotoOutcome},
};
use crate::JobContext;

impl Handler for ProcessReviewImage {
    const TIMEOUT: Duration = Duration::from_secs(120);
    /// As for space photos.
    const ATTEMPTS: usize = 20;

    fn concurrency(_: &JobContext) -> usize {
        1
    }

    async fn run(self, context: &JobContext, _attempt: usize) -> Result<(), BoxDynError> {
        let staged_key = jobs::staged_review_image_key(&context.prefix, self.review_id);
        let Some(row) = find(context, self.review_id).await? else {
            return Err(photos::not_committed_yet());
        };
        let Some(keys) = pending_keys(row) else {
            return photos::drop_staged(context, &staged_key).await;
        };
        let outcome =
            photos::store(context, &staged_key, keys.each_ref().map(String::as_str)).await?;
        let stored = matches!(outcome, PhotoOutcome::Stored { .. });
        let size = match outcome {
            PhotoOutcome::Stored { width, height } => Some((width, height)),
            PhotoOutcome::Refused(reason) => {
                tracing::warn!(review.id = self.review_id, %reason, "review photo refused");
                None
            }
        };
        let mut conn = context.pool.acquire().await?;
        let recorded = engagement::finish_review_photo(&mut conn, self.review_id, size).await?;
        if stored && !recorded {
            let now = engagement::review_photo(&mut conn, self.review_id).await?;
            drop(conn);
            if now.and_then(|row| row.image_status) == Some(ImageStatus::Failed) {
                photos::discard_stored(context, &keys).await?;
            }
        }
        photos::drop_staged(context, &staged_key).await
    }

    async fn exhausted(self, context: &JobContext, error: BoxDynError) -> Result<(), BoxDynError> {
        let staged_key = jobs::staged_review_image_key(&context.prefix, self.review_id);
        if find(context, self.review_id).await?.is_some() {
            tracing::warn!(review.id = self.review_id, error = %spacecloud_common::error::loggable(&*error), "review photo given up");
            let mut conn = context.pool.acquire().await?;
            engagement::finish_review_photo(&mut conn, self.review_id, None).await?;
        }
        photos::drop_staged(context, &staged_key).await
    }
}

async fn find(context: &JobContext, review_id: u64) -> Result<Option<ReviewPhotoRow>, BoxDynError> {
    let mut conn = context.pool.acquire().await?;
    Ok(engagement::review_photo(&mut conn, review_id).await?)
}

fn pending_keys(row: ReviewPhotoRow) -> Option<[String; 3]> {
    if row.image_status != Some(ImageStatus::Processing) {
        return None;
    }
    Some([
        row.image_original_key?,
        row.image_web_key?,
        row.image_thumbnail_key?,
    ])
}
