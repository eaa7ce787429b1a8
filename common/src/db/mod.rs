//! MySQL access. Repository functions take `&mut MySqlConnection` (a pooled connection or a
//! transaction); callers own transactions. Queries are runtime-checked `sqlx::query_as` into
//! flat `*Row` structs, exercised end to end by the API tests; dynamic filters are built with
//! `QueryBuilder` and bound parameters, never by pasting values into SQL.

pub mod catalog;
pub mod images;
pub mod object_deletions;
pub mod orders;
pub mod refresh_tokens;
pub mod spaces;
pub mod users;

use std::{str::FromStr, time::Duration};

use secrecy::ExposeSecret;
use sqlx::{
    AssertSqlSafe, Executor, MySqlPool,
    mysql::{MySqlConnectOptions, MySqlPoolOptions},
};

use crate::{config::Settings, error::AppError};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub fn connect_options(settings: &Settings) -> Result<MySqlConnectOptions, AppError> {
    Ok(
        MySqlConnectOptions::from_str(settings.database_url.expose_secret())?
            .charset("utf8mb4")
            .collation("utf8mb4_unicode_ci"),
    )
}

/// A pool that connects lazily, so a process can start (and answer `/readyz` with 503) while
/// the database is still coming up.
///
/// Every session runs READ COMMITTED: a locking read or a write then locks the rows it
/// matches and no gaps between them, so a booking's insert never waits on a range another
/// booking has read, and bookings can only wait for each other, never deadlock. No query of
/// this application relies on REPEATABLE READ's snapshot; the lock analysis is in
/// `docs/locking.md`.
pub fn pool(settings: &Settings) -> Result<MySqlPool, AppError> {
    Ok(MySqlPoolOptions::new()
        .max_connections(settings.database_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(ISOLATION).await?;
                Ok(())
            })
        })
        .connect_lazy_with(connect_options(settings)?))
}

/// Standard syntax that MySQL 8.4 and MariaDB 10.11 both accept (unlike the variable, which
/// is `transaction_isolation` on one and `tx_isolation` on the other).
pub const ISOLATION: &str = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

/// Creates the database named in `DATABASE_URL` when it does not exist yet.
pub async fn create_database_if_missing(settings: &Settings) -> Result<(), AppError> {
    let Some(name) = settings.database_name() else {
        return Ok(());
    };
    if !name
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        return Err(AppError::invalid(
            "DATABASE_URL",
            "database name may only hold letters, digits and underscores",
        ));
    }
    let server = MySqlPoolOptions::new()
        .max_connections(1)
        .connect_with(connect_options(settings)?.database("information_schema"))
        .await?;
    // The name was checked above to be a plain identifier: DDL takes no bound parameters.
    server
        .execute(AssertSqlSafe(format!(
            "CREATE DATABASE IF NOT EXISTS `{name}` \
                 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )))
        .await?;
    server.close().await;
    Ok(())
}

/// Creates the database if needed and applies every pending migration.
pub async fn prepare(settings: &Settings, pool: &MySqlPool) -> Result<(), AppError> {
    create_database_if_missing(settings).await?;
    MIGRATOR.run(pool).await?;
    Ok(())
}
