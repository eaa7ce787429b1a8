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
        /// With `--bulk`: how many benchmark spaces (default 10,000), to measure larger
        /// catalogues.
        #[arg(long, requires = "bulk")]
        bulk_spaces: Option<usize>,
    },
    /// Print an access token of a seeded demo user (for Swagger UI's Authorize button), or with
    /// `--load-users N` one token per line for N load-test guests (created when missing).
    Token {
        #[arg(long, value_enum, default_value_t = DemoUser::Guest)]
        user: DemoUser,
        #[arg(long)]
        load_users: Option<u32>,
    },
    /// Print the OpenAPI document (what `openapi/openapi.json` must hold).
    Openapi,
    /// Print the table of operations, statuses and problem codes (what `docs/api.md` holds).
    Operations,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DemoUser {
    Guest,
    Host,
}

impl DemoUser {
    fn kakao_id(self) -> i64 {
        match self {
            Self::Guest => seed::DEMO_GUEST_KAKAO_ID,
            Self::Host => seed::DEMO_HOST_KAKAO_ID,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Operations) = cli.command {
        print!("{}", routes::operations_markdown());
        return Ok(());
    }
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
        Command::Seed { bulk, bulk_spaces } => {
            let state = startup::build_state(settings)?;
            db::prepare(&state.settings, &state.pool)
                .await
                .context("migrating")?;
            let started = std::time::Instant::now();
            let bulk = bulk.then(|| bulk_spaces.unwrap_or(seed::BULK_SPACES));
            let report = seed::run(&state.pool, &state.settings, bulk).await?;
            tracing::info!(
                spaces.created = report.spaces_created,
                orders.created = report.orders_created,
                photos.queued = report.photos_queued,
                blocks.created = report.blocks_created,
                duration_ms = started.elapsed().as_millis() as u64,
                "seeded"
            );
            for user in [DemoUser::Guest, DemoUser::Host] {
                let token = seed::demo_token(&state.pool, &state.jwt, user.kakao_id()).await?;
                let name = if matches!(user, DemoUser::Guest) {
                    "guest"
                } else {
                    "host"
                };
                println!("demo {name} access token (1 hour): {token}");
            }
        }
        Command::Token { user, load_users } => {
            let state = startup::build_state(settings)?;
            match load_users {
                Some(count) => {
                    for token in seed::load_test_tokens(&state, count).await? {
                        println!("{token}");
                    }
                }
                None => println!(
                    "{}",
                    seed::demo_token(&state.pool, &state.jwt, user.kakao_id()).await?
                ),
            }
        }
        Command::Openapi | Command::Operations => {
            unreachable!("handled before settings are read")
        }
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
