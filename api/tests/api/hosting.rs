//! Hosts create spaces with photos; a real worker stores them in a real S3-protocol server.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use reqwest::{
    Method,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::helpers::{Login, Reply, TestApp, TestAppOptions, spawn_app, spawn_app_with};

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut image = image::RgbImage::new(width, height);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        *pixel = image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]);
    }
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

fn space_form(app_reference: &crate::helpers::Reference, images: Uploads) -> Form {
    let mut form = Form::new()
        .text("title", "햇살 파티룸")
        .text("sub_title", "홍대입구역 3분")
        .text("description", "Bright and quiet.")
        .text("category_id", app_reference.categories[0].to_string())
        .text("district_id", app_reference.districts[0].to_string())
        .text("address", "서울 마포구 양화로 1")
        .text("min_count", "2")
        .text("max_count", "12")
        .text("price_day", "30000")
        .text("price_all", "50000")
        .text("facility_id", app_reference.facilities[0].to_string());
    for (bytes, name) in images {
        form = form.part("images", Part::bytes(bytes).file_name(name.to_owned()));
    }
    form
}

/// Files of a form: bytes and file name.
type Uploads = Vec<(Vec<u8>, &'static str)>;

async fn post_form(app: &TestApp, who: &Login, path: &str, form: Form) -> Reply {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(&who.access_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    Reply::read(response).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Photo bytes in Redis: adopted by a photo's row, or staged by a request not yet done.
/// The job removes a photo's staged bytes after recording its outcome, so a photo can be seen
/// ready a moment before they are gone.
async fn no_staged_keys_left(app: &TestApp) {
    app.eventually(10, "no staged bytes left over", || async {
        (staged_keys(app).await == 0).then_some(())
    })
    .await;
}

async fn staged_keys(app: &TestApp) -> usize {
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let mut count = 0;
    for pattern in ["staged_image", "upload"] {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!(
                "{}:{pattern}:*",
                app.state.settings.jobs.queue_prefix
            ))
            .query_async(&mut redis)
            .await
            .unwrap();
        count += keys.len();
    }
    count
}

async fn my_space(app: &TestApp, host: &Login) -> Value {
    let reply = app
        .send(
            Method::GET,
            "/api/v1/me/spaces",
            Some(&host.access_token),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"][0].clone()
}

#[tokio::test]
async fn three_photos_end_ready_in_the_bucket_in_both_sizes() {
    let app = spawn_app_with(TestAppOptions {
        with_s3: true,
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let photos = vec![
        (encoded(2400, 1800, ImageFormat::Jpeg), "a.jpg"),
        (encoded(800, 600, ImageFormat::Png), "b.png"),
        (encoded(500, 2000, ImageFormat::Jpeg), "c.jpeg"),
    ];
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, photos),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let space_id = created.body["id"].as_u64().unwrap();
    let statuses: Vec<&str> = created.body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["processing"; 3]);
    assert_eq!(created.body["options"].as_array().unwrap().len(), 2);

    app.start_worker().await;
    let mine = app
        .eventually(60, "three ready images", || async {
            let space = my_space(&app, &host).await;
            let ready = space["images"]
                .as_array()
                .unwrap()
                .iter()
                .all(|image| image["status"] == "ready");
            ready.then_some(space)
        })
        .await;
    assert_eq!(mine["images"].as_array().unwrap().len(), 3);

    let s3 = app.s3.as_ref().unwrap();
    let rows: Vec<(String, String, String, u32, u32)> = sqlx::query_as(
        "SELECT original_key, web_key, thumbnail_key, width, height FROM space_images \
         WHERE space_id = ? ORDER BY position",
    )
    .bind(space_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let expected_sizes = [
        ((2400, 1800), "image/jpeg"),
        ((800, 600), "image/png"),
        ((500, 2000), "image/jpeg"),
    ];
    for (row, ((width, height), original_type)) in rows.iter().zip(expected_sizes) {
        assert_eq!((row.3, row.4), (width, height));
        let (content_type, _) = s3.object(&row.0).await.expect("original stored");
        assert_eq!(content_type, original_type);
        for (key, side) in [(&row.1, 1600), (&row.2, 400)] {
            let (content_type, bytes) = s3.object(key).await.expect("resized version stored");
            assert_eq!(content_type, "image/jpeg");
            let resized = image::load_from_memory(&bytes).unwrap();
            let longest = resized.width().max(resized.height());
            assert_eq!(longest, side.min(width.max(height)), "{key}");
        }
    }
    no_staged_keys_left(&app).await;

    let detail = app.get(&format!("/api/v1/spaces/{space_id}")).await;
    let urls: Vec<&str> = detail.body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 3);
    assert!(
        urls[0].ends_with(&rows[0].1) && urls[2].ends_with(&rows[2].1),
        "{urls:?}"
    );
    assert!(
        detail.body["thumbnail_url"]
            .as_str()
            .unwrap()
            .ends_with(&rows[0].2)
    );

    // Deleting a photo removes its objects in the background.
    let image_id = detail.body["images"][0]["id"].as_u64().unwrap();
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/spaces/{space_id}/images/{image_id}"),
            Some(&host.access_token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    app.eventually(30, "the deleted photo's objects to go", || async {
        s3.object(&rows[0].0).await.is_none().then_some(())
    })
    .await;
    assert_eq!(s3.object_count().await, 6);
}

#[tokio::test]
async fn hostile_uploads_are_refused_and_leave_nothing() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let jpeg = encoded(64, 48, ImageFormat::Jpeg);
    let mut bomb = encoded(1, 1, ImageFormat::Png);
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let mut huge = encoded(64, 48, ImageFormat::Png);
    huge.resize(11 * 1024 * 1024, 0);
    let cases: Vec<(Uploads, u16)> = vec![
        (vec![(b"just some text, honest".to_vec(), "photo.jpg")], 415),
        (vec![(jpeg[..jpeg.len() / 2].to_vec(), "half.jpg")], 422),
        (vec![(bomb, "bomb.png")], 422),
        ((0..11).map(|_| (jpeg.clone(), "x.jpg")).collect(), 422),
        (vec![(huge, "huge.png")], 413),
    ];
    for (images, status) in cases {
        let reply = post_form(
            &app,
            &host,
            "/api/v1/spaces",
            space_form(&reference, images),
        )
        .await;
        reply.assert_problem(status, None);
    }
    let missing = Form::new().text("title", "no other fields");
    post_form(&app, &host, "/api/v1/spaces", missing)
        .await
        .assert_problem(400, None);
    let mut bad_fields = space_form(&reference, vec![]);
    bad_fields = bad_fields.text("price_night", "-5");
    let reply = post_form(&app, &host, "/api/v1/spaces", bad_fields).await;
    reply.assert_problem(422, Some("price_night"));

    for table in ["spaces", "space_images", "space_options"] {
        assert_eq!(count(&app, table).await, 0, "{table}");
    }
    no_staged_keys_left(&app).await;
}

#[tokio::test]
async fn a_space_is_created_with_its_refund_policy_and_approval_mode() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    // Defaults: flexible, confirmed at once.
    let plain = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, vec![]),
    )
    .await;
    assert_eq!(plain.status, 201, "{}", plain.body);
    assert_eq!(plain.body["instant_booking"], true);
    assert_eq!(plain.body["refund_policy"]["name"], "flexible");
    assert_eq!(
        plain.body["refund_policy"]["tiers"],
        serde_json::json!([{"days_before": 1, "percent": 100}, {"days_before": 0, "percent": 0}])
    );
    // Booleans as generated SDKs spell them (Python writes `False`).
    for spelling in ["false", "False", "FALSE"] {
        let form = space_form(&reference, vec![])
            .text("refund_policy", "strict")
            .text("instant_booking", spelling);
        let created = post_form(&app, &host, "/api/v1/spaces", form).await;
        assert_eq!(created.status, 201, "{spelling}: {}", created.body);
        assert_eq!(created.body["instant_booking"], false, "{spelling}");
        assert_eq!(created.body["refund_policy"]["name"], "strict");
        let id = created.body["id"].as_u64().unwrap();
        let detail = app.get(&format!("/api/v1/spaces/{id}")).await;
        assert_eq!(detail.body["instant_booking"], false);
        assert_eq!(
            detail.body["refund_policy"]["tiers"]
                .as_array()
                .unwrap()
                .len(),
            7
        );
    }
    let before = count(&app, "spaces").await;
    for (field, value) in [
        ("refund_policy", "lenient"),
        ("instant_booking", "maybe"),
        ("instant_booking", "0"),
    ] {
        let form = space_form(&reference, vec![]).text(field, value);
        let reply = post_form(&app, &host, "/api/v1/spaces", form).await;
        reply.assert_problem(400, None);
        assert!(
            reply.body["detail"].as_str().unwrap().contains(field),
            "{}",
            reply.body
        );
    }
    assert_eq!(
        count(&app, "spaces").await,
        before,
        "refused forms create nothing"
    );
    // PATCH takes JSON booleans and the policy's name only.
    let id = plain.body["id"].as_u64().unwrap();
    for body in [
        serde_json::json!({"instant_booking": "false"}),
        serde_json::json!({"refund_policy": "lenient"}),
    ] {
        app.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/spaces/{id}"),
            Some(&host.access_token),
            Some(body),
        )
        .await
        .assert_problem(400, None);
    }
}

#[tokio::test]
async fn a_bomb_past_the_api_fails_in_the_worker_which_keeps_working() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(300, 200, ImageFormat::Png), "a.png")],
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let image_id = created.body["images"][0]["id"].as_u64().unwrap();
    // Swap the staged bytes for a bomb, as if it had slipped past the API's checks.
    let mut bomb = encoded(1, 1, ImageFormat::Png);
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let staged = app.state.jobs.stage_upload(&bomb).await.unwrap();
    app.state.jobs.adopt_image(&staged, image_id).await.unwrap();

    app.start_worker().await;
    let space = app
        .eventually(30, "the bomb to fail", || async {
            let space = my_space(&app, &host).await;
            (space["images"][0]["status"] == "failed").then_some(space)
        })
        .await;
    assert!(space["images"][0]["failure_reason"].as_str().is_some());

    // The worker survived: another photo goes through.
    let added = post_form(
        &app,
        &host,
        &format!("/api/v1/spaces/{}/images", created.body["id"]),
        Form::new().part(
            "images",
            Part::bytes(encoded(40, 30, ImageFormat::Png)).file_name("ok.png"),
        ),
    )
    .await;
    assert_eq!(added.status, 202, "{}", added.body);
    app.eventually(30, "the next photo to be ready", || async {
        let space = my_space(&app, &host).await;
        (space["images"][1]["status"] == "ready").then_some(())
    })
    .await;
}

#[tokio::test]
async fn without_redis_a_create_is_503_and_leaves_no_space() {
    let app = spawn_app_with(TestAppOptions {
        redis_url: "redis://127.0.0.1:1".into(),
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host_id = app.insert_user("host").await;
    let host = Login {
        user_id: host_id,
        access_token: app
            .state
            .jwt
            .issue(host_id, uuid::Uuid::new_v4(), chrono::Utc::now()),
        refresh_token: String::new(),
    };
    let reply = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(30, 20, ImageFormat::Png), "a.png")],
        ),
    )
    .await;
    reply.assert_problem(503, None);
    assert_eq!(count(&app, "spaces").await, 0);
    assert_eq!(count(&app, "space_images").await, 0);
}

#[tokio::test]
async fn only_the_owner_manages_a_space() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let intruder = app.login_as(2, "intruder").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(30, 20, ImageFormat::Png), "a.png")],
        ),
    )
    .await;
    let space_id = created.body["id"].as_u64().unwrap();
    let image_id = created.body["images"][0]["id"].as_u64().unwrap();

    for (method, path) in [
        (Method::DELETE, format!("/api/v1/spaces/{space_id}")),
        (
            Method::DELETE,
            format!("/api/v1/spaces/{space_id}/images/{image_id}"),
        ),
    ] {
        app.send(method, &path, Some(&intruder.access_token), None)
            .await
            .assert_problem(403, None);
    }
    let add = post_form(
        &app,
        &intruder,
        &format!("/api/v1/spaces/{space_id}/images"),
        Form::new().part(
            "images",
            Part::bytes(encoded(30, 20, ImageFormat::Png)).file_name("x.png"),
        ),
    )
    .await;
    add.assert_problem(403, None);
    assert_eq!(count(&app, "space_images").await, 1);
    assert_eq!(
        app.get(&format!("/api/v1/spaces/{space_id}")).await.status,
        200
    );

    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/spaces/{space_id}"),
            Some(&host.access_token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    app.get(&format!("/api/v1/spaces/{space_id}"))
        .await
        .assert_problem(404, None);
    app.send(
        Method::DELETE,
        "/api/v1/spaces/999999",
        Some(&host.access_token),
        None,
    )
    .await
    .assert_problem(404, None);
}

#[tokio::test]
async fn with_storage_down_photos_retry_until_it_is_back() {
    let mut app = spawn_app_with(TestAppOptions {
        with_s3: true,
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    app.s3.as_mut().unwrap().stop();
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(640, 480, ImageFormat::Jpeg), "a.jpg")],
        ),
    )
    .await;
    assert_eq!(
        created.status, 201,
        "the request never touches storage: {}",
        created.body
    );

    app.start_worker().await;
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let redis = client.get_multiplexed_async_connection().await.unwrap();
    let meta = format!(
        "{}:process_image:meta:*",
        app.state.settings.jobs.queue_prefix
    );
    app.eventually(30, "a failed storage attempt", || {
        let mut redis = redis.clone();
        let meta = meta.clone();
        async move {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(&meta)
                .query_async(&mut redis)
                .await
                .ok()?;
            let mut attempts = 0;
            for key in keys {
                let value: Option<String> = redis::cmd("HGET")
                    .arg(&key)
                    .arg("attempts")
                    .query_async(&mut redis)
                    .await
                    .ok()?;
                attempts = attempts.max(value.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0));
            }
            (attempts >= 2).then_some(())
        }
    })
    .await;
    assert_eq!(
        my_space(&app, &host).await["images"][0]["status"],
        "processing"
    );

    app.s3.as_mut().unwrap().restart().await;
    app.eventually(60, "the photo to be ready once storage is back", || async {
        let space = my_space(&app, &host).await;
        (space["images"][0]["status"] == "ready").then_some(())
    })
    .await;
    assert_eq!(app.s3.as_ref().unwrap().object_count().await, 3);
    no_staged_keys_left(&app).await;
}

#[tokio::test]
async fn the_owner_patches_fields_and_prices() {
    let app = spawn_app().await;
    let reference = app.insert_reference(2).await;
    let host = app.login_as(1, "host").await;
    let intruder = app.login_as(2, "intruder").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, vec![]),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/api/v1/spaces/{}", created.body["id"]);
    let patch = |who: &Login, body: Value| {
        let token = who.access_token.clone();
        let (app, path) = (&app, &path);
        async move {
            app.send(Method::PATCH, path, Some(&token), Some(body))
                .await
        }
    };

    let night_search = format!(
        "/api/v1/spaces?date={}&slot=night",
        app.today() + chrono::Days::new(3)
    );
    let listed = |body: &Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["id"] == created.body["id"])
    };
    assert!(
        !listed(&app.get(&night_search).await.body),
        "no night price yet"
    );

    patch(&intruder, serde_json::json!({"title": "mine now"}))
        .await
        .assert_problem(403, None);
    let updated = patch(
        &host,
        serde_json::json!({"title": "  새 이름 ", "price_night": 20000, "price_day": 25000,
                           "facility_id": [reference.facilities[1]]}),
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["title"], "새 이름");
    assert_eq!(updated.body["min_price"], 20000);
    assert_eq!(updated.body["options"].as_array().unwrap().len(), 3);
    assert_eq!(updated.body["facilities"][0]["id"], reference.facilities[1]);
    assert_eq!(updated.body["max_count"], 12, "untouched fields stay");
    assert!(
        listed(&app.get(&night_search).await.body),
        "a night price added by PATCH makes the space bookable at night"
    );
    let with_facility = |facility: u64| format!("/api/v1/spaces?facility_id={facility}");
    assert!(
        listed(&app.get(&with_facility(reference.facilities[1])).await.body),
        "the facility PATCH gave is searchable"
    );
    assert!(
        !listed(&app.get(&with_facility(reference.facilities[0])).await.body),
        "the facility PATCH took away is not"
    );

    let bad = patch(&host, serde_json::json!({"min_count": 20})).await;
    bad.assert_problem(422, Some("max_count"));
    let bad = patch(&host, serde_json::json!({"category_id": 999999})).await;
    bad.assert_problem(422, Some("category_id"));
    assert_eq!(app.get(&path).await.body["title"], "새 이름");
}

/// The job of a photo is queued inside the transaction that creates its row; a worker that
/// sees the job before the commit must wait for the row, not drop the photo.
#[tokio::test]
async fn a_photo_job_seen_before_its_commit_still_ends_ready() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space_id = app
        .insert_space(&crate::helpers::new_space(
            host,
            &reference,
            &[(spacecloud_common::domain::Slot::Day, 1000)],
        ))
        .await;
    app.start_worker().await;

    let mut tx = app.pool.begin().await.unwrap();
    let image_id = spacecloud_common::db::images::insert_processing(
        &mut tx,
        space_id,
        0,
        spacecloud_common::images::ImageKind::Png,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let staged = app
        .state
        .jobs
        .stage_upload(&encoded(120, 90, ImageFormat::Png))
        .await
        .unwrap();
    app.state.jobs.adopt_image(&staged, image_id).await.unwrap();
    app.state
        .jobs
        .enqueue(spacecloud_common::jobs::ProcessImage { image_id })
        .await
        .unwrap();
    // Let the worker try, fail to find the row and be re-delivered, all before the commit.
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let redis = client.get_multiplexed_async_connection().await.unwrap();
    let meta = format!(
        "{}:process_image:meta:*",
        app.state.settings.jobs.queue_prefix
    );
    app.eventually(30, "a retried attempt before the commit", || {
        let mut redis = redis.clone();
        let meta = meta.clone();
        async move {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(&meta)
                .query_async(&mut redis)
                .await
                .ok()?;
            let mut attempts = 0u32;
            for key in keys {
                let value: Option<String> = redis::cmd("HGET")
                    .arg(&key)
                    .arg("attempts")
                    .query_async(&mut redis)
                    .await
                    .ok()?;
                attempts = attempts.max(value.and_then(|v| v.parse().ok()).unwrap_or(0));
            }
            (attempts >= 2).then_some(())
        }
    })
    .await;
    tx.commit().await.unwrap();

    app.eventually(60, "the photo to be ready", || async {
        let status: String =
            sqlx::query_scalar("SELECT CAST(status AS CHAR) FROM space_images WHERE id = ?")
                .bind(image_id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        (status == "ready").then_some(())
    })
    .await;
    no_staged_keys_left(&app).await;
}

/// A deletion queued by a transaction that then rolls back must not remove the objects.
#[tokio::test]
async fn a_rolled_back_deletion_keeps_the_objects() {
    let app = spawn_app_with(TestAppOptions {
        with_s3: true,
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(200, 100, ImageFormat::Png), "a.png")],
        ),
    )
    .await;
    let space_id = created.body["id"].as_u64().unwrap();
    app.start_worker().await;
    app.eventually(30, "the photo to be ready", || async {
        let space = my_space(&app, &host).await;
        (space["images"][0]["status"] == "ready").then_some(())
    })
    .await;

    let mut tx = app.pool.begin().await.unwrap();
    let keys =
        spacecloud_common::db::images::soft_delete(&mut tx, space_id, None, chrono::Utc::now())
            .await
            .unwrap();
    assert_eq!(keys.len(), 3);
    app.state
        .jobs
        .enqueue(spacecloud_common::jobs::DeleteObjects { keys: keys.clone() })
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let redis = client.get_multiplexed_async_connection().await.unwrap();
    let done = format!(
        "{}:delete_objects:done",
        app.state.settings.jobs.queue_prefix
    );
    app.eventually(60, "the deletion job to finish", || {
        let mut redis = redis.clone();
        let done = done.clone();
        async move {
            let finished: usize = redis::cmd("SCARD")
                .arg(&done)
                .query_async(&mut redis)
                .await
                .ok()?;
            (finished >= 1).then_some(())
        }
    })
    .await;
    let s3 = app.s3.as_ref().unwrap();
    for key in &keys {
        assert!(
            s3.object(key).await.is_some(),
            "{key} must survive the rollback"
        );
    }
}

/// Two PATCHes of different fields at once: both fields end changed. The test holds the
/// space's row while both requests arrive, so they overlap in the worst way every run: each
/// has read nothing yet, or (without the row lock) both have read the old fields.
#[tokio::test]
async fn two_concurrent_patches_both_apply() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, vec![]),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let space_id = created.body["id"].as_u64().unwrap();
    let path = format!("/api/v1/spaces/{space_id}");

    let mut blocker = app.pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM spaces WHERE id = ? FOR UPDATE")
        .bind(space_id)
        .fetch_one(&mut *blocker)
        .await
        .unwrap();
    let patch = |body: Value| app.send(Method::PATCH, &path, Some(&host.access_token), Some(body));
    let (renamed, repriced, ()) = tokio::join!(
        patch(serde_json::json!({"title": "새 이름"})),
        patch(serde_json::json!({"price_day": 45000})),
        async {
            app.eventually(10, "both PATCHes waiting on the space's row", || async {
                let waiting = app.sessions_running("%spaces%").await;
                (waiting >= 2).then_some(())
            })
            .await;
            blocker.rollback().await.unwrap();
        }
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(repriced.status, 200, "{}", repriced.body);
    let detail = app.get(&path).await;
    assert_eq!(detail.body["title"], "새 이름", "{}", detail.body);
    let day_price = detail.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|option| option["slot"] == "day")
        .map(|option| option["price"].clone());
    assert_eq!(day_price, Some(Value::from(45000)), "{}", detail.body);
}

/// Redis loses the photo jobs (a flush or a failover): the sweep queues photos that stayed
/// `processing` for long again. One whose staged bytes survived ends `ready`; one whose bytes
/// went too ends `failed` with a reason the host reads, and no longer counts as pending.
#[tokio::test]
async fn photos_whose_jobs_were_lost_end_ready_or_failed() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![
                (encoded(200, 100, ImageFormat::Png), "kept.png"),
                (encoded(100, 200, ImageFormat::Png), "lost.png"),
            ],
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let images: Vec<u64> = created.body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["id"].as_u64().unwrap())
        .collect();
    let prefix = app.state.settings.jobs.queue_prefix.clone();
    let mut redis = app.state.jobs.connection().await.unwrap();
    let queued: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:process_image*"))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(!queued.is_empty(), "the upload queued its jobs");
    let _: () = redis::cmd("DEL")
        .arg(queued)
        .arg(format!("{prefix}:staged_image:{}", images[1]))
        .query_async(&mut redis)
        .await
        .unwrap();
    sqlx::query("UPDATE space_images SET updated_at = ? WHERE space_id = ?")
        .bind(chrono::Utc::now() - chrono::Duration::hours(1))
        .bind(created.body["id"].as_u64().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();

    app.start_worker().await;
    let space = app
        .eventually(60, "both photos to leave `processing`", || async {
            let space = my_space(&app, &host).await;
            let statuses: Vec<&str> = space["images"]
                .as_array()?
                .iter()
                .filter_map(|image| image["status"].as_str())
                .collect();
            (statuses.len() == 2 && !statuses.contains(&"processing")).then_some(space)
        })
        .await;
    let status_of = |id: u64| {
        space["images"]
            .as_array()
            .unwrap()
            .iter()
            .find(|image| image["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(status_of(images[0])["status"], "ready", "{space}");
    let lost = status_of(images[1]);
    assert_eq!(lost["status"], "failed", "{space}");
    assert!(
        lost["failure_reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("expired")),
        "{lost}"
    );
}

/// Redis loses a deletion job: the objects stay recorded in MySQL, and the sweep queues the
/// deletion again once it is overdue; the objects leave storage and the record goes.
#[tokio::test]
async fn a_deletion_whose_job_was_lost_still_removes_the_objects() {
    let app = spawn_app_with(TestAppOptions {
        with_s3: true,
        ..TestAppOptions::default()
    })
    .await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(
            &reference,
            vec![(encoded(200, 100, ImageFormat::Png), "a.png")],
        ),
    )
    .await;
    let space_id = created.body["id"].as_u64().unwrap();
    app.start_worker().await;
    let image_id = app
        .eventually(30, "the photo to be ready", || async {
            let space = my_space(&app, &host).await;
            (space["images"][0]["status"] == "ready").then(|| space["images"][0]["id"].as_u64())?
        })
        .await;
    let keys: Vec<String> = {
        let row: (String, String, String) = sqlx::query_as(
            "SELECT original_key, web_key, thumbnail_key FROM space_images WHERE id = ?",
        )
        .bind(image_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        vec![row.0, row.1, row.2]
    };
    let s3 = app.s3.as_ref().unwrap();
    for key in &keys {
        assert!(s3.object(key).await.is_some());
    }

    // The deletion commits its record as the API does, but its job is lost with Redis: here
    // it is never queued at all.
    let mut tx = app.pool.begin().await.unwrap();
    let deleted = spacecloud_common::db::images::soft_delete(
        &mut tx,
        space_id,
        Some(image_id),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(deleted.len(), 3);
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    spacecloud_common::db::object_deletions::record(&mut tx, &deleted, long_ago)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    app.eventually(60, "the sweep to remove the objects", || async {
        let mut gone = true;
        for key in &keys {
            gone &= s3.object(key).await.is_none();
        }
        gone.then_some(())
    })
    .await;
    app.eventually(10, "the record to be forgotten", || async {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM object_deletions")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        (left == 0).then_some(())
    })
    .await;
}

/// A request that fails after its photos were staged (here: the space's photo limit, judged
/// under the space's lock) leaves no bytes in Redis; and one user cannot keep more than
/// `MAX_PENDING_PHOTOS` photos waiting for the worker (no worker runs in this test).
#[tokio::test]
async fn staged_photos_are_bounded_per_user_and_never_left_behind() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.login_as(1, "host").await;
    let photo = || (encoded(30, 20, ImageFormat::Png), "p.png");
    let created = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, (0..9).map(|_| photo()).collect()),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let space_id = created.body["id"].as_u64().unwrap();
    assert_eq!(staged_keys(&app).await, 9);
    let over = post_form(
        &app,
        &host,
        &format!("/api/v1/spaces/{space_id}/images"),
        Form::new()
            .part("images", Part::bytes(photo().0).file_name("a.png"))
            .part("images", Part::bytes(photo().0).file_name("b.png")),
    )
    .await;
    over.assert_problem(422, Some("images"));
    assert_eq!(
        staged_keys(&app).await,
        9,
        "the refused upload's bytes are gone"
    );

    for _ in 0..2 {
        let more = post_form(
            &app,
            &host,
            "/api/v1/spaces",
            space_form(&reference, (0..10).map(|_| photo()).collect()),
        )
        .await;
        assert_eq!(more.status, 201, "{}", more.body);
    }
    let pending = post_form(
        &app,
        &host,
        "/api/v1/spaces",
        space_form(&reference, vec![photo(), photo()]),
    )
    .await;
    pending.assert_problem(409, None);
    assert_eq!(pending.body["code"], "uploads_pending");
    assert_eq!(count(&app, "spaces").await, 3);
    assert_eq!(staged_keys(&app).await, 29);
}
