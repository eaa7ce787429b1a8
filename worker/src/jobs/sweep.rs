//! The periodic sweep: expire holds, decline requests to book nobody answered in time, recover
//! lost settlements, forget old idempotency keys.

use std::time::Duration;

use apalis::prelude::BoxDynError;
use spacecloud_common::jobs::{self, Sweep};

use super::Handler;
use crate::JobContext;

impl Handler for Sweep {
    const TIMEOUT: Duration = Duration::from_secs(120);
    /// A failed tick is not retried: the next tick does the same work.
    const ATTEMPTS: usize = 1;

    fn concurrency(_: &JobContext) -> usize {
        1
    }

    async fn run(self, context: &JobContext, _attempt: usize) -> Result<(), BoxDynError> {
        let report = jobs::sweep(
            &context.pool,
            &context.queues,
            context.sweep_bounds,
            &context.payments,
            &context.clock,
        )
        .await?;
        tracing::info!(
            sweep.tick = self.timestamp,
            orders.expired = report.holds_expired,
            orders.declined_unanswered = report.requests_timed_out,
            settlements.requeued = report.settlements_requeued,
            photos.requeued = report.photos_requeued,
            deletions.requeued = report.deletions_requeued,
            idempotency_keys.purged = report.idempotency_keys_purged,
            "sweep done"
        );
        metrics::gauge!("worker_last_sweep_timestamp_seconds").set(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |elapsed| elapsed.as_secs_f64()),
        );
        Ok(())
    }

    async fn exhausted(self, _: &JobContext, error: BoxDynError) -> Result<(), BoxDynError> {
        tracing::warn!(sweep.tick = self.timestamp, error = %spacecloud_common::error::loggable(&*error), "sweep failed; the next tick retries");
        Ok(())
    }
}
