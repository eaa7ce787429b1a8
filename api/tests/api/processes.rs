//! The system as it is deployed: several API and worker processes against one MySQL and Redis.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use chrono::Days;
use serde_json::json;
use spacecloud_common::domain::Slot;

use spacecloud_testkit::process::{ChildProcess, free_port, workspace_binary};

use crate::helpers::{TEST_JWT_SECRET, TestApp, new_space, spawn_app};

/// An API server process and where it answers.
struct ApiProcess {
    _process: ChildProcess,
    address: String,
}

/// `binary` run quietly against the test app's database, Redis, queues and storage.
fn with_app_environment(binary: &Path, app: &TestApp) -> Command {
    use secrecy::ExposeSecret;
    let settings = &app.state.settings;
    let mut command = Command::new(binary);
    command
        .env("APP_ENV", "test")
        .env("DATABASE_URL", settings.database_url.expose_secret())
        .env("REDIS_URL", settings.redis_url.expose_secret())
        .env("QUEUE_PREFIX", &settings.jobs.queue_prefix)
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let spacecloud_common::config::StorageSettings::Local { dir } = &settings.storage {
        command.env("MEDIA_DIR", dir);
    }
    command
}

async fn api_process(app: &TestApp) -> ApiProcess {
    api_process_with(app, &[]).await
}

async fn api_process_with(app: &TestApp, vars: &[(&str, &str)]) -> ApiProcess {
    let port = free_port();
    let child = ChildProcess::spawn(
        with_app_environment(Path::new(env!("CARGO_BIN_EXE_spacecloud-api")), app)
            .envs(vars.iter().copied())
            .arg("serve")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_MAX_CONNECTIONS", "10"),
    );
    let process = ApiProcess {
        _process: child,
        address: format!("http://127.0.0.1:{port}"),
    };
    let health = format!("{}/healthz", process.address);
    app.eventually(30, "the API process to answer", || async {
        app.client
            .get(&health)
            .send()
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;
    process
}

/// Cargo names only this package's binaries to its tests; the worker's is built beside them by
/// the workspace test command (`cargo test --workspace`).
fn worker_binary() -> PathBuf {
    let path = workspace_binary(&format!(
        "spacecloud-worker{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`",
        path.display()
    );
    path
}

fn worker_process(app: &TestApp) -> ChildProcess {
    ChildProcess::spawn(with_app_environment(&worker_binary(), app).env("JOB_POLL_MS", "20"))
}

#[tokio::test]
async fn two_api_and_two_worker_processes_make_one_booking_per_slot() {
    let app = spawn_app().await;
    let _workers = [worker_process(&app), worker_process(&app)];
    let (first, second) = (api_process(&app).await, api_process(&app).await);
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let space_id = app
        .insert_space(&new_space(
            host.user_id,
            &reference,
            &[(Slot::Day, 5_000), (Slot::All, 9_000)],
        ))
        .await;
    let day = app.option_id(space_id, Slot::Day).await;
    let all = app.option_id(space_id, Slot::All).await;
    let date = app.today() + Days::new(9);
    let mut guests = Vec::new();
    for n in 0..60 {
        guests.push(app.login_as(100 + n, &format!("guest{n}")).await);
    }
    let attempts = guests.iter().enumerate().map(|(n, guest)| {
        let address = if n % 2 == 0 {
            &first.address
        } else {
            &second.address
        };
        let option = if n % 3 == 0 { all } else { day };
        let request = app
            .client
            .post(format!("{address}/api/v1/orders"))
            .bearer_auth(&guest.access_token)
            .json(&json!({
                "space_id": space_id, "option_id": option, "date": date.to_string(),
                "headcount": 2,
                "booker": {"name": "Lee", "phone": "01012345678", "email": "lee@example.com"}
            }));
        async move { request.send().await.unwrap() }
    });
    let replies = futures_util::future::join_all(attempts).await;
    let mut winners = Vec::new();
    for (n, reply) in replies.into_iter().enumerate() {
        match reply.status().as_u16() {
            201 => winners.push(n),
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one booking wins across processes"
    );

    // The winner pays through the other process; one of the two workers settles it, once.
    let winner = &guests[winners[0]];
    let order_id: u64 = sqlx::query_scalar("SELECT id FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let other = if winners[0] % 2 == 0 { &second } else { &first };
    let paid = app
        .client
        .post(format!(
            "{}/api/v1/orders/{order_id}/payment",
            other.address
        ))
        .bearer_auth(&winner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 202);
    app.eventually(20, "the order to complete", || async {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        (status == "completed").then_some(())
    })
    .await;
    let charged: i64 = sqlx::query_scalar("SELECT 100000 - points FROM users WHERE id = ?")
        .bind(winner.user_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let amount: i64 = sqlx::query_scalar("SELECT amount FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(charged, amount);
}

/// Waits out the last seconds of a minute, so that a test spending a budget stays inside one
/// of the limiter's one-minute windows.
pub async fn within_one_rate_window() {
    use chrono::Timelike;
    while chrono::Utc::now().second() > 45 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Two API processes spend from one budget in Redis: sign-in per client address, booking per
/// user; over it, 429 with `Retry-After` and a problem, and other users are untouched.
#[tokio::test]
async fn two_api_processes_share_one_rate_budget() {
    let app = spawn_app().await;
    let limits = [
        ("RATE_LIMIT_SIGN_IN_PER_MINUTE", "3"),
        ("RATE_LIMIT_BOOKING_PER_MINUTE", "2"),
    ];
    let (first, second) = (
        api_process_with(&app, &limits).await,
        api_process_with(&app, &limits).await,
    );
    let (alice, bob) = (app.login_as(1, "alice").await, app.login_as(2, "bob").await);
    within_one_rate_window().await;
    let refresh = |address: &str| {
        app.client
            .post(format!("{address}/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": "not-a-token"}))
            .send()
    };
    for address in [&first.address, &second.address, &first.address] {
        assert_eq!(refresh(address).await.unwrap().status(), 401);
    }
    let over = refresh(&second.address).await.unwrap();
    assert_eq!(over.status(), 429);
    let retry_after: u64 = over.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(
        over.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: serde_json::Value = over.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");

    let order = |address: &str, token: &str| {
        app.client
            .post(format!("{address}/api/v1/orders"))
            .bearer_auth(token)
            .json(&json!({"space_id": 999_999}))
            .send()
    };
    for address in [&first.address, &second.address] {
        let status = order(address, &alice.access_token).await.unwrap().status();
        assert_ne!(status, 429);
    }
    let payment = app
        .client
        .post(format!("{}/api/v1/orders/1/payment", first.address))
        .bearer_auth(&alice.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        payment.status(),
        429,
        "payments spend the booking budget too"
    );
    let other_user = order(&second.address, &bob.access_token).await.unwrap();
    assert_ne!(other_user.status(), 429);
}

/// Likes a space through `process` and waits until `other` serves the new count; returns how
/// long that took.
async fn like_seen_elsewhere(
    app: &TestApp,
    token: &str,
    process: &ApiProcess,
    other: &ApiProcess,
    space_id: u64,
    like: bool,
) -> std::time::Duration {
    let path = format!("/api/v1/spaces/{space_id}/like");
    let request = if like {
        app.client.put(format!("{}{path}", process.address))
    } else {
        app.client.delete(format!("{}{path}", process.address))
    };
    let started = std::time::Instant::now();
    assert_eq!(
        request.bearer_auth(token).send().await.unwrap().status(),
        204
    );
    let expected = u64::from(like);
    let detail = format!("{}/api/v1/spaces/{space_id}", other.address);
    app.eventually(10, "the other process to show the like", || async {
        let body: serde_json::Value = app
            .client
            .get(&detail)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (body["like_count"] == expected).then_some(())
    })
    .await;
    started.elapsed()
}

/// Two API processes serve the detail from memory: a change made through one is served by the
/// other, woken through Redis (the processes poll only once a minute here, so nothing else can
/// deliver it within the test's deadline), and, once Redis is gone, by polling alone.
#[tokio::test]
async fn a_change_on_one_api_process_reaches_the_other() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space_id = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    let guest = app.login_as(2, "guest").await;
    let mut redis = spacecloud_testkit::process::RedisServer::start().await;
    let url = redis.url();
    let woken_only = [("REDIS_URL", url.as_str()), ("CATALOGUE_POLL_MS", "60000")];
    let (first, second) = (
        api_process_with(&app, &woken_only).await,
        api_process_with(&app, &woken_only).await,
    );
    // Both have subscribed to the wake-ups before the change is made.
    let channel = spacecloud_common::catalogue::wake_channel(&app.state.settings.jobs.queue_prefix);
    app.eventually(10, "both processes to subscribe", || async {
        let client = redis::Client::open(url.as_str()).ok()?;
        let mut conn = client.get_multiplexed_async_connection().await.ok()?;
        let (_, subscribers): (String, u64) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(&channel)
            .query_async(&mut conn)
            .await
            .ok()?;
        (subscribers >= 2).then_some(())
    })
    .await;
    let woken =
        like_seen_elsewhere(&app, &guest.access_token, &first, &second, space_id, true).await;
    drop((first, second));

    let polling = [("REDIS_URL", url.as_str())];
    let (first, second) = (
        api_process_with(&app, &polling).await,
        api_process_with(&app, &polling).await,
    );
    redis.stop();
    let polled =
        like_seen_elsewhere(&app, &guest.access_token, &second, &first, space_id, false).await;
    eprintln!("seen by the other process after {woken:?} (woken), {polled:?} (polling)");
}

/// Whether `process` lists `space_id` among the spaces bookable on `date`.
async fn listed_on(
    app: &TestApp,
    process: &ApiProcess,
    date: chrono::NaiveDate,
    space_id: u64,
) -> Option<bool> {
    let body: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/spaces", process.address))
        .query(&[("date", date.to_string()), ("per_page", "100".into())])
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let items = body["items"].as_array()?;
    Some(items.iter().any(|item| item["id"] == space_id))
}

/// Waits until `process` does (`listed`) or does not list the space on `date`; returns how
/// long that took from `since`.
async fn until_listed(
    app: &TestApp,
    process: &ApiProcess,
    date: chrono::NaiveDate,
    space_id: u64,
    listed: bool,
    since: std::time::Instant,
) -> std::time::Duration {
    let what = if listed {
        "the space to return to the other process's list"
    } else {
        "the space to leave the other process's list"
    };
    app.eventually(10, what, || async {
        (listed_on(app, process, date, space_id).await? == listed).then_some(())
    })
    .await;
    since.elapsed()
}

/// The list's date filter, served from each process's memory, follows claims made anywhere:
/// a hold placed through one API process takes the space out of the other's list; the
/// worker's expiry of that hold brings it back; and with Redis gone (no wake-ups, no queues)
/// a block written straight to MySQL still reaches both by polling the outbox.
#[tokio::test]
async fn claims_made_anywhere_reach_every_processs_list() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    // Only the day package: one hold of it leaves nothing bookable that date.
    let space_id = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    let guest = app.login_as(2, "guest").await;
    let date = app.today() + Days::new(5);
    let mut redis = spacecloud_testkit::process::RedisServer::start().await;
    let url = redis.url();
    let private_redis = [("REDIS_URL", url.as_str())];
    let (first, second) = (
        api_process_with(&app, &private_redis).await,
        api_process_with(&app, &private_redis).await,
    );
    let _worker = ChildProcess::spawn(
        with_app_environment(&worker_binary(), &app)
            .env("REDIS_URL", &url)
            .env("JOB_POLL_MS", "20")
            .env("SWEEP_SCHEDULE", "* * * * * *"),
    );
    for process in [&first, &second] {
        assert_eq!(listed_on(&app, process, date, space_id).await, Some(true));
    }

    let option_id = app.option_id(space_id, Slot::Day).await;
    let started = std::time::Instant::now();
    let reply = app
        .client
        .post(format!("{}/api/v1/orders", first.address))
        .bearer_auth(&guest.access_token)
        .json(&json!({
            "space_id": space_id, "option_id": option_id, "date": date.to_string(),
            "headcount": 2,
            "booker": {"name": "Lee", "phone": "01012345678", "email": "lee@example.com"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let order_id = reply.json::<serde_json::Value>().await.unwrap()["id"]
        .as_u64()
        .unwrap();
    // The writing process shows its own write on its next request.
    assert_eq!(listed_on(&app, &first, date, space_id).await, Some(false));
    let booked = until_listed(&app, &second, date, space_id, false, started).await;

    // The hold runs out (moved into the past behind the API's back, which records nothing):
    // only the worker's expiry, through the outbox, tells the processes.
    sqlx::query(
        "UPDATE orders o JOIN hour_claims hc ON hc.order_id = o.id \
         SET o.hold_expires_at = NOW(6) - INTERVAL 1 SECOND, \
         hc.expires_at = NOW(6) - INTERVAL 1 SECOND WHERE o.id = ?",
    )
    .bind(order_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let expiry_started = std::time::Instant::now();
    app.eventually(20, "the worker to expire the hold", || async {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&app.pool)
            .await
            .ok()?;
        (status == "expired").then_some(())
    })
    .await;
    let expired = until_listed(&app, &second, date, space_id, true, expiry_started).await;
    until_listed(&app, &first, date, space_id, true, expiry_started).await;

    // No Redis: no wake-ups. A block written straight to MySQL is found by polling alone.
    redis.stop();
    let input = spacecloud_common::blocks::BlockInput {
        date,
        start_hour: Some(9),
        end_hour: Some(18),
        reason: None,
    };
    let polling_started = std::time::Instant::now();
    spacecloud_common::blocks::create(&app.pool, host, space_id, &input, &app.state.clock)
        .await
        .unwrap();
    let polled = until_listed(&app, &second, date, space_id, false, polling_started).await;
    until_listed(&app, &first, date, space_id, false, polling_started).await;
    eprintln!(
        "the other process's list after {booked:?} (a hold), {expired:?} (the worker's \
         expiry), {polled:?} (a block, Redis down)"
    );
}
