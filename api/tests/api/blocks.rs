//! Host blocks through HTTP: create, list, delete; a block and a booking refuse each other's
//! hours, in either order and when they race; blocked hours are taken in the list and the
//! availability calendar.

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};
use spacecloud_common::domain::Slot;

use crate::helpers::{Login, Reply, TestApp, new_space, spawn_app};

struct Venue {
    host: Login,
    space_id: u64,
    day: u64,
    night: u64,
}

async fn venue(app: &TestApp) -> Venue {
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let space = new_space(
        host.user_id,
        &reference,
        &[
            (Slot::Day, 30_000),
            (Slot::Night, 40_000),
            (Slot::All, 60_000),
        ],
    );
    let space_id = app.insert_space(&space).await;
    Venue {
        day: app.option_id(space_id, Slot::Day).await,
        night: app.option_id(space_id, Slot::Night).await,
        host,
        space_id,
    }
}

async fn block(app: &TestApp, who: &Login, space_id: u64, body: Value) -> Reply {
    app.send(
        Method::POST,
        &format!("/api/v1/spaces/{space_id}/blocks"),
        Some(&who.access_token),
        Some(body),
    )
    .await
}

async fn book(app: &TestApp, who: &Login, space_id: u64, option_id: u64, date: NaiveDate) -> Reply {
    app.send(
        Method::POST,
        "/api/v1/orders",
        Some(&who.access_token),
        Some(json!({
            "space_id": space_id, "option_id": option_id, "date": date.to_string(),
            "headcount": 2,
            "booker": {"name": "Kim", "phone": "010-1234-5678", "email": "kim@example.com"}
        })),
    )
    .await
}

async fn day_of_calendar(app: &TestApp, space_id: u64, date: NaiveDate) -> Value {
    let reply = app
        .get_query(
            &format!("/api/v1/spaces/{space_id}/availability"),
            &[("from", date.to_string()), ("to", date.to_string())],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["days"][0]["slots"].clone()
}

async fn listed(app: &TestApp, date: NaiveDate, slot: &str) -> Vec<u64> {
    let reply = app
        .get_query(
            "/api/v1/spaces",
            &[("date", date.to_string()), ("slot", slot.to_owned())],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_block_closes_its_hours_and_deleting_it_opens_them_again() {
    let app = spawn_app().await;
    let venue = venue(&app).await;
    let date = app.today() + Days::new(5);

    // The evening only: the night package is taken, the day package stays bookable.
    let created = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": date.to_string(), "start_hour": 20, "end_hour": 22, "reason": "cleaning"}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["start_hour"], 20);
    assert_eq!(created.body["end_hour"], 22);
    assert_eq!(created.body["reason"], "cleaning");
    let block_id = created.body["id"].as_u64().unwrap();

    let calendar = day_of_calendar(&app, venue.space_id, date).await;
    assert_eq!(
        (&calendar["day"], &calendar["night"], &calendar["all"]),
        (&json!(true), &json!(false), &json!(false))
    );
    assert!(listed(&app, date, "night").await.is_empty());
    assert_eq!(listed(&app, date, "day").await, vec![venue.space_id]);

    let guest = app.login_as(2, "guest").await;
    let refused = book(&app, &guest, venue.space_id, venue.night, date).await;
    refused.assert_problem(409, None);
    assert_eq!(refused.body["code"], "slot_unavailable");

    let listing = app
        .send(
            Method::GET,
            &format!(
                "/api/v1/me/spaces/{}/blocks?from={date}&to={date}",
                venue.space_id
            ),
            Some(&venue.host.access_token),
            None,
        )
        .await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    assert_eq!(listing.body.as_array().unwrap().len(), 1);
    assert_eq!(listing.body[0]["id"], block_id);
    assert_eq!(listing.body[0]["date"], date.to_string());

    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/spaces/{}/blocks/{block_id}", venue.space_id),
            Some(&venue.host.access_token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(
        day_of_calendar(&app, venue.space_id, date).await["night"],
        true
    );
    let booked = book(&app, &guest, venue.space_id, venue.night, date).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let claims: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM hour_claims WHERE block_id IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(claims, 0, "a deleted block holds no hours");
}

#[tokio::test]
async fn without_hours_a_block_takes_the_whole_day_and_a_block_over_a_booking_is_refused() {
    let app = spawn_app().await;
    let venue = venue(&app).await;
    let guest = app.login_as(2, "guest").await;
    let date = app.today() + Days::new(3);
    assert_eq!(
        book(&app, &guest, venue.space_id, venue.day, date)
            .await
            .status,
        201
    );

    // Over the held day package: refused, and nothing of it is kept.
    let over = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": date.to_string()}),
    )
    .await;
    over.assert_problem(409, None);
    assert_eq!(over.body["code"], "slot_unavailable");
    let over_edge = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": date.to_string(), "start_hour": 17, "end_hour": 19}),
    )
    .await;
    assert_eq!(over_edge.body["code"], "slot_unavailable");
    let blocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM space_blocks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(blocks, 0, "a refused block leaves no row");

    // Next to it (the hour the day package ends) is free.
    let after = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": date.to_string(), "start_hour": 18, "end_hour": 19}),
    )
    .await;
    assert_eq!(after.status, 201, "{}", after.body);

    // Another date, no hours: the whole day.
    let other = date + Days::new(1);
    let whole = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": other.to_string()}),
    )
    .await;
    assert_eq!(whole.status, 201, "{}", whole.body);
    assert_eq!(
        (
            whole.body["start_hour"].as_u64(),
            whole.body["end_hour"].as_u64()
        ),
        (Some(0), Some(24))
    );
    assert_eq!(whole.body["reason"], "");
    let calendar = day_of_calendar(&app, venue.space_id, other).await;
    assert_eq!(
        (&calendar["day"], &calendar["night"], &calendar["all"]),
        (&json!(false), &json!(false), &json!(false))
    );
    let overlapping = block(
        &app,
        &venue.host,
        venue.space_id,
        json!({"date": other.to_string(), "start_hour": 3, "end_hour": 4}),
    )
    .await;
    assert_eq!(
        overlapping.body["code"], "slot_unavailable",
        "a block over a block"
    );
}

#[tokio::test]
async fn blocks_are_the_owners_alone_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let venue = venue(&app).await;
    let stranger = app.login_as(3, "stranger").await;
    let date = app.today() + Days::new(2);
    let body = json!({"date": date.to_string(), "start_hour": 10, "end_hour": 12});

    let theirs = block(&app, &stranger, venue.space_id, body.clone()).await;
    theirs.assert_problem(403, None);
    assert_eq!(theirs.body["code"], "forbidden");
    block(&app, &venue.host, 999_999, body.clone())
        .await
        .assert_problem(404, None);
    let anonymous = app
        .send(
            Method::POST,
            &format!("/api/v1/spaces/{}/blocks", venue.space_id),
            None,
            Some(body.clone()),
        )
        .await;
    anonymous.assert_problem(401, None);

    for (bad, field) in [
        (
            json!({"date": (app.today() - Days::new(1)).to_string()}),
            "date",
        ),
        (
            json!({"date": (app.today() + Days::new(400)).to_string()}),
            "date",
        ),
        (
            json!({"date": date.to_string(), "start_hour": 12, "end_hour": 12}),
            "end_hour",
        ),
        (
            json!({"date": date.to_string(), "start_hour": 14, "end_hour": 12}),
            "end_hour",
        ),
        (
            json!({"date": date.to_string(), "start_hour": -1}),
            "start_hour",
        ),
        (
            json!({"date": date.to_string(), "end_hour": 25}),
            "end_hour",
        ),
        (
            json!({"date": date.to_string(), "reason": "x".repeat(201)}),
            "reason",
        ),
    ] {
        block(&app, &venue.host, venue.space_id, bad)
            .await
            .assert_problem(422, Some(field));
    }
    for malformed in [
        json!({"date": "tomorrow"}),
        json!({"date": date.to_string(), "start_hour": "ten"}),
        json!({"date": date.to_string(), "reason": 5}),
        json!({}),
    ] {
        let reply = block(&app, &venue.host, venue.space_id, malformed.clone()).await;
        assert_eq!(reply.status, 400, "{malformed}: {}", reply.body);
    }
    let blocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM space_blocks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(blocks, 0);

    // Listing and deleting are the owner's too.
    let mine = block(&app, &venue.host, venue.space_id, body).await;
    let block_id = mine.body["id"].as_u64().unwrap();
    let listing = app
        .send(
            Method::GET,
            &format!("/api/v1/me/spaces/{}/blocks", venue.space_id),
            Some(&stranger.access_token),
            None,
        )
        .await;
    listing.assert_problem(403, None);
    let too_wide = app
        .send(
            Method::GET,
            &format!(
                "/api/v1/me/spaces/{}/blocks?from={date}&to={}",
                venue.space_id,
                date + Days::new(366)
            ),
            Some(&venue.host.access_token),
            None,
        )
        .await;
    too_wide.assert_problem(422, Some("to"));
    let delete = |who: &Login, space_id: u64, block_id: u64| {
        let token = who.access_token.clone();
        let app = &app;
        async move {
            app.send(
                Method::DELETE,
                &format!("/api/v1/spaces/{space_id}/blocks/{block_id}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    delete(&stranger, venue.space_id, block_id)
        .await
        .assert_problem(403, None);
    delete(&venue.host, venue.space_id, block_id + 1)
        .await
        .assert_problem(404, None);
    assert_eq!(
        delete(&venue.host, venue.space_id, block_id).await.status,
        204
    );
    delete(&venue.host, venue.space_id, block_id)
        .await
        .assert_problem(404, None);
}

/// A hundred clients at once on one space and date: guests booking packages and overlapping
/// runs of hours, and the host blocking hours. No hour ends up claimed twice, the winners'
/// ranges never overlap, every loser is told `slot_unavailable`, and nothing is 5xx.
#[tokio::test]
async fn a_hundred_clients_racing_hours_packages_and_blocks_never_share_an_hour() {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let mut space = new_space(
        host.user_id,
        &reference,
        &[
            (Slot::Day, 30_000),
            (Slot::Night, 40_000),
            (Slot::All, 60_000),
            (Slot::Hourly, 5_000),
        ],
    );
    space.max_count = 10;
    let space_id = app.insert_space(&space).await;
    let options = [
        app.option_id(space_id, Slot::Day).await,
        app.option_id(space_id, Slot::Night).await,
        app.option_id(space_id, Slot::All).await,
    ];
    let hourly = app.option_id(space_id, Slot::Hourly).await;
    let date = app.today() + Days::new(7);
    let mut rng = StdRng::seed_from_u64(
        std::env::var("RACE_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or(7),
    );
    let mut guests = Vec::new();
    for n in 0..90 {
        guests.push(app.login_as(100 + n, &format!("guest{n}")).await);
    }
    type Racer<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Reply> + 'a>>;
    let mut racers: Vec<Racer> = Vec::new();
    for (n, guest) in guests.iter().enumerate() {
        let mut body = json!({
            "space_id": space_id, "date": date.to_string(), "headcount": 2,
            "booker": {"name": "Kim", "phone": "010-1234-5678", "email": "kim@example.com"}
        });
        if n % 3 == 0 {
            body["option_id"] = json!(options[n / 3 % 3]);
        } else {
            let start = rng.random_range(0..23u8);
            let end = rng.random_range(start + 1..=(start + 4).min(24));
            body["option_id"] = json!(hourly);
            body["start_hour"] = json!(start);
            body["end_hour"] = json!(end);
        }
        racers.push(Box::pin(app.send(
            Method::POST,
            "/api/v1/orders",
            Some(&guest.access_token),
            Some(body),
        )));
    }
    for _ in 0..10 {
        let start = rng.random_range(0..23u8);
        let end = rng.random_range(start + 1..=(start + 3).min(24));
        racers.push(Box::pin(block(
            &app,
            &host,
            space_id,
            json!({"date": date.to_string(), "start_hour": start, "end_hour": end}),
        )));
    }
    let replies = futures_util::future::join_all(racers).await;
    let mut winners = Vec::new();
    for reply in &replies {
        match reply.status {
            201 => winners.push((
                reply.body["start_hour"].as_u64().unwrap(),
                reply.body["end_hour"].as_u64().unwrap(),
            )),
            409 => assert_eq!(reply.body["code"], "slot_unavailable", "{}", reply.body),
            other => panic!("a racer got {other}: {}", reply.body),
        }
    }
    assert!(winners.len() >= 2, "{winners:?}");
    winners.sort_unstable();
    for pair in winners.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "two winners share an hour: {pair:?}"
        );
    }
    // The claims are exactly the winners' hours, each once.
    let claimed: Vec<u64> = sqlx::query_scalar(
        "SELECT CAST(hour AS UNSIGNED) FROM hour_claims WHERE space_id = ? AND date = ? \
         ORDER BY hour",
    )
    .bind(space_id)
    .bind(date)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let expected: Vec<u64> = winners
        .iter()
        .flat_map(|(start, end)| *start..*end)
        .collect();
    assert_eq!(claimed, expected);
}
