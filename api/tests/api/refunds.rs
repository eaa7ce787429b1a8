//! Cancellation refunds through HTTP: every tier boundary of every refund policy, in calendar
//! days of the business time zone (across a month's end too), up to the last minute before
//! the first booked hour; and the policy an order was placed under is the one that refunds it.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveTime, Utc};
use reqwest::Method;
use serde_json::json;
use spacecloud_common::domain::{Hours, OrderStatus, RefundPolicy, Slot};

use crate::helpers::{Login, Reply, TestApp, new_order, new_space, points_of, spawn_app};

struct Room {
    space_id: u64,
    day: u64,
    hourly: u64,
}

struct Fixture {
    host: Login,
    guest: Login,
    /// One space per policy, in `RefundPolicy::EVERY` order.
    rooms: Vec<Room>,
}

impl Fixture {
    fn room(&self, policy: RefundPolicy) -> &Room {
        let index = RefundPolicy::EVERY
            .iter()
            .position(|p| *p == policy)
            .unwrap();
        &self.rooms[index]
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let guest = app.login_as(2, "guest").await;
    let mut rooms = Vec::new();
    for policy in RefundPolicy::EVERY {
        let mut space = new_space(
            host.user_id,
            &reference,
            &[(Slot::Day, 30_000), (Slot::Hourly, 10_000)],
        );
        space.refund_policy = policy;
        let space_id = app.insert_space(&space).await;
        rooms.push(Room {
            space_id,
            day: app.option_id(space_id, Slot::Day).await,
            hourly: app.option_id(space_id, Slot::Hourly).await,
        });
    }
    Fixture { host, guest, rooms }
}

/// A paid order of the guest, as settlement leaves it; `hours` for an hourly one.
async fn completed(
    app: &TestApp,
    fixture: &Fixture,
    policy: RefundPolicy,
    date: NaiveDate,
    hours: Option<Hours>,
    amount: i64,
) -> u64 {
    let room = fixture.room(policy);
    let (option, slot) = match hours {
        Some(_) => (room.hourly, Slot::Hourly),
        None => (room.day, Slot::Day),
    };
    let mut order = new_order(
        fixture.guest.user_id,
        room.space_id,
        option,
        slot,
        date,
        OrderStatus::Completed,
        Utc::now(),
    );
    order.amount = amount;
    order.refund_policy = policy;
    if let Some(hours) = hours {
        order.hours = hours;
    }
    app.insert_order(order).await.expect("the hours are free")
}

async fn cancel(app: &TestApp, who: &Login, order_id: u64) -> Reply {
    app.send(
        Method::POST,
        &format!("/api/v1/orders/{order_id}/cancel"),
        Some(&who.access_token),
        None,
    )
    .await
}

/// Cancels `order_id` and checks the refund, on the order and on the guest's balance.
async fn assert_refund(app: &TestApp, fixture: &Fixture, order_id: u64, expected: i64, case: &str) {
    let before = points_of(app, &fixture.guest).await;
    let reply = cancel(app, &fixture.guest, order_id).await;
    assert_eq!(reply.status, 200, "{case}: {}", reply.body);
    assert_eq!(reply.body["status"], "canceled", "{case}");
    assert_eq!(reply.body["refunded_points"], expected, "{case}");
    assert_eq!(
        points_of(app, &fixture.guest).await - before,
        expected,
        "{case}: the balance moved by the refund"
    );
}

const AMOUNT: i64 = 10_001;

#[tokio::test]
async fn every_tier_boundary_of_every_policy_refunds_its_percent_rounded_down() {
    use RefundPolicy::*;
    let app = spawn_app().await;
    // Noon: an order of today starting at 14:00 has not started.
    app.advance_to_local(12, 0);
    let fixture = fixture(&app).await;
    let today = app.today();
    // (policy, calendar days before the date, percent)
    let table = [
        (Flexible, 0, 0),
        (Flexible, 1, 100),
        (Flexible, 2, 100),
        (Flexible, 30, 100),
        (Standard, 0, 0),
        (Standard, 1, 20),
        (Standard, 2, 20),
        (Standard, 3, 50),
        (Standard, 6, 50),
        (Standard, 7, 100),
        (Standard, 8, 100),
        (Strict, 0, 0),
        (Strict, 2, 0),
        (Strict, 3, 50),
        (Strict, 4, 60),
        (Strict, 5, 70),
        (Strict, 6, 80),
        (Strict, 7, 90),
        (Strict, 8, 100),
        (Strict, 9, 100),
    ];
    for (policy, days, percent) in table {
        let date = today + Days::new(days);
        // Today's day package (9–18) has started; book the afternoon hours instead.
        let hours = (days == 0).then(|| Hours::new(14, 16).unwrap());
        let order_id = completed(&app, &fixture, policy, date, hours, AMOUNT).await;
        let case = format!("{policy}, {days} days before");
        assert_refund(&app, &fixture, order_id, AMOUNT * percent / 100, &case).await;
    }
}

fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first_of_next = date
        .with_day(1)
        .unwrap()
        .checked_add_months(chrono::Months::new(1))
        .unwrap();
    first_of_next.pred_opt().unwrap()
}

#[tokio::test]
async fn calendar_days_are_counted_across_a_month_boundary() {
    use RefundPolicy::*;
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    // Late on the last day of a month: the 1st of the next month is one calendar day away
    // although it is less than an hour off.
    let mut last = last_day_of_month(app.today());
    let late = NaiveTime::from_hms_opt(23, 30, 0).unwrap();
    if !app.try_advance_to(last.and_time(late)) {
        last = last_day_of_month(last + Days::new(1));
        assert!(app.try_advance_to(last.and_time(late)));
    }
    assert_eq!(app.today(), last);
    let first = last + Days::new(1);
    assert_eq!(first.day(), 1);
    for (policy, date, percent) in [
        (Flexible, first, 100),
        (Standard, first, 20),
        (Strict, first, 0),
        (Standard, last + Days::new(3), 50),
        (Strict, last + Days::new(7), 90),
        (Strict, last + Days::new(8), 100),
    ] {
        let order_id = completed(&app, &fixture, policy, date, None, AMOUNT).await;
        let case = format!("{policy}, {date} seen from {last}");
        assert_refund(&app, &fixture, order_id, AMOUNT * percent / 100, &case).await;
    }
}

#[tokio::test]
async fn a_completed_order_cancels_until_its_first_hour_starts() {
    let app = spawn_app().await;
    app.advance_to_local(13, 59);
    let fixture = fixture(&app).await;
    let today = app.today();
    let afternoon = Hours::new(14, 16).unwrap();
    let policy = RefundPolicy::Flexible;

    // 13:59, the last minute before 14:00: still canceled, on the day (0 %).
    let last_minute = completed(&app, &fixture, policy, today, Some(afternoon), AMOUNT).await;
    assert_refund(&app, &fixture, last_minute, 0, "the last minute").await;

    let started = completed(&app, &fixture, policy, today, Some(afternoon), AMOUNT).await;
    app.state.clock.advance(Duration::minutes(1));
    let before = points_of(&app, &fixture.guest).await;
    let refused = cancel(&app, &fixture.guest, started).await;
    refused.assert_problem(409, None);
    assert_eq!(refused.body["code"], "order_started");
    // Earlier dates have started too, whatever their hours.
    let yesterday = today - Days::new(1);
    let past = completed(&app, &fixture, policy, yesterday, None, AMOUNT).await;
    let refused = cancel(&app, &fixture.guest, past).await;
    assert_eq!(refused.body["code"], "order_started", "{}", refused.body);

    assert_eq!(
        points_of(&app, &fixture.guest).await,
        before,
        "nothing refunded"
    );
    for order_id in [started, past] {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(status, "completed");
    }
    // Nobody else cancels a guest's order.
    let later = completed(&app, &fixture, policy, today + Days::new(3), None, AMOUNT).await;
    cancel(&app, &fixture.host, later)
        .await
        .assert_problem(404, None);
}

#[tokio::test]
async fn the_policy_an_order_was_placed_under_is_the_one_that_refunds_it() {
    let app = spawn_app().await;
    app.start_worker().await;
    let fixture = fixture(&app).await;
    let room = fixture.room(RefundPolicy::Flexible);
    let date = app.today() + Days::new(2);
    let book_and_pay = || async {
        let body = json!({
            "space_id": room.space_id, "option_id": room.day, "date": date.to_string(),
            "headcount": 2,
            "booker": {"name": "Kim", "phone": "010-1234-5678", "email": "kim@example.com"}
        });
        let created = app
            .send(
                Method::POST,
                "/api/v1/orders",
                Some(&fixture.guest.access_token),
                Some(body),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let order_id = created.body["id"].as_u64().unwrap();
        let paid = app
            .send(
                Method::POST,
                &format!("/api/v1/orders/{order_id}/payment"),
                Some(&fixture.guest.access_token),
                None,
            )
            .await;
        assert_eq!(paid.status, 202, "{}", paid.body);
        app.eventually(20, "the payment to settle", || async {
            let order = app
                .send(
                    Method::GET,
                    &format!("/api/v1/orders/{order_id}"),
                    Some(&fixture.guest.access_token),
                    None,
                )
                .await;
            (order.body["status"] == "completed").then_some(order.body)
        })
        .await
    };

    let placed = book_and_pay().await;
    assert_eq!(placed["refund_policy"], "flexible");
    // The host tightens the policy after the booking.
    let patched = app
        .send(
            Method::PATCH,
            &format!("/api/v1/spaces/{}", room.space_id),
            Some(&fixture.host.access_token),
            Some(json!({"refund_policy": "strict"})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["refund_policy"]["name"], "strict");
    assert_eq!(patched.body["refund_policy"]["tiers"][0]["days_before"], 8);

    // Two days before: flexible refunds 100 %, strict would refund nothing.
    let order_id = placed["id"].as_u64().unwrap();
    assert_refund(&app, &fixture, order_id, 30_000, "placed under flexible").await;
    let again = book_and_pay().await;
    assert_eq!(again["refund_policy"], "strict");
    let again_id = again["id"].as_u64().unwrap();
    assert_refund(&app, &fixture, again_id, 0, "placed under strict").await;
}
