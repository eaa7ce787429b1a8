//! The worker killed (SIGKILL) in the middle of settling a payment: after a restart the order
//! ends `completed` exactly once.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chrono::{Days, Utc};
use secrecy::ExposeSecret;
use spacecloud_common::{
    booking::{self, BookingPolicy, BookingRequest},
    config::Settings,
    db::{self, spaces::NewSpace},
    domain::{BookerInput, Slot},
    jobs::{JobQueues, SettlePayment},
};
use sqlx::{Acquire, Executor, MySqlPool};

struct WorkerProcess(Child);

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(settings: &Settings) -> WorkerProcess {
    WorkerProcess(
        Command::new(env!("CARGO_BIN_EXE_spacecloud-worker"))
            .env("APP_ENV", "test")
            .env("DATABASE_URL", settings.database_url.expose_secret())
            .env("REDIS_URL", settings.redis_url.expose_secret())
            .env("QUEUE_PREFIX", &settings.jobs.queue_prefix)
            .env("SWEEP_SCHEDULE", &settings.jobs.sweep_schedule)
            .env(
                "STUCK_PAYMENT_SECONDS",
                settings.jobs.stuck_payment_seconds.to_string(),
            )
            .env("JOB_POLL_MS", "20")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the worker binary"),
    )
}

async fn wait_until<F, Fut>(seconds: u64, what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !probe().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_worker_killed_mid_settlement_completes_the_order_once_after_restart() {
    let database = format!("sc_wtest_{}", uuid::Uuid::new_v4().simple());
    let vars = HashMap::from([
        ("APP_ENV", "test".to_owned()),
        (
            "DATABASE_URL",
            format!("mysql://root@127.0.0.1:3306/{database}"),
        ),
        ("QUEUE_PREFIX", database.clone()),
        ("SWEEP_SCHEDULE", "*/1 * * * * *".to_owned()),
        ("STUCK_PAYMENT_SECONDS", "1".to_owned()),
    ]);
    let settings = Settings::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let pool = db::pool(&settings).unwrap();
    db::prepare(&settings, &pool).await.unwrap();

    let now = Utc::now();
    let mut ids = Vec::new();
    for (kakao_id, name) in [(1, "host"), (2, "guest")] {
        ids.push(
            sqlx::query(
                "INSERT INTO users (kakao_id, nickname, points, created_at, updated_at) \
                 VALUES (?, ?, 100000, ?, ?)",
            )
            .bind(kakao_id)
            .bind(name)
            .bind(now)
            .bind(now)
            .execute(&pool)
            .await
            .unwrap()
            .last_insert_id(),
        );
    }
    let (host, guest) = (ids[0], ids[1]);
    let district = sqlx::query(
        "INSERT INTO districts (name, latitude, longitude) VALUES ('마포구', 37.5, 126.9)",
    )
    .execute(&pool)
    .await
    .unwrap()
    .last_insert_id();
    let category = sqlx::query("INSERT INTO categories (name) VALUES ('파티룸')")
        .execute(&pool)
        .await
        .unwrap()
        .last_insert_id();
    let mut conn = pool.acquire().await.unwrap();
    let space_id = db::spaces::insert(
        &mut conn,
        &NewSpace {
            host_id: host,
            category_id: category,
            district_id: district,
            title: "Kill test room".into(),
            sub_title: "".into(),
            description: "".into(),
            address: "Seoul".into(),
            latitude: None,
            longitude: None,
            min_count: 1,
            max_count: 4,
            options: vec![(Slot::Day, 25_000)],
            facility_ids: Vec::new(),
            created_at: now,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let option_id: u64 = sqlx::query_scalar("SELECT id FROM space_options WHERE space_id = ?")
        .bind(space_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&settings.timezone)
        .date_naive();
    let request = BookingRequest {
        space_id,
        option_id,
        date: today + Days::new(3),
        headcount: 2,
        booker: BookerInput {
            name: "Park".into(),
            phone: "010-2222-3333".into(),
            email: "park@example.com".into(),
            purpose: None,
            request: None,
        },
    };
    let policy = BookingPolicy {
        hold: chrono::Duration::minutes(10),
    };
    let order_id = booking::place_order(&pool, guest, &request, None, &policy, Utc::now(), today)
        .await
        .unwrap()
        .order_id;
    booking::request_payment(&pool, guest, order_id, None, Utc::now())
        .await
        .unwrap();

    // Hold the order's row so the settlement blocks in the middle of its transaction.
    let mut blocker = pool.acquire().await.unwrap();
    let mut lock = blocker.begin().await.unwrap();
    sqlx::query("SELECT id FROM orders WHERE id = ? FOR UPDATE")
        .bind(order_id)
        .fetch_one(&mut *lock)
        .await
        .unwrap();
    JobQueues::new(&settings)
        .enqueue_settlement(SettlePayment { order_id })
        .await
        .unwrap();
    let first = start_worker(&settings);
    wait_until(30, "the settlement to be in flight", || async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
             WHERE DB = ? AND INFO LIKE '%FOR UPDATE%' AND ID <> CONNECTION_ID()",
        )
        .bind(&database)
        .fetch_one(&pool)
        .await
        .unwrap();
        waiting > 0
    })
    .await;
    drop(first); // SIGKILL
    lock.rollback().await.unwrap();
    drop(blocker);
    let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        status, "payment_pending",
        "the killed worker settled nothing"
    );

    let _second = start_worker(&settings);
    wait_until(60, "the order to complete after the restart", || async {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&pool)
            .await
            .unwrap();
        status == "completed"
    })
    .await;
    let points: i64 = sqlx::query_scalar("SELECT points FROM users WHERE id = ?")
        .bind(guest)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(points, 100_000 - 25_000, "charged exactly once");
    let completions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_events WHERE order_id = ? AND to_status = 'completed'",
    )
    .bind(order_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(completions, 1);

    pool.close().await;
    let server = MySqlPool::connect("mysql://root@127.0.0.1:3306/information_schema")
        .await
        .unwrap();
    server
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE `{database}`")))
        .await
        .unwrap();
}
