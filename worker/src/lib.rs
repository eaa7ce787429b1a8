//! The background worker: settles payments, processes photos, deletes stored objects and
//! runs the periodic sweep (hold expiry, lost settlement recovery), on apalis queues in Redis.
//! Several worker processes may run against one Redis and MySQL: each job runs once, each
//! sweep tick runs once, and every job is idempotent anyway. It stops on SIGTERM after
//! in-flight jobs finish (up to 30 s). Each job's handler and retry policy is a file of
//! `jobs/`.

mod health;
mod jobs;
mod polling;

use std::{pin::pin, str::FromStr, sync::Arc, time::Duration};

use anyhow::Context;
use apalis::prelude::{
    BackendExt, Monitor, TaskBuilder, TaskSink, WorkerBuilder, WorkerBuilderExt,
};
use apalis_cron::CronScheduler;
use apalis_redis::{ConnectionManager, RedisStorage};
use futures_util::StreamExt;
use secrecy::ExposeSecret;
use spacecloud_common::{
    booking::payment::PointsProvider,
    clock::BusinessClock,
    config::Settings,
    db,
    jobs::{
        self as queues, DeleteObjects, Job, JobQueues, ProcessImage, ProcessReviewImage,
        SettlePayment, Sweep,
    },
    storage::Storage,
};
use sqlx::MySqlPool;

use crate::{jobs::Handler, polling::EveryInterval};

/// What every job handler needs.
#[derive(Clone)]
struct JobContext {
    pool: MySqlPool,
    queues: JobQueues,
    storage: Storage,
    redis: ConnectionManager,
    prefix: String,
    clock: BusinessClock,
    sweep_bounds: spacecloud_common::jobs::SweepBounds,
    payments: PointsProvider,
    booking: spacecloud_common::booking::BookingPolicy,
    /// `WORKER_CONCURRENCY`: settlements or deletions at once.
    concurrency: usize,
    /// `JOB_POLL_MS`: how often an idle queue is polled.
    poll: Duration,
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
        let schedule =
            cron::Schedule::from_str(&jobs_settings.sweep_schedule).context("SWEEP_SCHEDULE")?;
        let context = JobContext {
            pool: self.pool.clone(),
            queues: JobQueues::new(&self.settings),
            concurrency: jobs_settings.concurrency,
            poll: Duration::from_millis(jobs_settings.poll_ms),
            storage: Storage::from_settings(&self.settings.storage).await,
            redis: self.redis.clone(),
            prefix: prefix.clone(),
            clock: BusinessClock::new(self.settings.timezone),
            payments: PointsProvider,
            booking: spacecloud_common::booking::BookingPolicy::from_settings(&self.settings),
            sweep_bounds: spacecloud_common::jobs::SweepBounds::from_settings(jobs_settings),
        };
        let polling = health::Polling::default();
        if let Some(address) = jobs_settings.worker_http_addr {
            health::serve(address, context.clone(), polling.clone());
        }
        let ticks: RedisStorage<Sweep> = storage(&context);
        let scheduler = tokio::spawn(push_ticks(schedule, ticks));
        let (stop, stopping) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("worker stopping");
            let _ = stop.send(true);
        });
        // A lost Redis connection ends the apalis workers with an error. That is no reason to
        // exit: the whole set of workers stops, and starts again once Redis answers.
        let mut outage = Backoff::default();
        // Workers of an earlier start still finishing their jobs after a failure: the next
        // start does not wait for them, so a photo being decoded does not hold up payments.
        let mut draining = Vec::new();
        let result = loop {
            draining.retain(|monitor: &tokio::task::JoinHandle<_>| !monitor.is_finished());
            // Unique per start: apalis refuses a name whose heartbeat is still fresh.
            let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
            let (failed, failure) = tokio::sync::watch::channel(false);
            let monitor = Monitor::new();
            let monitor = register::<SettlePayment>(monitor, &context, &instance);
            let monitor = register::<Sweep>(monitor, &context, &instance);
            let monitor = register::<ProcessImage>(monitor, &context, &instance);
            let monitor = register::<ProcessReviewImage>(monitor, &context, &instance);
            let monitor = register::<DeleteObjects>(monitor, &context, &instance)
                .should_restart(move |worker, error| {
                    tracing::error!(worker = %worker.name(), error = %error, "a job worker failed; restarting the workers");
                    failed.send_replace(true);
                    false
                })
                .shutdown_timeout(Duration::from_secs(30));
            tracing::info!(worker.instance = %instance, "worker ready");
            polling.set(true);
            let (mut stopped, mut failed_signal) = (stopping.clone(), failure.clone());
            let mut running = tokio::spawn(monitor.run_with_signal(async move {
                tokio::select! {
                    _ = stopped.wait_for(|stop| *stop) => {}
                    _ = failed_signal.wait_for(|failed| *failed) => {}
                }
                Ok(())
            }));
            let mut failure = failure;
            tokio::select! {
                ended = &mut running => {
                    polling.set(false);
                    if *stopping.borrow() {
                        break match ended {
                            Ok(result) => result.map_err(anyhow::Error::from),
                            Err(panic) => Err(anyhow::Error::from(panic)),
                        };
                    }
                }
                _ = failure.wait_for(|failed| *failed) => {
                    polling.set(false);
                    draining.push(running);
                }
            }
            outage.wait_for_redis(&context.redis, &stopping).await;
            if *stopping.borrow() {
                break anyhow::Ok(());
            }
        };
        for monitor in draining {
            let _ = monitor.await;
        }
        scheduler.abort();
        self.pool.close().await;
        result.context("running the job workers")
    }
}

/// Waits, with a growing pause (1 s up to 10 s), until Redis answers a PING again.
#[derive(Default)]
struct Backoff {
    pause: Duration,
}

impl Backoff {
    async fn wait_for_redis(
        &mut self,
        redis: &ConnectionManager,
        stopping: &tokio::sync::watch::Receiver<bool>,
    ) {
        let started = std::time::Instant::now();
        loop {
            self.pause = (self.pause * 2).clamp(Duration::from_secs(1), Duration::from_secs(10));
            tokio::time::sleep(self.pause).await;
            if *stopping.borrow() {
                return;
            }
            let mut connection = redis.clone();
            let ping = redis::cmd("PING");
            let answer = ping.query_async::<String>(&mut connection);
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(2), answer).await {
                tracing::info!(
                    outage_ms = started.elapsed().as_millis() as u64,
                    "Redis answers again; starting the job workers"
                );
                self.pause = Duration::ZERO;
                return;
            }
            tracing::warn!("Redis still does not answer; the job workers wait");
        }
    }
}

/// The queue of one kind of job.
fn storage<J: Job>(context: &JobContext) -> RedisStorage<J> {
    RedisStorage::new(context.redis.clone())
        .with_config(queues::queue_config(J::queue(&context.prefix)))
}

/// Runs the workers of one kind of job with its handler's concurrency and timeout, and the
/// retry policy of `jobs::handle`.
fn register<H: Handler>(monitor: Monitor, context: &JobContext, instance: &str) -> Monitor {
    let backend = storage::<H>(context);
    let context = context.clone();
    let name = format!("{}-{instance}", H::NAME);
    monitor.register(move |run| {
        WorkerBuilder::new(format!("{name}-{run}"))
            .backend(
                backend
                    .clone()
                    .poll_with_strategy(EveryInterval::new(context.poll)),
            )
            .data(context.clone())
            .concurrency(H::concurrency(&context))
            .timeout(H::TIMEOUT)
            .catch_panic()
            .enable_tracing()
            .build(jobs::handle::<H>)
    })
}

/// Pushes one task per cron tick. Every worker process runs this; the tick's timestamp is the
/// task's idempotency key, so each tick is queued (and run) once however many push it.
async fn push_ticks(schedule: cron::Schedule, mut ticks: RedisStorage<Sweep>) {
    loop {
        let mut stream = pin!(CronScheduler::new(schedule.clone()).into_stream());
        while let Some(Ok(tick)) = stream.next().await {
            let sweep = Sweep {
                timestamp: tick.get_timestamp(),
            };
            let task = TaskBuilder::new(sweep)
                .idempotency_key(format!("tick:{}", sweep.timestamp))
                .build();
            if let Err(err) = ticks.push_task(task).await {
                tracing::warn!(error = %err, "could not queue a sweep tick");
            }
        }
        tracing::warn!("the sweep schedule stream ended; restarting it");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
