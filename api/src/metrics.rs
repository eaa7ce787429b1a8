//! Prometheus metrics at `/metrics`: request counts and latencies by method and status class.
//! One recorder per process (the `metrics` facade is global), shared by every app instance.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const LATENCY_BUCKETS_SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    LATENCY_BUCKETS_SECONDS,
                )
                .expect("the bucket list is not empty")
                .install_recorder()
                .expect("the only metrics recorder of this process")
        })
        .clone()
}
