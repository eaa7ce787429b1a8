//! Bookings under contention, in a test binary of its own so that the process-wide count of
//! deadlock retries belongs to this test alone: many holds at the end of every index, on
//! neighbouring spaces and on one slot, while payments, settlements, cancels, expiry sweeps, a
//! host approving and declining requests to book, the sweep declining unanswered ones, and a
//! process whose clock runs ahead (it sees every hold as stale) work on the same rows.

#[path = "../api/helpers.rs"]
#[expect(
    dead_code,
    reason = "shared with the api test binary, which uses all of it"
)]
mod helpers;
#[path = "../api/telemetry.rs"]
#[expect(
    dead_code,
    reason = "shared with the api test binary, which uses all of it"
)]
mod telemetry;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use spacecloud_common::{
    booking::{self, BookingPolicy, BookingRequest, payment::PointsProvider},
    domain::{BookerInput, ConflictCode, Slot},
};
use tokio::sync::Mutex;

use helpers::{Login, TestApp, TestAppOptions, new_space, spawn_app_with};

const SPACES: usize = 6;
const GUESTS: usize = 24;
const HOLDS_PER_GUEST: usize = 16;
const RACERS: usize = 60;

struct Space {
    id: u64,
    day: u64,
    night: u64,
    all: u64,
}

fn order_body(space_id: u64, option_id: u64, date: NaiveDate) -> Value {
    json!({
        "space_id": space_id,
        "option_id": option_id,
        "date": date,
        "headcount": 2,
        "booker": {"name": "Contender", "phone": "010-1234-5678", "email": "c@example.com"},
    })
}

/// Every answer a client saw, by status and problem code.
#[derive(Default)]
struct Tally(Mutex<HashMap<(u16, String), usize>>);

impl Tally {
    async fn record(&self, status: u16, body: &Value) {
        let code = body["code"].as_str().unwrap_or_default().to_owned();
        *self.0.lock().await.entry((status, code)).or_default() += 1;
    }

    async fn count(&self, status: u16) -> usize {
        let seen = self.0.lock().await;
        seen.iter()
            .filter(|((s, _), _)| *s == status)
            .map(|(_, n)| n)
            .sum()
    }
}

async fn post(app: &TestApp, who: &Login, path: &str, body: Option<Value>) -> helpers::Reply {
    app.send(Method::POST, path, Some(&who.access_token), body)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contention_never_reaches_a_client_and_never_double_books() {
    let app = spawn_app_with(TestAppOptions {
        max_connections: 24,
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let mut spaces = Vec::new();
    for _ in 0..SPACES {
        let mut space = new_space(
            host.user_id,
            &reference,
            &[(Slot::Day, 1_000), (Slot::Night, 1_000), (Slot::All, 1_500)],
        );
        space.max_count = 8;
        let id = app.insert_space(&space).await;
        spaces.push(Space {
            id,
            day: app.option_id(id, Slot::Day).await,
            night: app.option_id(id, Slot::Night).await,
            all: app.option_id(id, Slot::All).await,
        });
    }
    // Two of the spaces approve each booking: their paid orders wait for the host.
    for space in &spaces[1..3] {
        sqlx::query("UPDATE spaces SET instant_booking = FALSE WHERE id = ?")
            .bind(space.id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let mut guests = Vec::new();
    for n in 0..GUESTS + RACERS {
        guests.push(app.login_as(100 + n as i64, &format!("guest{n}")).await);
    }
    // Dates past every claim the database holds, so every new claim lands at the end of the
    // claims' date index: where range locks used to make concurrent inserts deadlock.
    let first = app.today() + Days::new(300);
    let spaces = Arc::new(spaces);
    let tally = Arc::new(Tally::default());
    let done = Arc::new(AtomicBool::new(false));
    let app = Arc::new(app);

    // Holds over neighbouring spaces and consecutive dates; each guest pays for some of its
    // holds and cancels others at once, so claims are placed, kept and freed side by side.
    let mut tasks = Vec::new();
    for (g, guest) in guests[..GUESTS].iter().cloned().enumerate() {
        let (app, spaces, tally) = (app.clone(), spaces.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            for h in 0..HOLDS_PER_GUEST {
                let n = g * HOLDS_PER_GUEST + h;
                let space = &spaces[n % SPACES];
                let date = first + Days::new((n / SPACES) as u64 % 20);
                let option = [space.day, space.night, space.all][n % 3];
                let reply = post(
                    &app,
                    &guest,
                    "/api/v1/orders",
                    Some(order_body(space.id, option, date)),
                )
                .await;
                tally.record(reply.status, &reply.body).await;
                let Some(id) = reply.body["id"].as_u64().filter(|_| reply.status == 201) else {
                    continue;
                };
                let paths = match h % 4 {
                    0 => vec![format!("/api/v1/orders/{id}/payment")],
                    1 => vec![format!("/api/v1/orders/{id}/cancel")],
                    // Paid, then cancelled while it settles, waits for its host or is
                    // confirmed: each refunds (or refuses) under the order's lock.
                    2 => vec![
                        format!("/api/v1/orders/{id}/payment"),
                        format!("/api/v1/orders/{id}/cancel"),
                    ],
                    _ => continue,
                };
                for path in paths {
                    let reply = post(&app, &guest, &path, None).await;
                    tally.record(reply.status, &reply.body).await;
                }
            }
        }));
    }
    // A hundred-way race for one slot, mixing packages that overlap.
    for (n, guest) in guests[GUESTS..].iter().cloned().enumerate() {
        let (app, spaces, tally) = (app.clone(), spaces.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let space = &spaces[0];
            let option = [space.day, space.all][n % 2];
            let body = order_body(space.id, option, first + Days::new(30));
            let reply = post(&app, &guest, "/api/v1/orders", Some(body)).await;
            tally.record(reply.status, &reply.body).await;
        }));
    }
    // Background pressure: sweeps that see every hold as run out, and a process whose clock
    // is eleven minutes ahead booking the same slots (it takes over the claims it sees as
    // stale).
    let ahead = chrono::Duration::minutes(11);
    let mut background = Vec::new();
    {
        let (app, done) = (app.clone(), done.clone());
        let sweeper_clock = app.state.clock.skewed(ahead);
        background.push(tokio::spawn(async move {
            let mut expired = 0;
            while !done.load(Ordering::Relaxed) {
                expired += booking::expire_holds(&app.pool, &sweeper_clock)
                    .await
                    .expect("the sweep never fails under contention");
                tokio::task::yield_now().await;
            }
            expired
        }));
    }
    {
        let (app, spaces, done) = (app.clone(), spaces.clone(), done.clone());
        let stealer = guests[0].user_id;
        background.push(tokio::spawn(async move {
            let clock = app.state.clock.skewed(ahead);
            let policy = BookingPolicy {
                hold: chrono::Duration::minutes(10),
                max_waiting_holds: 1_000_000,
                approval: chrono::Duration::hours(24),
            };
            let mut n = 0usize;
            let mut won = 0;
            while !done.load(Ordering::Relaxed) {
                let space = &spaces[n % SPACES];
                let request = BookingRequest {
                    space_id: space.id,
                    option_id: space.night,
                    date: first + Days::new((n / SPACES) as u64 % 20),
                    start_hour: None,
                    end_hour: None,
                    headcount: 2,
                    booker: BookerInput {
                        name: "Ahead".into(),
                        phone: "010-1234-5678".into(),
                        email: "ahead@example.com".into(),
                        purpose: None,
                        request: None,
                    },
                };
                match booking::place_order(&app.pool, stealer, &request, None, &policy, &clock)
                    .await
                {
                    Ok(_) => won += 1,
                    Err(spacecloud_common::error::AppError::Conflict { code, .. }) => {
                        assert_eq!(code, ConflictCode::SlotUnavailable)
                    }
                    Err(other) => panic!("a hold failed with {other:?}"),
                }
                n += 1;
            }
            won
        }));
    }
    // The worker's settlements, as the worker runs them, while everything else goes on.
    {
        let (app, done) = (app.clone(), done.clone());
        background.push(tokio::spawn(async move {
            let policy = app.state.booking;
            let mut settled = 0;
            while !done.load(Ordering::Relaxed) {
                let pending: Vec<u64> = sqlx::query_scalar(
                    "SELECT id FROM orders WHERE status = 'payment_pending' ORDER BY id LIMIT 20",
                )
                .fetch_all(&app.pool)
                .await
                .unwrap();
                for order_id in pending {
                    booking::settle_payment(
                        &app.pool,
                        &PointsProvider,
                        order_id,
                        &policy,
                        &app.state.clock,
                    )
                    .await
                    .expect("a settlement never fails under contention");
                    settled += 1;
                }
                tokio::task::yield_now().await;
            }
            settled
        }));
    }
    // The host deciding on the requests, approving one and declining the next, through HTTP.
    {
        let (app, done, tally, host) = (app.clone(), done.clone(), tally.clone(), host.clone());
        background.push(tokio::spawn(async move {
            let mut decided = 0;
            while !done.load(Ordering::Relaxed) {
                let waiting: Vec<u64> = sqlx::query_scalar(
                    "SELECT id FROM orders WHERE status = 'awaiting_approval' ORDER BY id LIMIT 10",
                )
                .fetch_all(&app.pool)
                .await
                .unwrap();
                for order_id in waiting {
                    let (path, body) = if order_id % 2 == 0 {
                        (format!("/api/v1/orders/{order_id}/approve"), None)
                    } else {
                        (
                            format!("/api/v1/orders/{order_id}/decline"),
                            Some(json!({"reason": "fully booked that week"})),
                        )
                    };
                    let reply = post(&app, &host, &path, body).await;
                    tally.record(reply.status, &reply.body).await;
                    decided += u64::from(reply.status == 200);
                }
                tokio::task::yield_now().await;
            }
            decided
        }));
    }
    // The approval sweep, with a clock a day ahead: every request it finds is overdue.
    {
        let (app, done) = (app.clone(), done.clone());
        let sweeper_clock = app.state.clock.skewed(chrono::Duration::hours(25));
        background.push(tokio::spawn(async move {
            let mut declined = 0;
            while !done.load(Ordering::Relaxed) {
                declined += booking::decline_overdue(&app.pool, &PointsProvider, &sweeper_clock)
                    .await
                    .expect("the approval sweep never fails under contention");
                tokio::task::yield_now().await;
            }
            declined
        }));
    }
    for task in tasks {
        task.await.expect("a client task");
    }
    done.store(true, Ordering::Relaxed);
    let mut background = background.into_iter();
    let expired = background.next().unwrap().await.expect("the sweeper");
    let taken_over = background.next().unwrap().await.expect("the process ahead");
    let settled = background.next().unwrap().await.expect("the settler");
    let decided = background.next().unwrap().await.expect("the host");
    let timed_out = background
        .next()
        .unwrap()
        .await
        .expect("the approval sweep");
    // The paths under test all ran: sweeps expired holds, the process ahead took over claims it
    // saw as stale, payments settled, and requests were decided by the host or the sweep.
    assert!(expired > 0 && taken_over > 0, "{expired} {taken_over}");
    assert!(
        settled > 0 && decided + timed_out > 0,
        "{settled} {decided} {timed_out}"
    );

    let seen = tally.0.lock().await.clone();
    assert_eq!(
        tally.count(500).await + tally.count(502).await + tally.count(503).await,
        0,
        "server errors reached clients: {seen:?}"
    );
    for (status, code) in seen.keys() {
        match status {
            200..=202 => {}
            409 => assert!(
                [
                    "slot_unavailable",
                    "hold_expired",
                    "order_not_payable",
                    "order_not_cancelable",
                    "order_not_awaiting_approval"
                ]
                .contains(&code.as_str()),
                "unexpected conflict {code}: {seen:?}"
            ),
            other => panic!("unexpected status {other}: {seen:?}"),
        }
    }
    for ok in [201, 202, 200] {
        assert!(seen.contains_key(&(ok, String::new())), "{seen:?}");
    }
    assert!(
        seen.contains_key(&(409, "slot_unavailable".into())),
        "{seen:?}"
    );
    assert_eq!(
        booking::deadlock_retries(),
        0,
        "contention must not produce deadlocks that a retry hides"
    );
    assert_claims_match_orders(&app).await;
}

/// Each blocking order holds every hour it covers, and nothing else holds a claim.
async fn assert_claims_match_orders(app: &TestApp) {
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM hour_claims c JOIN orders o ON o.id = c.order_id \
         WHERE o.status NOT IN ('waiting', 'payment_pending', 'awaiting_approval', 'completed')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "claims of orders that no longer block");
    let unclaimed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o \
         WHERE o.status IN ('payment_pending', 'awaiting_approval', 'completed') \
         AND (SELECT COUNT(*) FROM hour_claims c WHERE c.order_id = o.id) \
         <> o.end_hour - o.start_hour",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unclaimed, 0, "paid orders whose hours someone else holds");
}
