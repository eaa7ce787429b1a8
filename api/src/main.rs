use anyhow::Context;
use clap::{Parser, Subcommand};
use spacecloud_api::{Application, routes, seed, startup};
use spacecloud_common::{
    config::{AppEnv, Settings},
    db, telemetry,
};

/// The SpaceCloud API server and its maintenance commands.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Create the database if missing and apply pending migrations, then exit.
    Migrate,
    /// Fill demo data (idempotent); `--bulk` adds the 10,000-space benchmark dataset.
    Seed {
        #[arg(long)]
        bulk: bool,
    },
    /// Print the OpenAPI document (what `openapi/openapi.json` must hold).
    Openapi,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        println!("{}", routes::spec_json());
        return Ok(());
    }
    let settings = Settings::from_env()?;
    telemetry::init(settings.app_env == AppEnv::Production, "info,sqlx=warn");
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(http.port = app.port(), "api listening");
            app.run_until_stopped(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let state = startup::build_state(settings)?;
            db::prepare(&state.settings, &state.pool)
                .await
                .context("migrating")?;
            tracing::info!("migrations applied");
        }
        Command::Seed { bulk } => {
            let state = startup::build_state(settings)?;
            db::prepare(&state.settings, &state.pool)
                .await
                .context("migrating")?;
            let started = std::time::Instant::now();
            let report = seed::run(&state.pool, &state.settings, bulk).await?;
            tracing::info!(
                spaces.created = report.spaces_created,
                orders.created = report.orders_created,
                duration_ms = started.elapsed().as_millis() as u64,
                "seeded"
            );
        }
        Command::Openapi => unreachable!("handled before settings are read"),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
