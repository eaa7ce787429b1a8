//! The background worker: settles payments and runs the periodic sweep (hold expiry, lost
//! settlement recovery), on apalis queues in Redis. Several worker processes may run against
//! one Redis and MySQL: each job runs once, each sweep tick runs once, and every job is
//! idempotent anyway. It stops on SIGTERM after in-flight jobs finish (up to 30 s).

mod polling;

use std::{pin::pin, str::FromStr, sync::Arc, time::Duration};

use anyhow::Context;
use apalis::{
    layers::retry::RetryPolicy,
    prelude::{
        AbortError, Attempt, BackendExt, BoxDynError, Data, Monitor, TaskBuilder, TaskSink,
        WorkerBuilder, WorkerBuilderExt,
    },
};
use apalis_cron::{CronScheduler, Tick};
use apalis_redis::{ConnectionManager, RedisStorage};
use futures_util::StreamExt;
use redis::AsyncCommands;
use secrecy::ExposeSecret;
use spacecloud_common::{
    booking::{self, Settlement, payment::PointsProvider},
    clock::BusinessClock,
    config::Settings,
    db,
    domain::ImageStatus,
    engagement, images,
    jobs::{self, DeleteObjects, JobQueues, ProcessImage, ProcessReviewImage, SettlePayment},
    storage::Storage,
};
use sqlx::MySqlPool;

use crate::polling::EveryInterval;

/// A settlement that failed this many times (a database outage) is left to the sweep, which
/// re-enqueues `payment_pending` orders that stay stuck.
const SETTLEMENT_ATTEMPTS: usize = 10;

/// What every job handler needs.
#[derive(Clone)]
struct JobContext {
    pool: MySqlPool,
    queues: JobQueues,
    storage: Storage,
    redis: ConnectionManager,
    prefix: String,
    clock: BusinessClock,
    stuck_after: chrono::Duration,
    payments: PointsProvider,
}

pub struct Worker {
    settings: Arc<Settings>,
    redis: ConnectionManager,
    pool: MySqlPool,
}

impl Worker {
    /// Connects to Redis (failing start-up if it does not answer) and prepares a MySQL pool.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let redis = tokio::time::timeout(
            Duration::from_secs(10),
            apalis_redis::connect(settings.redis_url.expose_secret()),
        )
        .await
        .context("timed out connecting to Redis")?
        .context("connecting to Redis")?;
        let pool = db::pool(settings).context("DATABASE_URL")?;
        Ok(Self {
            settings: Arc::new(settings.clone()),
            redis,
            pool,
        })
    }

    /// Runs the job workers until `shutdown` resolves, then lets in-flight jobs finish.
    pub async fn run_until_stopped(
        mut self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.redis)
            .await
            .context("pinging Redis")?;
        let jobs_settings = &self.settings.jobs;
        let prefix = jobs_settings.queue_prefix.clone();
        let settle: RedisStorage<SettlePayment> = RedisStorage::new(self.redis.clone())
            .with_config(jobs::queue_config(jobs::settle_queue(&prefix)));
        let ticks: RedisStorage<Tick> = RedisStorage::new(self.redis.clone())
            .with_config(jobs::queue_config(jobs::sweep_queue(&prefix)));
        let schedule =
            cron::Schedule::from_str(&jobs_settings.sweep_schedule).context("SWEEP_SCHEDULE")?;
        let context = JobContext {
            pool: self.pool.clone(),
            queues: JobQueues::new(&self.settings),
            storage: Storage::from_settings(&self.settings.storage).await,
            redis: self.redis.clone(),
            prefix: prefix.clone(),
            clock: BusinessClock::new(self.settings.timezone),
            payments: PointsProvider,
            stuck_after: chrono::Duration::seconds(i64::from(jobs_settings.stuck_payment_seconds)),
        };
        let scheduler = tokio::spawn(push_ticks(schedule, ticks.clone()));
        // Unique per process start: apalis refuses a name whose heartbeat is still fresh.
        let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let poll = Duration::from_millis(jobs_settings.poll_ms);
        let concurrency = jobs_settings.concurrency;
        let images: RedisStorage<ProcessImage> = RedisStorage::new(self.redis.clone())
            .with_config(jobs::queue_config(jobs::image_queue(&prefix)));
        let deletions: RedisStorage<DeleteObjects> = RedisStorage::new(self.redis.clone())
            .with_config(jobs::queue_config(jobs::delete_queue(&prefix)));
        let (settle_context, sweep_context) = (context.clone(), context.clone());
        let review_images: RedisStorage<ProcessReviewImage> = RedisStorage::new(self.redis.clone())
            .with_config(jobs::queue_config(jobs::review_image_queue(&prefix)));
        let review_context = context.clone();
        let review_name = format!("review-images-{instance}");
        let (image_context, delete_context) = (context.clone(), context);
        let image_name = format!("images-{instance}");
        let delete_name = format!("deletions-{instance}");
        let settle_name = format!("settle-{instance}");
        let sweep_name = format!("sweep-{instance}");
        tracing::info!(worker.instance = %instance, "worker ready");
        let monitor = Monitor::new()
            .register(move |run| {
                WorkerBuilder::new(format!("{settle_name}-{run}"))
                    .backend(settle.clone().poll_with_strategy(EveryInterval::new(poll)))
                    .data(settle_context.clone())
                    .concurrency(concurrency)
                    .retry(RetryPolicy::retries(2))
                    .timeout(Duration::from_secs(30))
                    .catch_panic()
                    .enable_tracing()
                    .build(settle_payment)
            })
            .register(move |run| {
                WorkerBuilder::new(format!("{sweep_name}-{run}"))
                    .backend(ticks.clone().poll_with_strategy(EveryInterval::new(poll)))
                    .data(sweep_context.clone())
                    .concurrency(1)
                    .timeout(Duration::from_secs(120))
                    .catch_panic()
                    .enable_tracing()
                    .build(run_sweep)
            })
            .register(move |run| {
                WorkerBuilder::new(format!("{image_name}-{run}"))
                    .backend(images.clone().poll_with_strategy(EveryInterval::new(poll)))
                    .data(image_context.clone())
                    // Decoding is CPU-bound: at most one image per core at a time.
                    .concurrency(std::thread::available_parallelism().map_or(2, usize::from))
                    .timeout(Duration::from_secs(120))
                    .catch_panic()
                    .enable_tracing()
                    .build(process_image)
            })
            .register(move |run| {
                WorkerBuilder::new(format!("{review_name}-{run}"))
                    .backend(
                        review_images
                            .clone()
                            .poll_with_strategy(EveryInterval::new(poll)),
                    )
                    .data(review_context.clone())
                    .concurrency(1)
                    .timeout(Duration::from_secs(120))
                    .catch_panic()
                    .enable_tracing()
                    .build(process_review_image)
            })
            .register(move |run| {
                WorkerBuilder::new(format!("{delete_name}-{run}"))
                    .backend(
                        deletions
                            .clone()
                            .poll_with_strategy(EveryInterval::new(poll)),
                    )
                    .data(delete_context.clone())
                    .concurrency(concurrency)
                    .retry(RetryPolicy::retries(2))
                    .timeout(Duration::from_secs(60))
                    .catch_panic()
                    .enable_tracing()
                    .build(delete_objects)
            })
            .shutdown_timeout(Duration::from_secs(30));
        let result = monitor
            .run_with_signal(async move {
                shutdown.await;
                tracing::info!("worker stopping");
                Ok(())
            })
            .await;
        scheduler.abort();
        self.pool.close().await;
        result.context("running the job workers")
    }
}

async fn settle_payment(
    job: SettlePayment,
    context: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let outcome = booking::settle_payment(
        &context.pool,
        &context.payments,
        job.order_id,
        &context.clock,
    )
    .await;
    match outcome {
        Ok(settlement) => {
            if settlement != Settlement::NothingToDo {
                tracing::info!(order.id = job.order_id, settlement = ?settlement, "payment settled");
            }
            Ok(())
        }
        Err(err) if attempt.current() >= SETTLEMENT_ATTEMPTS => {
            tracing::error!(order.id = job.order_id, error = %err, "settlement given up; the sweep will retry");
            Err(AbortError::new(err).into())
        }
        Err(err) => Err(err.into()),
    }
}

/// An image whose storage uploads keep failing this many times ends `failed`.
const IMAGE_ATTEMPTS: usize = 20;

/// What became of a staged photo.
enum PhotoOutcome {
    Stored {
        width: u32,
        height: u32,
    },
    /// Permanently refused (not decodable, a bomb, or its bytes expired); the reason is shown.
    Refused(String),
}

/// Decodes the staged bytes and stores the original and both sizes under `keys` (original,
/// web, thumbnail). A storage failure is returned for a retry, until the attempts run out.
async fn store_photo(
    context: &JobContext,
    staged_key: &str,
    keys: [&str; 3],
    attempt: &Attempt,
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
    match uploads.await {
        Ok(()) => Ok(PhotoOutcome::Stored {
            width: processed.width,
            height: processed.height,
        }),
        Err(_) if attempt.current() >= IMAGE_ATTEMPTS => Ok(PhotoOutcome::Refused(
            "storage was unavailable; upload it again".into(),
        )),
        Err(err) => {
            tracing::warn!(error = %err, attempt = attempt.current(), "storage upload failed; will retry");
            Err(err.into())
        }
    }
}

/// Photo jobs are queued inside the transaction that creates their row, so a worker can see
/// the job a moment before the commit. A missing row is retried (apalis re-delivers after a
/// growing delay) until it is clear the transaction rolled back; then the bytes are dropped.
async fn not_committed_yet(
    redis: &mut ConnectionManager,
    staged_key: &str,
    attempt: &Attempt,
) -> Result<(), BoxDynError> {
    if attempt.current() < UNCOMMITTED_ATTEMPTS {
        return Err("the photo's row is not committed yet".into());
    }
    redis.del::<_, ()>(staged_key).await?;
    Ok(())
}

/// Re-deliveries of a photo job whose row is not visible before concluding it never will be
/// (apalis waits about `attempt` seconds between them: some 15 s in all).
const UNCOMMITTED_ATTEMPTS: usize = 6;

async fn process_image(
    job: ProcessImage,
    context: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let staged_key = jobs::staged_image_key(&context.prefix, job.image_id);
    let mut redis = context.redis.clone();
    let mut conn = context.pool.acquire().await?;
    let row = db::images::find(&mut conn, job.image_id).await?;
    drop(conn);
    if row.is_none() {
        return not_committed_yet(&mut redis, &staged_key, &attempt).await;
    }
    let row = row.filter(|row| row.status == ImageStatus::Processing && row.deleted_at.is_none());
    let keys = row.as_ref().and_then(|row| {
        Some([
            row.original_key.clone()?,
            row.web_key.clone()?,
            row.thumbnail_key.clone()?,
        ])
    });
    let Some(keys) = keys else {
        // Done already or deleted: nothing to do but drop the bytes.
        redis.del::<_, ()>(&staged_key).await?;
        return Ok(());
    };
    let outcome = store_photo(
        &context,
        &staged_key,
        keys.each_ref().map(String::as_str),
        &attempt,
    )
    .await?;
    let now = context.clock.now();
    let mut conn = context.pool.acquire().await?;
    match outcome {
        PhotoOutcome::Stored { width, height } => {
            db::images::mark_ready(&mut conn, job.image_id, width, height, now).await?;
            tracing::info!(image.id = job.image_id, width, height, "image ready");
        }
        PhotoOutcome::Refused(reason) => {
            tracing::warn!(image.id = job.image_id, %reason, "image refused");
            db::images::mark_failed(&mut conn, job.image_id, &reason, now).await?;
        }
    }
    redis.del::<_, ()>(&staged_key).await?;
    Ok(())
}

async fn process_review_image(
    job: ProcessReviewImage,
    context: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let staged_key = jobs::staged_review_image_key(&context.prefix, job.review_id);
    let mut redis = context.redis.clone();
    let mut conn = context.pool.acquire().await?;
    let row = engagement::review_photo(&mut conn, job.review_id).await?;
    drop(conn);
    if row.is_none() {
        return not_committed_yet(&mut redis, &staged_key, &attempt).await;
    }
    let keys = row
        .filter(|row| row.image_status == Some(ImageStatus::Processing))
        .and_then(|row| {
            Some([
                row.image_original_key?,
                row.image_web_key?,
                row.image_thumbnail_key?,
            ])
        });
    let Some(keys) = keys else {
        redis.del::<_, ()>(&staged_key).await?;
        return Ok(());
    };
    let outcome = store_photo(
        &context,
        &staged_key,
        keys.each_ref().map(String::as_str),
        &attempt,
    )
    .await?;
    let mut conn = context.pool.acquire().await?;
    let size = match outcome {
        PhotoOutcome::Stored { width, height } => Some((width, height)),
        PhotoOutcome::Refused(reason) => {
            tracing::warn!(review.id = job.review_id, %reason, "review photo refused");
            None
        }
    };
    engagement::finish_review_photo(&mut conn, job.review_id, size).await?;
    redis.del::<_, ()>(&staged_key).await?;
    Ok(())
}

async fn delete_objects(
    job: DeleteObjects,
    context: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    // Queued inside the transaction that soft-deletes the rows: until that commits the
    // objects are still in use, and if it rolled back they must stay.
    let mut conn = context.pool.acquire().await?;
    let in_use = db::images::live_references(&mut conn, &job.keys).await?;
    drop(conn);
    if in_use > 0 {
        if attempt.current() < UNCOMMITTED_ATTEMPTS {
            return Err("the objects' rows are not deleted yet".into());
        }
        tracing::info!(
            objects = job.keys.len(),
            "deletion rolled back; objects kept"
        );
        return Ok(());
    }
    for key in &job.keys {
        context.storage.delete(key).await?;
    }
    Ok(())
}

async fn run_sweep(tick: Tick, context: Data<JobContext>) -> Result<(), BoxDynError> {
    let report = jobs::sweep(
        &context.pool,
        &context.queues,
        context.stuck_after,
        &context.clock,
    )
    .await?;
    tracing::info!(
        sweep.tick = tick.get_timestamp(),
        orders.expired = report.holds_expired,
        settlements.requeued = report.settlements_requeued,
        idempotency_keys.purged = report.idempotency_keys_purged,
        "sweep done"
    );
    Ok(())
}

/// Pushes one task per cron tick. Every worker process runs this; the tick's timestamp is the
/// task's idempotency key, so each tick is queued (and run) once however many push it.
async fn push_ticks(schedule: cron::Schedule, mut ticks: RedisStorage<Tick>) {
    loop {
        let mut stream = pin!(CronScheduler::new(schedule.clone()).into_stream());
        while let Some(Ok(tick)) = stream.next().await {
            let task = TaskBuilder::new(tick)
                .idempotency_key(format!("tick:{}", tick.get_timestamp()))
                .build();
            if let Err(err) = ticks.push_task(task).await {
                tracing::warn!(error = %err, "could not queue a sweep tick");
            }
        }
        tracing::warn!("the sweep schedule stream ended; restarting it");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
