//! What space photos and review photos share: the staged bytes are decoded, resized and
//! stored under keys fixed when the row was made, so every retry writes the same objects.

use apalis::prelude::BoxDynError;
use redis::AsyncCommands;
use spacecloud_common::images;

use crate::JobContext;

/// What became of a staged photo.
pub(super) enum PhotoOutcome {
    Stored {
        width: u32,
        height: u32,
    },
    /// Permanently refused (not decodable, a bomb, or its bytes expired); the reason is shown.
    Refused(String),
}

/// The reason a photo shows when storage stayed down for every attempt.
pub(super) const STORAGE_GAVE_UP: &str = "storage was unavailable; upload it again";

/// Decodes the staged bytes and stores the original and both sizes under `keys` (original,
/// web, thumbnail). A storage failure is an error, for the job's retry policy.
pub(super) async fn store(
    context: &JobContext,
    staged_key: &str,
    keys: [&str; 3],
) -> Result<PhotoOutcome, BoxDynError> {
    let mut redis = context.redis.clone();
    let bytes: Option<Vec<u8>> = redis.get(staged_key).await?;
    let Some(bytes) = bytes else {
        return Ok(PhotoOutcome::Refused(
            "the upload expired before it was processed".into(),
        ));
    };
    let bytes = std::sync::Arc::new(bytes);
    let decoded = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || images::process(&bytes)).await?
    };
    let processed = match decoded {
        Ok(processed) => processed,
        Err(rejection) => return Ok(PhotoOutcome::Refused(rejection.to_string())),
    };
    let [original, web, thumbnail] = keys;
    let uploads = async {
        context
            .storage
            .put(original, bytes.to_vec(), processed.kind.content_type())
            .await?;
        context
            .storage
            .put(web, processed.web_jpeg, "image/jpeg")
            .await?;
        context
            .storage
            .put(thumbnail, processed.thumbnail_jpeg, "image/jpeg")
            .await
    };
    if let Err(err) = uploads.await {
        tracing::warn!(error = %err, "storage upload failed; will retry");
        return Err(err.into());
    }
    Ok(PhotoOutcome::Stored {
        width: processed.width,
        height: processed.height,
    })
}

/// Removes the renditions a job stored for a photo that was failed meanwhile (the sweep took
/// its job for lost and the retry found the bytes gone), so no object outlives its row's
/// state. A photo that became `ready` keeps them: every job writes the same keys.
pub(super) async fn discard_stored(
    context: &JobContext,
    keys: &[String; 3],
) -> Result<(), BoxDynError> {
    for key in keys {
        context.storage.delete(key).await?;
    }
    Ok(())
}

/// Forgets a photo's staged bytes (its outcome is recorded, or it has none to record).
pub(super) async fn drop_staged(context: &JobContext, staged_key: &str) -> Result<(), BoxDynError> {
    context.redis.clone().del::<_, ()>(staged_key).await?;
    Ok(())
}

/// Photo jobs are queued inside the transaction that creates their row, so a worker can see
/// the job a moment before the commit: a missing row is retried until the attempts run out,
/// when it is clear that transaction rolled back.
pub(super) fn not_committed_yet() -> BoxDynError {
    "the photo's row is not committed yet".into()
}
