//! Decodes, resizes and stores a space photo staged in Redis; the photo ends `ready` or
//! `failed` with a reason its host reads.

use std::time::Duration;

use apalis::prelude::BoxDynError;
use spacecloud_common::{
    db::{self, images::ImageRow},
    domain::ImageStatus,
    jobs::{self, ProcessImage},
};

use super::{
    Handler,
    photos::{self, PhotoOutcome, STORAGE_GAVE_UP},
};
use crate::JobContext;

impl Handler for ProcessImage {
    const TIMEOUT: Duration = Duration::from_secs(120);
    /// About three minutes of deliveries: a storage outage that long ends the photo `failed`
    /// (the host uploads it again); a row still missing by then was rolled back.
    const ATTEMPTS: usize = 20;

    /// Decoding is CPU-bound: at most one photo per core at a time.
    fn concurrency(_: &JobContext) -> usize {
        std::thread::available_parallelism().map_or(2, usize::from)
    }

    async fn run(self, context: &JobContext, _attempt: usize) -> Result<(), BoxDynError> {
        let staged_key = jobs::staged_image_key(&context.prefix, self.image_id);
        let Some(row) = find(context, self.image_id).await? else {
            return Err(photos::not_committed_yet());
        };
        let Some(keys) = pending_keys(&row) else {
            // Done already or deleted: nothing to do but drop the bytes.
            return photos::drop_staged(context, &staged_key).await;
        };
        let outcome =
            photos::store(context, &staged_key, keys.each_ref().map(String::as_str)).await?;
        let stored = matches!(outcome, PhotoOutcome::Stored { .. });
        let recorded = record(context, self.image_id, outcome).await?;
        if stored && !recorded {
            let failed_meanwhile = find(context, self.image_id)
                .await?
                .is_some_and(|row| row.status == ImageStatus::Failed && row.deleted_at.is_none());
            if failed_meanwhile {
                photos::discard_stored(context, &keys).await?;
            }
        }
        photos::drop_staged(context, &staged_key).await
    }

    async fn exhausted(self, context: &JobContext, error: BoxDynError) -> Result<(), BoxDynError> {
        let staged_key = jobs::staged_image_key(&context.prefix, self.image_id);
        if find(context, self.image_id).await?.is_some() {
            tracing::warn!(image.id = self.image_id, error = %spacecloud_common::error::loggable(&*error), "photo given up");
            record(
                context,
                self.image_id,
                PhotoOutcome::Refused(STORAGE_GAVE_UP.into()),
            )
            .await?;
        }
        photos::drop_staged(context, &staged_key).await
    }
}

async fn find(context: &JobContext, image_id: u64) -> Result<Option<ImageRow>, BoxDynError> {
    let mut conn = context.pool.acquire().await?;
    Ok(db::images::find(&mut conn, image_id).await?)
}

/// The object keys of a photo still waiting to be processed.
fn pending_keys(row: &ImageRow) -> Option<[String; 3]> {
    if row.status != ImageStatus::Processing || row.deleted_at.is_some() {
        return None;
    }
    Some([
        row.original_key.clone()?,
        row.web_key.clone()?,
        row.thumbnail_key.clone()?,
    ])
}

/// Records the outcome on a photo still `processing`; returns whether it was.
async fn record(
    context: &JobContext,
    image_id: u64,
    outcome: PhotoOutcome,
) -> Result<bool, BoxDynError> {
    let now = context.clock.now();
    let mut conn = context.pool.acquire().await?;
    match outcome {
        PhotoOutcome::Stored { width, height } => {
            let ready = db::images::mark_ready(&mut conn, image_id, width, height, now).await?;
            if ready {
                tracing::info!(image.id = image_id, width, height, "image ready");
                // The space's detail now shows the photo: wake the API processes' catalogues
                // (they would find it at their next poll anyway).
                spacecloud_common::catalogue::announce(&context.queues).await;
            }
            Ok(ready)
        }
        PhotoOutcome::Refused(reason) => {
            tracing::warn!(image.id = image_id, %reason, "image refused");
            db::images::mark_failed(&mut conn, image_id, &reason, now).await?;
            Ok(true)
        }
    }
}
