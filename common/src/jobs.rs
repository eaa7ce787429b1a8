//! Background jobs: their payloads (small, ids only) and the queues that carry them on Redis.
//! The API enqueues; the worker (`spacecloud-worker`) runs them. Every job is idempotent,
//! guarded by the state of the row it concerns, so a duplicate or retried delivery is harmless.

use std::{sync::Arc, time::Duration};

use apalis::prelude::TaskSink;
use apalis_redis::{Config, ConnectionManager, RedisStorage};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tokio::sync::OnceCell;

use crate::{config::Settings, error::AppError};

/// A kind of background job. The payload is the implementing type (ids, never blobs); its
/// queue is `<QUEUE_PREFIX>:<NAME>`. The worker gives each kind its handler, concurrency,
/// timeout and retry policy (`spacecloud-worker`'s `jobs` module, one file per job).
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static {
    const NAME: &'static str;

    fn queue(prefix: &str) -> String {
        format!("{prefix}:{}", Self::NAME)
    }
}

/// Settle the payment of an order that is `payment_pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlePayment {
    pub order_id: u64,
}

/// Decode, resize and store a `processing` image whose bytes are staged in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessImage {
    pub image_id: u64,
}

/// Decode, resize and store the photo of a review, staged like a space image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessReviewImage {
    pub review_id: u64,
}

/// Remove stored objects of deleted spaces and images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteObjects {
    pub keys: Vec<String>,
}

/// One tick of the periodic sweep (`SWEEP_SCHEDULE`): every worker process queues each tick,
/// under the tick's time as idempotency key, so it runs once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {
    /// The tick's time, seconds since the epoch.
    pub timestamp: u64,
}

impl Job for SettlePayment {
    const NAME: &'static str = "settle_payment";
}

impl Job for ProcessImage {
    const NAME: &'static str = "process_image";
}

impl Job for ProcessReviewImage {
    const NAME: &'static str = "process_review_image";
}

impl Job for DeleteObjects {
    const NAME: &'static str = "delete_objects";
}

impl Job for Sweep {
    const NAME: &'static str = "sweep";
}

pub fn staged_review_image_key(prefix: &str, review_id: u64) -> String {
    format!("{prefix}:staged_review_image:{review_id}")
}

/// Where an upload's bytes wait for the worker: Redis, so a worker on another host reads them.
pub fn staged_image_key(prefix: &str, image_id: u64) -> String {
    format!("{prefix}:staged_image:{image_id}")
}

/// Staged bytes outlive every retry of their job (apalis re-delivers for a few minutes).
pub const STAGED_IMAGE_TTL_SECONDS: u64 = 24 * 3600;

/// The queue settings both sides use. A 5 s heartbeat lets the cluster notice a killed
/// worker's jobs within 15 s; ticks keep their idempotency keys long enough that several
/// schedulers push each tick once.
pub fn queue_config(queue: String) -> Config {
    Config::default()
        .queue(queue)
        .heartbeat_interval(Duration::from_secs(5))
        .missed_heartbeats(3)
        .idempotency_ttl(Some(Duration::from_secs(3600)))
}

/// The API's handle to the queues. Connects on first use, so the API starts (and reports
/// not-ready) while Redis is down.
#[derive(Clone)]
pub struct JobQueues {
    redis_url: Arc<str>,
    prefix: Arc<str>,
    connection: Arc<OnceCell<ConnectionManager>>,
}

impl JobQueues {
    pub fn new(settings: &Settings) -> Self {
        use secrecy::ExposeSecret;
        Self {
            redis_url: settings.redis_url.expose_secret().into(),
            prefix: settings.jobs.queue_prefix.as_str().into(),
            connection: Arc::new(OnceCell::new()),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub async fn connection(&self) -> Result<ConnectionManager, AppError> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                tokio::time::timeout(
                    Duration::from_secs(3),
                    apalis_redis::connect(self.redis_url.as_ref()),
                )
                .await
                .map_err(|_| queue_error("connecting to Redis timed out"))?
                .map_err(AppError::from)
            })
            .await?;
        Ok(connection.clone())
    }

    /// Queues a job for the worker (3 s at most; a Redis failure is `AppError::Redis`).
    pub async fn enqueue<J: Job>(&self, job: J) -> Result<(), AppError> {
        let mut storage: RedisStorage<J> = RedisStorage::new(self.connection().await?)
            .with_config(queue_config(J::queue(&self.prefix)));
        tokio::time::timeout(Duration::from_secs(3), storage.push(job))
            .await
            .map_err(|_| queue_error("enqueueing timed out"))?
            .map_err(|err| queue_error(&err.to_string()))
    }

    /// Stages an upload's bytes in Redis under a key of its own, before any transaction
    /// starts: the (up to 10 MiB) `SET` never holds a database connection or row locks. The
    /// transaction that makes the photo's row then `adopt`s the bytes with an O(1) rename.
    pub async fn stage_upload(&self, bytes: &[u8]) -> Result<StagedUpload, AppError> {
        use redis::AsyncCommands;
        let key = format!("{}:upload:{}", self.prefix, uuid::Uuid::new_v4().simple());
        let mut connection = self.connection().await?;
        tokio::time::timeout(
            Duration::from_secs(10),
            connection.set_ex::<_, _, ()>(&key, bytes, STAGED_IMAGE_TTL_SECONDS),
        )
        .await
        .map_err(|_| queue_error("staging timed out"))??;
        Ok(StagedUpload { key })
    }

    /// Moves staged bytes to the key the worker reads for a photo's row.
    async fn adopt(&self, staged: &StagedUpload, key: String) -> Result<(), AppError> {
        let mut connection = self.connection().await?;
        tokio::time::timeout(
            Duration::from_secs(3),
            redis::cmd("RENAME")
                .arg(&staged.key)
                .arg(key)
                .query_async::<()>(&mut connection),
        )
        .await
        .map_err(|_| queue_error("adopting staged bytes timed out"))??;
        Ok(())
    }

    /// Hands staged bytes to a space photo's row (inside the transaction that makes it).
    pub async fn adopt_image(&self, staged: &StagedUpload, image_id: u64) -> Result<(), AppError> {
        self.adopt(staged, staged_image_key(&self.prefix, image_id))
            .await
    }

    /// Hands staged bytes to a review's photo (inside the transaction that makes the review).
    pub async fn adopt_review_image(
        &self,
        staged: &StagedUpload,
        review_id: u64,
    ) -> Result<(), AppError> {
        self.adopt(staged, staged_review_image_key(&self.prefix, review_id))
            .await
    }

    /// Forgets staged bytes nobody will process (their request failed). Best effort: they
    /// expire with `STAGED_IMAGE_TTL_SECONDS` anyway.
    pub async fn discard(&self, staged: &[StagedUpload]) {
        if staged.is_empty() {
            return;
        }
        let Ok(mut connection) = self.connection().await else {
            return;
        };
        let keys: Vec<&str> = staged.iter().map(|upload| upload.key.as_str()).collect();
        if let Err(err) = redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(&mut connection)
            .await
        {
            tracing::warn!(error = %err, "staged uploads not discarded; they expire by themselves");
        }
    }
}

/// Bytes of one upload waiting in Redis for the row that will own them.
#[derive(Debug)]
pub struct StagedUpload {
    key: String,
}

fn queue_error(reason: &str) -> AppError {
    AppError::Redis(redis::RedisError::from(std::io::Error::other(
        reason.to_owned(),
    )))
}

/// What one run of the periodic sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub holds_expired: u64,
    pub requests_timed_out: u64,
    pub settlements_requeued: usize,
    pub photos_requeued: usize,
    pub deletions_requeued: usize,
    pub idempotency_keys_purged: u64,
}

/// How long work may wait before the sweep takes its job for lost (Redis flushed or failed
/// over) and queues it again. Every job is idempotent, so a job that was merely slow finds its
/// work done and does nothing.
#[derive(Debug, Clone, Copy)]
pub struct SweepBounds {
    /// A `payment_pending` order this old is settled again.
    pub stuck_payment: chrono::Duration,
    /// A photo still `processing` this long after its upload is processed again: it ends
    /// `ready`, or `failed` when its staged bytes are gone too.
    pub stuck_photo: chrono::Duration,
    /// A recorded object deletion still there this long after its rows were deleted.
    pub overdue_deletion: chrono::Duration,
}

impl SweepBounds {
    pub fn from_settings(settings: &crate::config::JobSettings) -> Self {
        let seconds = |value: u32| chrono::Duration::seconds(i64::from(value));
        Self {
            stuck_payment: seconds(settings.stuck_payment_seconds),
            stuck_photo: seconds(settings.stuck_photo_seconds),
            overdue_deletion: seconds(settings.overdue_deletion_seconds),
        }
    }
}

/// The periodic sweep: expires holds that ran out, declines requests to book past their
/// `approval_deadline`, re-enqueues settlements and photos whose
/// jobs were lost, and forgets old idempotency keys. Safe to run in several workers at once.
pub async fn sweep(
    pool: &sqlx::MySqlPool,
    queues: &JobQueues,
    bounds: SweepBounds,
    payments: &impl crate::booking::payment::PaymentProvider,
    clock: &crate::clock::BusinessClock,
) -> Result<SweepReport, AppError> {
    let holds_expired = crate::booking::expire_holds(pool, clock).await?;
    let requests_timed_out = crate::booking::decline_overdue(pool, payments, clock).await?;
    if holds_expired + requests_timed_out > 0 {
        crate::catalogue::announce(queues).await;
    }
    let now = clock.now();
    let stuck = crate::booking::stuck_payments(pool, now, bounds.stuck_payment).await?;
    for &order_id in &stuck {
        queues.enqueue(SettlePayment { order_id }).await?;
    }
    let mut conn = pool.acquire().await?;
    let stuck_since = now - bounds.stuck_photo;
    let photos = crate::db::images::stuck_processing(&mut conn, stuck_since).await?;
    for &image_id in &photos {
        queues.enqueue(ProcessImage { image_id }).await?;
    }
    let review_photos = crate::engagement::stuck_review_photos(&mut conn, stuck_since).await?;
    for &review_id in &review_photos {
        queues.enqueue(ProcessReviewImage { review_id }).await?;
    }
    let overdue =
        crate::db::object_deletions::overdue(&mut conn, now - bounds.overdue_deletion, 1000)
            .await?;
    for keys in overdue.chunks(100) {
        queues
            .enqueue(DeleteObjects {
                keys: keys.to_vec(),
            })
            .await?;
    }
    let idempotency_keys_purged =
        crate::booking::idempotency::purge_expired(&mut conn, now).await?;
    crate::catalogue::prune(pool, now).await?;
    Ok(SweepReport {
        holds_expired,
        requests_timed_out,
        settlements_requeued: stuck.len(),
        photos_requeued: photos.len() + review_photos.len(),
        deletions_requeued: overdue.len(),
        idempotency_keys_purged,
    })
}
