//! One place that decides how the binaries log: JSON lines in production, human-readable
//! otherwise. Fields are dotted (`space.id`) and carry units in their names (`duration_ms`).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub fn init(json: bool, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: tests and tools may have installed a subscriber already.
    if json {
        let _ = registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init();
    } else {
        let _ = registry.with(fmt::layer()).try_init();
    }
}
