//! Booking by the hour through HTTP: an hourly order claims exactly its hours, every rule of
//! the hour model answers 422 naming its field, and hours come free again when a hold runs
//! out or an order is cancelled.

use chrono::{Days, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use spacecloud_common::domain::{Hours, Slot};

use crate::helpers::{Login, Reply, TestApp, new_space, spawn_app};

struct Studio {
    host: Login,
    space_id: u64,
    day: u64,
    hourly: u64,
}

/// Open 9 to 22, at least 2 hours, 10,000 won an hour; the day package too.
async fn studio(app: &TestApp) -> Studio {
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let mut space = new_space(
        host.user_id,
        &reference,
        &[(Slot::Day, 60_000), (Slot::Hourly, 10_000)],
    );
    space.opening = Hours::new(9, 22).unwrap();
    space.min_hours = 2;
    let space_id = app.insert_space(&space).await;
    Studio {
        day: app.option_id(space_id, Slot::Day).await,
        hourly: app.option_id(space_id, Slot::Hourly).await,
        host,
        space_id,
    }
}

fn hours_body(studio: &Studio, date: NaiveDate, start: Value, end: Value) -> Value {
    let mut body = json!({
        "space_id": studio.space_id, "option_id": studio.hourly, "date": date.to_string(),
        "headcount": 2,
        "booker": {"name": "Lee", "phone": "010-1234-5678", "email": "lee@example.com"}
    });
    if !start.is_null() {
        body["start_hour"] = start;
    }
    if !end.is_null() {
        body["end_hour"] = end;
    }
    body
}

async fn book(app: &TestApp, who: &Login, body: Value) -> Reply {
    app.send(
        Method::POST,
        "/api/v1/orders",
        Some(&who.access_token),
        Some(body),
    )
    .await
}

async fn free_hours(app: &TestApp, space_id: u64, date: NaiveDate) -> Vec<u64> {
    let reply = app
        .get_query(
            &format!("/api/v1/spaces/{space_id}/availability"),
            &[("from", date.to_string()), ("to", date.to_string())],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["days"][0]["free_hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hour| hour.as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_hourly_order_costs_and_claims_exactly_its_hours() {
    let app = spawn_app().await;
    let studio = studio(&app).await;
    let guest = app.login_as(2, "guest").await;
    let date = app.today() + Days::new(3);

    let held = book(
        &app,
        &guest,
        hours_body(&studio, date, json!(14), json!(17)),
    )
    .await;
    assert_eq!(held.status, 201, "{}", held.body);
    assert_eq!(held.body["amount"], 30_000, "3 hours at 10,000 won");
    assert_eq!(held.body["option"]["slot"], "hourly");
    assert_eq!(
        (&held.body["start_hour"], &held.body["end_hour"]),
        (&json!(14), &json!(17))
    );
    let free = free_hours(&app, studio.space_id, date).await;
    let expected: Vec<u64> = (9..22).filter(|hour| !(14..17).contains(hour)).collect();
    assert_eq!(free, expected);

    // The day package (9–18) covers hours the order holds; the hours next to it are free.
    let other = app.login_as(3, "other").await;
    let package = json!({
        "space_id": studio.space_id, "option_id": studio.day, "date": date.to_string(),
        "headcount": 2,
        "booker": {"name": "Kim", "phone": "010-1234-5678", "email": "kim@example.com"}
    });
    let refused = book(&app, &other, package).await;
    refused.assert_problem(409, None);
    assert_eq!(refused.body["code"], "slot_unavailable");
    let overlapping = book(
        &app,
        &other,
        hours_body(&studio, date, json!(16), json!(18)),
    )
    .await;
    assert_eq!(overlapping.body["code"], "slot_unavailable");
    let adjacent = book(
        &app,
        &other,
        hours_body(&studio, date, json!(17), json!(19)),
    )
    .await;
    assert_eq!(adjacent.status, 201, "{}", adjacent.body);

    // The list finds the space for free hours only.
    let search = |start: u8, end: u8| {
        let params = vec![
            ("date", date.to_string()),
            ("start_hour", start.to_string()),
            ("end_hour", end.to_string()),
        ];
        let app = &app;
        async move { app.get_query("/api/v1/spaces", &params).await }
    };
    assert_eq!(search(19, 21).await.body["total"], 1);
    assert_eq!(search(15, 17).await.body["total"], 0);
    assert_eq!(
        search(20, 21).await.body["total"],
        0,
        "shorter than min_hours"
    );
    assert_eq!(search(21, 23).await.body["total"], 0, "past closing");
}

#[tokio::test]
async fn every_rule_of_the_hour_model_is_refused_naming_its_field() {
    let app = spawn_app().await;
    // Mid-afternoon, so both "the current hour" and "the next one" fall inside 9 to 22.
    app.advance_to_local(13, 30);
    let studio = studio(&app).await;
    let guest = app.login_as(2, "guest").await;
    let date = app.today() + Days::new(2);
    for (start, end, field) in [
        (json!(14), json!(15), "end_hour"),   // min_hours is 2
        (json!(8), json!(10), "start_hour"),  // opens at 9
        (json!(21), json!(23), "start_hour"), // closes at 22
        (json!(15), json!(14), "end_hour"),
        (Value::Null, json!(14), "start_hour"),
        (json!(14), Value::Null, "end_hour"),
        (json!(-1), json!(3), "start_hour"),
        (json!(20), json!(25), "end_hour"),
    ] {
        book(
            &app,
            &guest,
            hours_body(&studio, date, start.clone(), end.clone()),
        )
        .await
        .assert_problem(422, Some(field));
    }
    // A package names no hours.
    let mut package = hours_body(&studio, date, json!(9), json!(18));
    package["option_id"] = json!(studio.day);
    book(&app, &guest, package)
        .await
        .assert_problem(422, Some("start_hour"));
    // Hours as strings are not hours.
    let reply = book(
        &app,
        &guest,
        hours_body(&studio, date, json!("14"), json!(16)),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);

    // Hours of today that have started: the current hour is refused, the next one is not.
    let now_hour = app.state.moment().hour;
    assert_eq!(now_hour, 13);
    let today = app.today();
    let started = book(
        &app,
        &guest,
        hours_body(&studio, today, json!(now_hour), json!(now_hour + 2)),
    )
    .await;
    started.assert_problem(422, Some("start_hour"));
    let next = book(
        &app,
        &guest,
        hours_body(&studio, today, json!(now_hour + 1), json!(now_hour + 3)),
    )
    .await;
    assert_eq!(next.status, 201, "{}", next.body);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE date <> ?")
        .bind(today)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(orders, 0, "refused requests create nothing");
}

#[tokio::test]
async fn a_run_out_hold_and_a_cancellation_free_the_hours() {
    let app = spawn_app().await;
    let studio = studio(&app).await;
    let first = app.login_as(2, "first").await;
    let second = app.login_as(3, "second").await;
    let date = app.today() + Days::new(5);

    let held = book(
        &app,
        &first,
        hours_body(&studio, date, json!(10), json!(13)),
    )
    .await;
    assert_eq!(held.status, 201, "{}", held.body);
    book(
        &app,
        &second,
        hours_body(&studio, date, json!(12), json!(14)),
    )
    .await
    .assert_problem(409, None);
    // The hold runs out: its hours are free for the next booking at once.
    app.state.clock.advance(Duration::minutes(11));
    let taken = book(
        &app,
        &second,
        hours_body(&studio, date, json!(12), json!(14)),
    )
    .await;
    assert_eq!(taken.status, 201, "{}", taken.body);
    let taken_id = taken.body["id"].as_u64().unwrap();

    // Cancelling frees exactly the cancelled order's hours.
    let cancel = app
        .send(
            Method::POST,
            &format!("/api/v1/orders/{taken_id}/cancel"),
            Some(&second.access_token),
            None,
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert_eq!(cancel.body["status"], "canceled");
    let again = book(
        &app,
        &first,
        hours_body(&studio, date, json!(12), json!(14)),
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.body);
}

#[tokio::test]
async fn hosts_set_the_hourly_option_and_opening_hours() {
    let app = spawn_app().await;
    let studio = studio(&app).await;
    let path = format!("/api/v1/spaces/{}", studio.space_id);
    let patch = |body: Value| {
        let (app, path, token) = (&app, &path, &studio.host.access_token);
        async move { app.send(Method::PATCH, path, Some(token), Some(body)).await }
    };
    let changed =
        patch(json!({"price_hour": 12_000, "open_hour": 10, "close_hour": 20, "min_hours": 3}))
            .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        (
            &changed.body["open_hour"],
            &changed.body["close_hour"],
            &changed.body["min_hours"]
        ),
        (&json!(10), &json!(20), &json!(3))
    );
    let hourly = changed.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|option| option["slot"] == "hourly")
        .unwrap()
        .clone();
    assert_eq!(hourly["price"], 12_000);
    assert_eq!(
        changed.body["min_price"], 36_000,
        "min_hours at the hourly price"
    );

    for (body, field) in [
        (json!({"open_hour": 20, "close_hour": 20}), "close_hour"),
        (json!({"close_hour": 25}), "close_hour"),
        (json!({"min_hours": 11}), "min_hours"),
        (json!({"min_hours": 0}), "min_hours"),
        (json!({"price_hour": -1}), "price_hour"),
    ] {
        patch(body).await.assert_problem(422, Some(field));
    }
    let detail = app
        .get(&format!("/api/v1/spaces/{}", studio.space_id))
        .await;
    assert_eq!(
        detail.body["min_hours"], 3,
        "refused changes change nothing"
    );
}
