use spacecloud_common::{
    config::{AppEnv, Settings},
    telemetry,
};
use spacecloud_worker::Worker;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.app_env == AppEnv::Production, "info,sqlx=warn");
    // Installed before anything can report ready, so an early SIGTERM is a clean stop too.
    let mut terminate = signal(SignalKind::terminate())?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    let worker = Worker::build(&settings).await?;
    worker.run_until_stopped(shutdown).await
}
