//! The test kit of the workspace: every crate's tests create their databases, Redis keys,
//! stubs and child processes through these, so each exists once.

pub mod kakao_stub;
pub mod process;
pub mod s3_server;

use std::{future::Future, time::Duration};

use sqlx::Executor;

/// The MySQL server tests create their databases on (`TEST_DATABASE_SERVER`, default the local
/// MariaDB).
pub fn database_server() -> String {
    std::env::var("TEST_DATABASE_SERVER")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
}

/// The Redis of the tests (`TEST_REDIS_URL`, default the local one).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A fresh name for one test's database, Redis key prefix and media directory.
pub fn unique_name(kind: &str) -> String {
    format!("sc_{kind}_{}", uuid::Uuid::new_v4().simple())
}

/// Polls `probe` every 50 ms until it returns `Some`, failing the test after `seconds`.
pub async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Removes every Redis key under `prefix`: a test's queues, staged photos, login states and
/// the workers' registrations. Gives up quietly when Redis does not answer.
pub async fn forget_redis_keys(prefix: &str) {
    let Ok(client) = redis::Client::open(redis_url()) else {
        return;
    };
    let Ok(Ok(mut redis)) = tokio::time::timeout(
        Duration::from_secs(2),
        client.get_multiplexed_async_connection(),
    )
    .await
    else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut redis)
        .await
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: Result<(), _> = redis::cmd("DEL").arg(keys).query_async(&mut redis).await;
    }
}

/// Drops a test's database, first ending the sessions the test left behind (inside a
/// transaction, say) so DROP does not wait on their metadata locks; bounded in time.
pub async fn drop_database(name: &str) {
    let url = format!("{}/information_schema", database_server());
    let Ok(pool) = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
    else {
        return;
    };
    let _ = pool.execute("SET SESSION lock_wait_timeout = 5").await;
    for _ in 0..5 {
        // CAST: MariaDB reports ID as a signed BIGINT, MySQL as unsigned.
        let sessions: Vec<i64> = sqlx::query_scalar(
            "SELECT CAST(ID AS SIGNED) FROM information_schema.PROCESSLIST \
             WHERE DB = ? AND ID <> CONNECTION_ID()",
        )
        .bind(name)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        for session in sessions {
            let _ = pool
                .execute(sqlx::AssertSqlSafe(format!("KILL {session}")))
                .await;
        }
        let drop = format!("DROP DATABASE IF EXISTS `{name}`");
        if pool.execute(sqlx::AssertSqlSafe(drop)).await.is_ok() {
            break;
        }
    }
    pool.close().await;
}

/// How many sessions of the database `database`, other than the asking one, are running a
/// statement whose text is like `statement_like` (SQL `LIKE`): how a test sees that a request
/// reached a lock it holds and waits there, without sleeping. (PROCESSLIST, not INNODB_TRX:
/// MariaDB does not always list a waiting prepared statement there.)
pub async fn sessions_running(pool: &sqlx::MySqlPool, database: &str, statement_like: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
         WHERE DB = ? AND ID <> CONNECTION_ID() AND INFO LIKE ?",
    )
    .bind(database)
    .bind(statement_like)
    .fetch_one(pool)
    .await
    .expect("reading the process list")
}

/// Runs `cleanup` to completion from a `Drop` impl, which has no async context of its own.
pub fn block_on_cleanup<F>(cleanup: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for cleanup")
            .block_on(cleanup);
    })
    .join();
}
