//! The in-memory catalogue: after every kind of change, through the API or behind its back,
//! the detail it serves is exactly what MySQL says.

use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::json;
use spacecloud_common::{
    db::spaces::{self, SpaceDetail},
    domain::{OrderStatus, Slot},
};

use crate::helpers::{TestApp, new_order, new_space, spawn_app};

/// Every space's detail as the catalogue holds it and as MySQL reads it now.
async fn served_and_stored(app: &TestApp) -> Vec<(u64, Option<SpaceDetail>, Option<SpaceDetail>)> {
    let catalogue = app
        .state
        .catalogue_view()
        .expect("the server loaded its catalogue");
    let ids: Vec<u64> = sqlx::query_scalar("SELECT id FROM spaces ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let mut pairs = Vec::new();
    for id in ids {
        let mut stored = spaces::detail(&mut conn, id, None).await.unwrap();
        if let Some(stored) = &mut stored {
            stored.space.liked_flag = 0;
        }
        let served = catalogue
            .detail(id)
            .map(|detail| SpaceDetail::clone(&detail));
        pairs.push((id, served, stored));
    }
    pairs
}

async fn assert_exact(app: &TestApp, after: &str) {
    for (id, served, stored) in served_and_stored(app).await {
        assert_eq!(served, stored, "space {id} after {after}");
    }
}

#[tokio::test]
async fn the_served_detail_is_mysqls_after_every_kind_of_change() {
    let app = spawn_app().await;
    let reference = app.insert_reference(2).await;
    let host = app.login_as(1, "호스트").await;
    let guest = app.login_as(2, "guest").await;
    let mut space = new_space(host.user_id, &reference, &[(Slot::Day, 30_000)]);
    space.facility_ids = vec![reference.facilities[0]];
    let first = app.insert_space(&space).await;
    let second = app.insert_space(&space).await;
    let image = app.add_ready_image(first, 0, "a").await;
    app.add_ready_image(first, 1, "b").await;
    assert_exact(&app, "start").await;

    let send = |method: Method, path: String, who: &crate::helpers::Login, body| {
        let token = who.access_token.clone();
        let app = &app;
        async move {
            let reply = app.send(method, &path, Some(&token), body).await;
            assert!(reply.status < 300, "{path}: {}", reply.body);
            reply
        }
    };
    // Each change is visible on the very next request of the process that made it.
    send(
        Method::PATCH,
        format!("/api/v1/spaces/{first}"),
        &host,
        Some(json!({"title": "Renamed", "price_night": 45_000, "facility_id": [reference.facilities[1]]})),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{first}")).await.body["title"],
        "Renamed"
    );
    assert_exact(&app, "PATCH").await;

    send(
        Method::PUT,
        format!("/api/v1/spaces/{first}/like"),
        &guest,
        None,
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{first}")).await.body["like_count"],
        1
    );
    assert_exact(&app, "like").await;
    send(
        Method::DELETE,
        format!("/api/v1/spaces/{first}/like"),
        &guest,
        None,
    )
    .await;
    assert_exact(&app, "unlike").await;

    let option = app.option_id(first, Slot::Day).await;
    let yesterday = app.today() - Days::new(1);
    app.insert_order(new_order(
        guest.user_id,
        first,
        option,
        Slot::Day,
        yesterday,
        OrderStatus::Completed,
        Utc::now(),
    ))
    .await
    .unwrap();
    let review = reqwest::multipart::Form::new()
        .text("grade", "4")
        .text("content", "good");
    let reviewed = app
        .client
        .post(format!("{}/api/v1/spaces/{first}/reviews", app.address))
        .bearer_auth(&guest.access_token)
        .multipart(review)
        .send()
        .await
        .unwrap();
    assert_eq!(reviewed.status(), 201);
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{first}")).await.body["rating"],
        4.0
    );
    assert_exact(&app, "review").await;

    send(
        Method::PATCH,
        "/api/v1/me".to_owned(),
        &host,
        Some(json!({"nickname": "새 이름"})),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{second}")).await.body["host"]["nickname"],
        "새 이름"
    );
    assert_exact(&app, "the host's new nickname").await;

    // Kakao reports a new nickname at the host's next sign-in.
    app.login_as(1, "카카오 이름").await;
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{second}")).await.body["host"]["nickname"],
        "카카오 이름"
    );
    assert_exact(&app, "a nickname from Kakao").await;

    // A space created through the API.
    let form = reqwest::multipart::Form::new()
        .text("title", "Made through the API")
        .text("category_id", reference.categories[0].to_string())
        .text("district_id", reference.districts[0].to_string())
        .text("address", "Seoul")
        .text("max_count", "4")
        .text("price_hour", "10000")
        .text("instant_booking", "false");
    let created = app
        .client
        .post(format!("{}/api/v1/spaces", app.address))
        .bearer_auth(&host.access_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    let third = created["id"].as_u64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{third}")).await.status,
        200
    );
    assert_exact(&app, "a space created").await;

    send(
        Method::DELETE,
        format!("/api/v1/spaces/{first}/images/{image}"),
        &host,
        None,
    )
    .await;
    assert_exact(&app, "a photo deleted").await;
    send(
        Method::DELETE,
        format!("/api/v1/spaces/{second}"),
        &host,
        None,
    )
    .await;
    app.get(&format!("/api/v1/spaces/{second}"))
        .await
        .assert_problem(404, None);
    assert_exact(&app, "a space deleted").await;
}

#[tokio::test]
async fn a_change_recorded_by_another_process_is_found_by_polling() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space_id = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    // Another process's transaction: the change and its record, and no word to this process.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE spaces SET title = 'Changed elsewhere' WHERE id = ?")
        .bind(space_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    spacecloud_common::catalogue::record(&mut tx, space_id, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.eventually(5, "the catalogue to poll the change", || async {
        let detail = app.get(&format!("/api/v1/spaces/{space_id}")).await;
        (detail.body["title"] == "Changed elsewhere").then_some(())
    })
    .await;
    assert_exact(&app, "a change by another process").await;
}

#[tokio::test]
async fn a_change_whose_record_commits_late_is_not_skipped() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let slow = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    let quick = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    // The slow transaction takes its outbox id first and commits last.
    let mut late = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE spaces SET title = 'Committed late' WHERE id = ?")
        .bind(slow)
        .execute(&mut *late)
        .await
        .unwrap();
    spacecloud_common::catalogue::record(&mut late, slow, Utc::now())
        .await
        .unwrap();
    app.space_changed(quick).await;
    app.state.catalogue_changed().await;
    late.commit().await.unwrap();
    app.eventually(5, "the late change to be applied", || async {
        let detail = app.get(&format!("/api/v1/spaces/{slow}")).await;
        (detail.body["title"] == "Committed late").then_some(())
    })
    .await;
    assert_exact(&app, "a late commit").await;
}

/// A process whose catalogue would outgrow `CATALOGUE_MAX_SPACES` stops answering from memory:
/// `/readyz` says so, and the list, detail and calendar are still right, read from MySQL.
#[tokio::test]
async fn past_its_capacity_the_catalogue_says_so_and_mysql_answers() {
    let app = crate::helpers::spawn_app_with(crate::helpers::TestAppOptions {
        vars: vec![("CATALOGUE_MAX_SPACES", "2".into())],
        ..Default::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            app.insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
                .await,
        );
    }
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, &ready.body["catalogue"]),
        (200, &json!(true))
    );

    ids.push(
        app.insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
            .await,
    );
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, &ready.body["catalogue"]),
        (503, &json!(false))
    );
    let list = app.get("/api/v1/spaces").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["total"], 3);
    for id in ids {
        assert_eq!(app.get(&format!("/api/v1/spaces/{id}")).await.status, 200);
        let calendar = app.get(&format!("/api/v1/spaces/{id}/availability")).await;
        assert_eq!(calendar.status, 200);
    }
}

/// A process that could not read the outbox for nearly its retention may have missed records
/// the sweep pruned: it reloads every space rather than serve the change it missed.
#[tokio::test]
async fn a_catalogue_that_has_not_read_for_a_day_reloads_everything() {
    // Polling once a minute, and nothing here announces: only the reads below apply changes.
    let app = crate::helpers::spawn_app_with(crate::helpers::TestAppOptions {
        vars: vec![("CATALOGUE_POLL_MS", "60000".into())],
        ..Default::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let missed = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    let other = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 30_000)]))
        .await;
    sqlx::query("UPDATE spaces SET title = 'renamed while the process was away' WHERE id = ?")
        .bind(missed)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    spacecloud_common::catalogue::record(&mut conn, missed, Utc::now())
        .await
        .unwrap();
    // A day passes without the process reading its outbox (MySQL out of its reach), and the
    // sweep prunes every record so far.
    app.state.clock.advance(chrono::Duration::hours(25));
    sqlx::query("DELETE FROM catalogue_changes")
        .execute(&app.pool)
        .await
        .unwrap();
    app.space_changed(other).await;

    let detail = app.get(&format!("/api/v1/spaces/{missed}")).await;
    assert_eq!(detail.body["title"], "renamed while the process was away");
    let list = app
        .get_query("/api/v1/spaces", &[("q", "renamed".to_owned())])
        .await;
    assert_eq!(list.body["total"], 1);
}
