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
use secrecy::ExposeSecret;
use spacecloud_common::{
    booking::{self, Settlement, payment::PointsProvider},
    clock::BusinessClock,
    config::Settings,
    db,
    jobs::{self, JobQueues, SettlePayment},
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
    clock: BusinessClock,
    stuck_after: chrono::Duration,
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
            clock: BusinessClock::new(self.settings.timezone),
            stuck_after: chrono::Duration::seconds(i64::from(jobs_settings.stuck_payment_seconds)),
        };
        let scheduler = tokio::spawn(push_ticks(schedule, ticks.clone()));
        // Unique per process start: apalis refuses a name whose heartbeat is still fresh.
        let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let poll = Duration::from_millis(jobs_settings.poll_ms);
        let concurrency = jobs_settings.concurrency;
        let (settle_context, sweep_context) = (context.clone(), context);
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
        &PointsProvider,
        job.order_id,
        context.clock.now(),
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

async fn run_sweep(tick: Tick, context: Data<JobContext>) -> Result<(), BoxDynError> {
    let report = jobs::sweep(
        &context.pool,
        &context.queues,
        context.stuck_after,
        context.clock.now(),
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
