use spacecloud_common::{
    config::{AppEnv, Settings},
    telemetry,
};
use spacecloud_worker::Worker;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.app_env == AppEnv::Production, "info,sqlx=warn");
    let worker = Worker::build(&settings).await?;
    worker.run_until_stopped(shutdown_signal()).await
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
