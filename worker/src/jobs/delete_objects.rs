//! Removes the stored objects of deleted spaces and photos.

use std::time::Duration;

use apalis::prelude::BoxDynError;
use spacecloud_common::{db, jobs::DeleteObjects};

use super::Handler;
use crate::JobContext;

impl Handler for DeleteObjects {
    const TIMEOUT: Duration = Duration::from_secs(60);
    /// About half a minute of deliveries: enough for the soft delete that queued this job to
    /// commit, and to ride out a short storage hiccup.
    const ATTEMPTS: usize = 8;

    fn concurrency(context: &JobContext) -> usize {
        context.concurrency
    }

    async fn run(self, context: &JobContext, _attempt: usize) -> Result<(), BoxDynError> {
        let mut conn = context.pool.acquire().await?;
        let recorded = db::object_deletions::recorded(&mut conn, &self.keys).await?;
        drop(conn);
        if recorded.is_empty() {
            // Queued inside the transaction that deletes the rows: until it commits the
            // objects are still in use (and if it rolled back they must stay). Or an earlier
            // delivery finished the work.
            if still_in_use(context, &self).await? {
                return Err("the objects' rows are not deleted yet".into());
            }
            return Ok(());
        }
        for key in &recorded {
            context.storage.delete(key).await?;
        }
        let mut conn = context.pool.acquire().await?;
        db::object_deletions::forget(&mut conn, &recorded).await?;
        Ok(())
    }

    async fn exhausted(self, context: &JobContext, error: BoxDynError) -> Result<(), BoxDynError> {
        if still_in_use(context, &self).await? {
            tracing::info!(
                objects = self.keys.len(),
                "deletion rolled back; objects kept"
            );
            return Ok(());
        }
        tracing::error!(objects = self.keys.len(), error = %spacecloud_common::error::loggable(&*error), "stored objects not deleted yet; the sweep queues them again");
        Err(error)
    }
}

async fn still_in_use(context: &JobContext, job: &DeleteObjects) -> Result<bool, BoxDynError> {
    let mut conn = context.pool.acquire().await?;
    Ok(db::images::live_references(&mut conn, &job.keys).await? > 0)
}
