//! The worker's jobs, one file each. A job's payload type and queue name are in
//! `spacecloud_common::jobs`; here each kind gets its handler, how many run at once, how long
//! one may take, and its retry policy: how many deliveries it gets and what its last failure
//! leaves behind. `crate::Worker` registers every kind through one generic function.

mod delete_objects;
mod photos;
mod process_image;
mod process_review_image;
mod settle_payment;
mod sweep;

use std::{future::Future, time::Duration};

use apalis::prelude::{AbortError, Attempt, BoxDynError, Data};
use spacecloud_common::jobs::Job;

use crate::JobContext;

/// What the worker knows about one kind of job.
pub(crate) trait Handler: Job + Clone {
    /// The longest one run may take before it counts as failed.
    const TIMEOUT: Duration;
    /// Deliveries one job gets (apalis-redis re-delivers a failed job after a delay that grows
    /// with each attempt: about `n` seconds before the `n`-th); after the last,
    /// [`Handler::exhausted`] decides what is left and the job is not delivered again.
    const ATTEMPTS: usize;

    /// How many run at once in one worker process.
    fn concurrency(context: &JobContext) -> usize;

    /// Does the work. Idempotent: guarded by the state of the rows it concerns, so a duplicate
    /// or retried delivery changes nothing the second time. `attempt` counts from 1.
    fn run(
        self,
        context: &JobContext,
        attempt: usize,
    ) -> impl Future<Output = Result<(), BoxDynError>> + Send;

    /// The last attempt failed with `error`: leave a final state (the default leaves the job to
    /// the sweep's recovery and reports it).
    fn exhausted(
        self,
        context: &JobContext,
        error: BoxDynError,
    ) -> impl Future<Output = Result<(), BoxDynError>> + Send {
        let _ = context;
        async move {
            tracing::error!(job = Self::NAME, error = %spacecloud_common::error::loggable(&*error), "job gave up after its last attempt");
            Err(error)
        }
    }
}

/// The one handler apalis runs for every kind: the retry policy applied the same way to all.
pub(crate) async fn handle<H: Handler>(
    job: H,
    context: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let attempt = attempt.current();
    let started = std::time::Instant::now();
    let outcome = job.clone().run(&context, attempt).await;
    metrics::histogram!("worker_job_duration_seconds", "job" => H::NAME)
        .record(started.elapsed().as_secs_f64());
    let (result, label) = match outcome {
        Ok(()) => (Ok(()), "done"),
        Err(error) if attempt >= H::ATTEMPTS => match job.exhausted(&context, error).await {
            Ok(()) => (Ok(()), "gave_up"),
            // Straight to the dead-letter queue: no further re-delivery.
            Err(error) => (Err(AbortError::new(error).into()), "gave_up"),
        },
        Err(error) => (Err(error), "retried"),
    };
    metrics::counter!("worker_jobs_total", "job" => H::NAME, "outcome" => label).increment(1);
    result
}
