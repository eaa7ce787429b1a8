//! The worker's own HTTP surface on `WORKER_HTTP_ADDR`: `/healthz` (the process runs),
//! `/readyz` (Redis and MySQL answer and the job workers are polling) and `/metrics`
//! (Prometheus: jobs by kind and outcome, job duration, queue depth, last sweep).

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::{
    EndpointExt, Route, Server, get, handler, http::StatusCode, listener::TcpListener, web::Data,
};
use spacecloud_common::jobs::{
    DeleteObjects, Job, ProcessImage, ProcessReviewImage, SettlePayment, Sweep,
};

use crate::JobContext;

/// Whether the job workers are polling their queues (false while they wait out an outage).
#[derive(Clone, Default)]
pub(crate) struct Polling(Arc<AtomicBool>);

impl Polling {
    pub(crate) fn set(&self, polling: bool) {
        self.0.store(polling, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Clone)]
struct Health {
    context: JobContext,
    polling: Polling,
    recorder: PrometheusHandle,
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(health: Data<&Health>) -> (StatusCode, String) {
    let (redis, mysql) = tokio::join!(
        redis_answers(&health.context),
        mysql_answers(&health.context)
    );
    let polling = health.polling.get();
    let status = if redis && mysql && polling {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        format!(r#"{{"redis":{redis},"mysql":{mysql},"polling":{polling}}}"#),
    )
}

#[handler]
async fn prometheus(health: Data<&Health>) -> String {
    let mut redis = health.context.redis.clone();
    for (name, queue) in queues(&health.context.prefix) {
        let depth = tokio::time::timeout(
            PROBE_TIMEOUT,
            redis::cmd("LLEN")
                .arg(format!("{queue}:active"))
                .query_async::<u64>(&mut redis),
        )
        .await;
        if let Ok(Ok(depth)) = depth {
            metrics::gauge!("worker_queue_depth", "job" => name).set(depth as f64);
        }
    }
    health.recorder.render()
}

fn queues(prefix: &str) -> [(&'static str, String); 5] {
    [
        (SettlePayment::NAME, SettlePayment::queue(prefix)),
        (ProcessImage::NAME, ProcessImage::queue(prefix)),
        (ProcessReviewImage::NAME, ProcessReviewImage::queue(prefix)),
        (DeleteObjects::NAME, DeleteObjects::queue(prefix)),
        (Sweep::NAME, Sweep::queue(prefix)),
    ]
}

async fn redis_answers(context: &JobContext) -> bool {
    let mut connection = context.redis.clone();
    let ping = redis::cmd("PING");
    let answer = ping.query_async::<String>(&mut connection);
    matches!(tokio::time::timeout(PROBE_TIMEOUT, answer).await, Ok(Ok(_)))
}

async fn mysql_answers(context: &JobContext) -> bool {
    let query = sqlx::query("SELECT 1").execute(&context.pool);
    matches!(tokio::time::timeout(PROBE_TIMEOUT, query).await, Ok(Ok(_)))
}

/// Serves until the process ends. The Prometheus recorder is process-wide: a second worker
/// in one process (tests) serves the first one's.
pub(crate) fn serve(address: SocketAddr, context: JobContext, polling: Polling) {
    let recorder = match PrometheusBuilder::new().install_recorder() {
        Ok(handle) => handle,
        Err(err) => {
            tracing::warn!(error = %err, "a metrics recorder exists already; /metrics serves an empty one");
            PrometheusBuilder::new().build_recorder().handle()
        }
    };
    let health = Health {
        context,
        polling,
        recorder,
    };
    let app = Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(prometheus))
        .data(health);
    tokio::spawn(async move {
        if let Err(err) = Server::new(TcpListener::bind(address)).run(app).await {
            tracing::error!(error = %err, %address, "the worker's HTTP server stopped");
        }
    });
}
