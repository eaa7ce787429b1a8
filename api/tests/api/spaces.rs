use chrono::{Duration, Utc};
use serde_json::json;
use spacecloud_common::domain::{OrderStatus, Slot};

use crate::helpers::{new_order, new_space, spawn_app};

#[tokio::test]
async fn detail_shows_ready_images_in_order_options_and_facilities() {
    let app = spawn_app().await;
    let reference = app.insert_reference(3).await;
    let host = app.insert_user("호스트").await;
    let mut space = new_space(
        host,
        &reference,
        &[(Slot::Night, 70_000), (Slot::Day, 50_000)],
    );
    space.facility_ids = vec![reference.facilities[2], reference.facilities[0]];
    let space_id = app.insert_space(&space).await;
    let second = app.add_ready_image(space_id, 2, "b").await;
    let first = app.add_ready_image(space_id, 1, "a").await;
    sqlx::query(
        "INSERT INTO space_images (space_id, position, status, created_at, updated_at) \
         VALUES (?, 0, 'processing', NOW(6), NOW(6))",
    )
    .bind(space_id)
    .execute(&app.pool)
    .await
    .unwrap();

    let reply = app.get(&format!("/api/v1/spaces/{space_id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.body;
    assert_eq!(body["id"], space_id);
    assert_eq!(body["title"], "Sunny party room");
    assert_eq!(body["min_price"], 50_000);
    assert_eq!(body["host"], json!({"id": host, "nickname": "호스트"}));
    assert_eq!(body["district"]["name"], "district 0");
    assert_eq!(body["category"]["name"], "category 0");
    assert_eq!(body["rating"], json!(null));
    assert_eq!(body["thumbnail_url"], "http://media.test/a/thumb.jpg");
    let images = body["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "processing images are not shown");
    assert_eq!(images[0]["id"], first);
    assert_eq!(images[0]["url"], "http://media.test/a/web.jpg");
    assert_eq!(images[1]["id"], second);
    let slots: Vec<_> = body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["slot"].as_str().unwrap().to_owned(),
                o["price"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        slots,
        [("day".to_owned(), 50_000), ("night".to_owned(), 70_000)]
    );
    let facilities: Vec<_> = body["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        facilities,
        [reference.facilities[0], reference.facilities[2]]
    );
    assert!(
        body.get("liked").is_none(),
        "liked only for authenticated callers"
    );
}

#[tokio::test]
async fn a_deleted_space_is_404_and_leaves_the_list() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let kept = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 1000)]))
        .await;
    let deleted = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 1000)]))
        .await;
    sqlx::query("UPDATE spaces SET deleted_at = NOW(6) WHERE id = ?")
        .bind(deleted)
        .execute(&app.pool)
        .await
        .unwrap();
    app.space_changed(deleted).await;

    app.get(&format!("/api/v1/spaces/{deleted}"))
        .await
        .assert_problem(404, None);
    app.get(&format!("/api/v1/spaces/{deleted}/availability"))
        .await
        .assert_problem(404, None);
    let list = app.get("/api/v1/spaces").await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], kept);
}

#[tokio::test]
async fn the_calendar_follows_the_booking_rules() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let guest = app.insert_user("guest").await;
    let space_id = app
        .insert_space(&new_space(
            host,
            &reference,
            &[(Slot::Day, 1000), (Slot::Night, 2000), (Slot::All, 2500)],
        ))
        .await;
    let day = app.option_id(space_id, Slot::Day).await;
    let night = app.option_id(space_id, Slot::Night).await;
    let all = app.option_id(space_id, Slot::All).await;
    let today = app.today();
    let d = |n: u64| today + chrono::Days::new(n);
    let later = Utc::now() + Duration::hours(1);
    let earlier = Utc::now() - Duration::minutes(1);

    // d1: day completed. d2: night waiting with a live hold. d3: `all` payment pending.
    // d4: day waiting whose hold ran out (not blocking). d5: night failed, day canceled.
    for order in [
        new_order(
            guest,
            space_id,
            day,
            Slot::Day,
            d(1),
            OrderStatus::Completed,
            later,
        ),
        new_order(
            guest,
            space_id,
            night,
            Slot::Night,
            d(2),
            OrderStatus::Waiting,
            later,
        ),
        new_order(
            guest,
            space_id,
            all,
            Slot::All,
            d(3),
            OrderStatus::PaymentPending,
            later,
        ),
        new_order(
            guest,
            space_id,
            day,
            Slot::Day,
            d(4),
            OrderStatus::Waiting,
            earlier,
        ),
        new_order(
            guest,
            space_id,
            night,
            Slot::Night,
            d(5),
            OrderStatus::Failed,
            later,
        ),
        new_order(
            guest,
            space_id,
            day,
            Slot::Day,
            d(5),
            OrderStatus::Canceled,
            later,
        ),
    ] {
        assert!(app.insert_order(order).await.is_some());
    }

    let yesterday = today.pred_opt().unwrap();
    let reply = app
        .get_query(
            &format!("/api/v1/spaces/{space_id}/availability"),
            &[("from", yesterday.to_string()), ("to", d(5).to_string())],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["space_id"], space_id);
    let days: Vec<_> = reply.body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|day| {
            let slots = &day["slots"];
            (
                day["date"].as_str().unwrap().to_owned(),
                slots["day"].as_bool().unwrap(),
                slots["night"].as_bool().unwrap(),
                slots["all"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        (yesterday, false, false, false),
        (today, true, true, true),
        (d(1), false, true, false),
        (d(2), true, false, false),
        (d(3), false, false, false),
        (d(4), true, true, true),
        (d(5), true, true, true),
    ]
    .map(|(date, day, night, all)| (date.to_string(), day, night, all));
    assert_eq!(days, expected);
}

#[tokio::test]
async fn a_slot_the_space_does_not_offer_is_never_available() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space_id = app
        .insert_space(&new_space(host, &reference, &[(Slot::Night, 1000)]))
        .await;
    let reply = app
        .get(&format!("/api/v1/spaces/{space_id}/availability"))
        .await;
    let days = reply.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 30, "default window is 30 days from today");
    assert_eq!(days[0]["date"], app.today().to_string());
    assert_eq!(
        days[0]["slots"],
        json!({"day": false, "night": true, "all": false, "hourly": false})
    );
}

#[tokio::test]
async fn an_expired_hold_does_not_block_a_new_claim() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let guest = app.insert_user("guest").await;
    let space_id = app
        .insert_space(&new_space(
            host,
            &reference,
            &[(Slot::Day, 1000), (Slot::All, 1500)],
        ))
        .await;
    let day = app.option_id(space_id, Slot::Day).await;
    let all = app.option_id(space_id, Slot::All).await;
    let date = app.today() + chrono::Days::new(3);
    let expired = Utc::now() - Duration::seconds(1);
    let live = Utc::now() + Duration::minutes(10);

    let first = new_order(
        guest,
        space_id,
        day,
        Slot::Day,
        date,
        OrderStatus::Waiting,
        expired,
    );
    assert!(app.insert_order(first).await.is_some());
    let second = new_order(
        guest,
        space_id,
        all,
        Slot::All,
        date,
        OrderStatus::Waiting,
        live,
    );
    assert!(
        app.insert_order(second).await.is_some(),
        "the expired hold must not block"
    );
    let third = new_order(
        guest,
        space_id,
        day,
        Slot::Day,
        date,
        OrderStatus::Completed,
        live,
    );
    assert!(
        app.insert_order(third).await.is_none(),
        "the live `all` hold blocks the day"
    );
}

/// Facilities with ids 1–64 are matched through the space's bits, later ones through
/// `space_facilities`; a search mixing both kinds must agree with either alone.
#[tokio::test]
async fn facility_filters_match_past_the_sixty_fourth_facility() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let late_facility = 100;
    sqlx::query("INSERT INTO facilities (id, name) VALUES (?, '빔프로젝터')")
        .bind(late_facility)
        .execute(&app.pool)
        .await
        .unwrap();
    let early_facility = reference.facilities[0];
    let mut both = new_space(host, &reference, &[(Slot::Day, 10_000)]);
    both.facility_ids = vec![early_facility, late_facility];
    let both = app.insert_space(&both).await;
    let mut early_only = new_space(host, &reference, &[(Slot::Day, 10_000)]);
    early_only.facility_ids = vec![early_facility];
    let early_only = app.insert_space(&early_only).await;
    let mut late_only = new_space(host, &reference, &[(Slot::Day, 10_000)]);
    late_only.facility_ids = vec![late_facility];
    let late_only = app.insert_space(&late_only).await;

    let found = |query: String| {
        let app = &app;
        async move {
            let reply = app.get(&format!("/api/v1/spaces?{query}")).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            let mut ids: Vec<u64> = reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_u64().unwrap())
                .collect();
            ids.sort_unstable();
            (ids, reply.body["total"].as_u64().unwrap())
        }
    };
    assert_eq!(
        found(format!("facility_id={early_facility}")).await,
        (vec![both, early_only], 2)
    );
    assert_eq!(
        found(format!("facility_id={late_facility}")).await,
        (vec![both, late_only], 2)
    );
    assert_eq!(
        found(format!(
            "facility_id={early_facility}&facility_id={late_facility}"
        ))
        .await,
        (vec![both], 1)
    );
}
