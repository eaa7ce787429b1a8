//! The background worker. It owns the slow work the API enqueues on Redis (image processing,
//! payment settlement, hold expiry, object deletion); those jobs arrive with the issues that
//! introduce them. Today it connects to its dependencies and stops cleanly on SIGTERM.

use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use spacecloud_common::{config::Settings, db};
use sqlx::MySqlPool;

pub struct Worker {
    redis: redis::aio::ConnectionManager,
    pool: MySqlPool,
}

impl Worker {
    /// Connects to Redis (failing start-up if it does not answer) and prepares a MySQL pool.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let client = redis::Client::open(settings.redis_url.expose_secret())
            .context("REDIS_URL is not a valid Redis URL")?;
        let redis = tokio::time::timeout(
            Duration::from_secs(10),
            redis::aio::ConnectionManager::new(client),
        )
        .await
        .context("timed out connecting to Redis")?
        .context("connecting to Redis")?;
        let pool = db::pool(settings).context("DATABASE_URL")?;
        Ok(Self { redis, pool })
    }

    /// Runs until `shutdown` resolves, then closes its connections.
    pub async fn run_until_stopped(
        mut self,
        shutdown: impl Future<Output = ()>,
    ) -> anyhow::Result<()> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.redis)
            .await
            .context("pinging Redis")?;
        tracing::info!("worker ready");
        shutdown.await;
        tracing::info!("worker stopping");
        self.pool.close().await;
        Ok(())
    }
}
