//! The hosts' private calendar feed through HTTP, read back with an independent iCalendar
//! parser (the `ical` crate): one VEVENT per blocking order and block, stable UIDs, local
//! times in the business time zone with its VTIMEZONE, and a secret that rotates.

use chrono::{Days, Duration, Utc};
use reqwest::Method;
use serde_json::json;
use spacecloud_common::domain::{OrderStatus, Slot};

use crate::helpers::{Login, TestApp, new_order, new_space, spawn_app};

struct Feed {
    status: u16,
    content_type: String,
    body: String,
}

async fn fetch(app: &TestApp, url: &str) -> Feed {
    // The URL is absolute on PUBLIC_BASE_URL; the test server listens elsewhere.
    let path = url.split_once("/api/").map(|(_, rest)| rest).unwrap();
    let response = app
        .client
        .get(format!("{}/api/{path}", app.address))
        .send()
        .await
        .unwrap();
    Feed {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.text().await.unwrap(),
    }
}

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars
        .next()
        .expect("one VCALENDAR")
        .expect("a feed an iCalendar parser reads");
    assert!(calendars.next().is_none(), "exactly one VCALENDAR");
    calendar
}

fn property<'a>(
    properties: &'a [ical::property::Property],
    name: &str,
) -> &'a ical::property::Property {
    properties
        .iter()
        .find(|property| property.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn value(properties: &[ical::property::Property], name: &str) -> String {
    property(properties, name).value.clone().unwrap_or_default()
}

fn tzid(properties: &[ical::property::Property], name: &str) -> String {
    property(properties, name)
        .params
        .as_ref()
        .and_then(|params| params.iter().find(|(key, _)| key == "TZID"))
        .map(|(_, values)| values.join(","))
        .unwrap_or_default()
}

async fn feed_url(app: &TestApp, who: &Login, space_id: u64) -> crate::helpers::Reply {
    app.send(
        Method::GET,
        &format!("/api/v1/me/spaces/{space_id}/calendar"),
        Some(&who.access_token),
        None,
    )
    .await
}

#[tokio::test]
async fn the_feed_lists_blocking_orders_and_blocks_for_calendar_apps() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let space_id = app
        .insert_space(&new_space(
            host.user_id,
            &reference,
            &[(Slot::Day, 30_000), (Slot::Night, 40_000)],
        ))
        .await;
    let day = app.option_id(space_id, Slot::Day).await;
    let night = app.option_id(space_id, Slot::Night).await;
    let guest = app.login_as(2, "Kim").await.user_id;
    let today = app.today();
    let hold = Utc::now() + Duration::minutes(10);
    let insert = |option, slot, date, status| {
        let order = new_order(guest, space_id, option, slot, date, status, hold);
        let app = &app;
        async move { app.insert_order(order).await.unwrap() }
    };
    let completed = insert(day, Slot::Day, today + Days::new(3), OrderStatus::Completed).await;
    let pending = insert(
        night,
        Slot::Night,
        today + Days::new(3),
        OrderStatus::PaymentPending,
    )
    .await;
    // Not in the feed: a hold, a cancelled order, and one older than 30 days.
    insert(day, Slot::Day, today + Days::new(4), OrderStatus::Waiting).await;
    insert(
        night,
        Slot::Night,
        today + Days::new(4),
        OrderStatus::Canceled,
    )
    .await;
    insert(
        day,
        Slot::Day,
        today - Days::new(31),
        OrderStatus::Completed,
    )
    .await;
    let block = app
        .send(
            Method::POST,
            &format!("/api/v1/spaces/{space_id}/blocks"),
            Some(&host.access_token),
            Some(
                json!({"date": (today + Days::new(5)).to_string(), "start_hour": 13,
                        "end_hour": 15, "reason": "대청소"}),
            ),
        )
        .await;
    assert_eq!(block.status, 201, "{}", block.body);
    let block_id = block.body["id"].as_u64().unwrap();

    let url = feed_url(&app, &host, space_id).await;
    assert_eq!(url.status, 200, "{}", url.body);
    let url = url.body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!(
            "http://127.0.0.1:8080/api/v1/spaces/{space_id}/calendar.ics?token="
        )),
        "{url}"
    );
    assert_eq!(
        feed_url(&app, &host, space_id).await.body["url"],
        url.as_str(),
        "the same URL until rotated"
    );

    // A title that tries to start lines of its own stays one property.
    sqlx::query("UPDATE spaces SET title = ? WHERE id = ?")
        .bind("Room\r\nBEGIN:VEVENT\r\nUID:forged@x\r\nEND:VEVENT")
        .bind(space_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let feed = fetch(&app, &url).await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert!(
        feed.content_type.starts_with("text/calendar"),
        "{}",
        feed.content_type
    );
    let calendar = parse(&feed.body);
    assert_eq!(calendar.timezones.len(), 1);
    assert_eq!(
        value(&calendar.timezones[0].properties, "TZID"),
        "Asia/Seoul"
    );
    let mut events: Vec<(String, String, String, String, String)> = calendar
        .events
        .iter()
        .map(|event| {
            let p = &event.properties;
            assert_eq!(tzid(p, "DTSTART"), "Asia/Seoul");
            assert_eq!(tzid(p, "DTEND"), "Asia/Seoul");
            assert!(!value(p, "DTSTAMP").is_empty());
            (
                value(p, "UID"),
                value(p, "DTSTART"),
                value(p, "DTEND"),
                value(p, "SUMMARY"),
                value(p, "STATUS"),
            )
        })
        .collect();
    events.sort();
    let date = |days: u64| (today + Days::new(days)).format("%Y%m%d").to_string();
    let next_midnight = (today + Days::new(4)).format("%Y%m%d").to_string();
    assert_eq!(
        events,
        vec![
            (
                format!("block-{block_id}@spacecloud"),
                format!("{}T130000", date(5)),
                format!("{}T150000", date(5)),
                "Blocked: 대청소".to_owned(),
                "CONFIRMED".to_owned()
            ),
            (
                format!("order-{completed}@spacecloud"),
                format!("{}T090000", date(3)),
                format!("{}T180000", date(3)),
                "Kim · 2명".to_owned(),
                "CONFIRMED".to_owned()
            ),
            (
                format!("order-{pending}@spacecloud"),
                format!("{}T180000", date(3)),
                format!("{next_midnight}T000000"),
                "Kim · 2명".to_owned(),
                "TENTATIVE".to_owned()
            ),
        ]
    );
    // Stable: the same feed twice is the same text (UIDs, stamps and all).
    assert_eq!(fetch(&app, &url).await.body, feed.body);

    // Rotating cuts the old URL off.
    let rotated = app
        .send(
            Method::POST,
            &format!("/api/v1/me/spaces/{space_id}/calendar/rotate"),
            Some(&host.access_token),
            None,
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_url = rotated.body["url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, url);
    let old = fetch(&app, &url).await;
    assert_eq!(old.status, 404, "{}", old.body);
    assert!(old.content_type.starts_with("application/problem+json"));
    assert_eq!(fetch(&app, &new_url).await.status, 200);
}

#[tokio::test]
async fn the_feed_is_the_owners_and_a_wrong_token_finds_nothing() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let stranger = app.login_as(2, "stranger").await;
    let space_id = app
        .insert_space(&new_space(host.user_id, &reference, &[(Slot::Day, 30_000)]))
        .await;
    feed_url(&app, &stranger, space_id)
        .await
        .assert_problem(403, None);
    feed_url(&app, &host, 999_999)
        .await
        .assert_problem(404, None);
    let anonymous = app
        .send(
            Method::GET,
            &format!("/api/v1/me/spaces/{space_id}/calendar"),
            None,
            None,
        )
        .await;
    anonymous.assert_problem(401, None);

    let url = feed_url(&app, &host, space_id).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = url.split_once("token=").unwrap().1.to_owned();
    for wrong in [
        format!("/api/v1/spaces/{space_id}/calendar.ics?token=guess"),
        format!(
            "/api/v1/spaces/{space_id}/calendar.ics?token={}",
            &token[..63]
        ),
        format!("/api/v1/spaces/{}/calendar.ics?token={token}", space_id + 1),
    ] {
        let reply = app.get(&wrong).await;
        reply.assert_problem(404, None);
    }
    app.get(&format!("/api/v1/spaces/{space_id}/calendar.ics"))
        .await
        .assert_problem(400, Some("token"));
}
