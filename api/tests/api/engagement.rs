//! Likes and reviews: exact counters under concurrency, and who may review.

use chrono::{Days, Duration, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::Method;
use spacecloud_common::domain::{OrderStatus, Slot};

use crate::helpers::{Login, TestApp, new_order, new_space, spawn_app};

async fn space(app: &TestApp) -> (u64, u64) {
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space_id = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 10_000)]))
        .await;
    (space_id, app.option_id(space_id, Slot::Day).await)
}

async fn like_count(app: &TestApp, space_id: u64) -> (i64, i64) {
    let counter: i64 =
        sqlx::query_scalar("SELECT CAST(like_count AS SIGNED) FROM spaces WHERE id = ?")
            .bind(space_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes WHERE space_id = ?")
        .bind(space_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (counter, rows)
}

#[tokio::test]
async fn concurrent_like_toggles_keep_the_count_exact() {
    let app = spawn_app().await;
    let (space_id, _) = space(&app).await;
    let mut users = Vec::new();
    for n in 0..50 {
        users.push(app.login_as(500 + n, &format!("fan{n}")).await);
    }
    let seed = std::env::var("LIKE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let plans: Vec<Vec<Method>> = users
        .iter()
        .map(|_| {
            (0..rng.random_range(1..6))
                .map(|_| {
                    if rng.random_bool(0.6) {
                        Method::PUT
                    } else {
                        Method::DELETE
                    }
                })
                .collect()
        })
        .collect();
    let path = format!("/api/v1/spaces/{space_id}/like");
    let runs = users.iter().zip(&plans).map(|(user, plan)| {
        let (app, path) = (&app, &path);
        async move {
            for method in plan {
                let reply = app
                    .send(method.clone(), path, Some(&user.access_token), None)
                    .await;
                assert_eq!(reply.status, 204, "{}", reply.body);
            }
        }
    });
    futures_util::future::join_all(runs).await;
    let expected = plans
        .iter()
        .filter(|plan| plan.last() == Some(&Method::PUT))
        .count() as i64;
    assert_eq!(like_count(&app, space_id).await, (expected, expected));
    let detail = app.get(&format!("/api/v1/spaces/{space_id}")).await;
    assert_eq!(detail.body["like_count"], expected);
}

#[tokio::test]
async fn likes_are_idempotent_and_show_in_detail_and_my_likes() {
    let app = spawn_app().await;
    let (space_id, _) = space(&app).await;
    let fan = app.login_as(600, "fan").await;
    let path = format!("/api/v1/spaces/{space_id}/like");
    for _ in 0..2 {
        let reply = app
            .send(Method::PUT, &path, Some(&fan.access_token), None)
            .await;
        assert_eq!(reply.status, 204);
    }
    assert_eq!(like_count(&app, space_id).await, (1, 1));

    let detail = |token: Option<String>| {
        let app = &app;
        async move {
            app.send(
                Method::GET,
                &format!("/api/v1/spaces/{space_id}"),
                token.as_deref(),
                None,
            )
            .await
        }
    };
    assert_eq!(
        detail(Some(fan.access_token.clone())).await.body["liked"],
        true
    );
    assert!(
        detail(None).await.body.get("liked").is_none(),
        "anonymous callers get no `liked`"
    );
    let other = app.login_as(601, "other").await;
    assert_eq!(
        detail(Some(other.access_token.clone())).await.body["liked"],
        false
    );

    let mine = app
        .send(
            Method::GET,
            "/api/v1/me/likes",
            Some(&fan.access_token),
            None,
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["id"], space_id);

    for _ in 0..2 {
        let reply = app
            .send(Method::DELETE, &path, Some(&fan.access_token), None)
            .await;
        assert_eq!(reply.status, 204);
    }
    assert_eq!(like_count(&app, space_id).await, (0, 0));
    app.send(
        Method::PUT,
        "/api/v1/spaces/999999/like",
        Some(&fan.access_token),
        None,
    )
    .await
    .assert_problem(404, None);
    app.send(Method::PUT, &path, None, None)
        .await
        .assert_problem(401, None);
    app.send(
        Method::PUT,
        "/api/v1/spaces/x/like",
        Some(&fan.access_token),
        None,
    )
    .await
    .assert_problem(400, Some("id"));
}

async fn post_review(
    app: &TestApp,
    who: &Login,
    space_id: u64,
    grade: &str,
    content: &str,
) -> crate::helpers::Reply {
    let form = reqwest::multipart::Form::new()
        .text("grade", grade.to_owned())
        .text("content", content.to_owned());
    let response = app
        .client
        .post(format!("{}/api/v1/spaces/{space_id}/reviews", app.address))
        .bearer_auth(&who.access_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    crate::helpers::Reply::read(response).await
}

#[tokio::test]
async fn only_a_completed_past_stay_can_be_reviewed_once() {
    let app = spawn_app().await;
    let (space_id, option_id) = space(&app).await;
    let guest = app.login_as(700, "guest").await;
    let today = app.today();
    let hold = Utc::now() + Duration::minutes(10);
    let insert = |status: OrderStatus, date| {
        let app = &app;
        let order = new_order(
            guest.user_id,
            space_id,
            option_id,
            Slot::Day,
            date,
            status,
            hold,
        );
        async move { app.insert_order(order).await.unwrap() }
    };
    let review =
        |grade: &'static str| post_review(&app, &guest, space_id, grade, "  정말 좋았어요  ");
    let code = |reply: crate::helpers::Reply| {
        reply.assert_problem(409, None);
        reply.body["code"].as_str().unwrap().to_owned()
    };

    assert_eq!(code(review("5").await), "no_order");
    insert(OrderStatus::Waiting, today + Days::new(1)).await;
    insert(OrderStatus::Canceled, today - Days::new(3)).await;
    assert_eq!(code(review("5").await), "order_not_completed");
    insert(OrderStatus::Completed, today + Days::new(2)).await;
    assert_eq!(code(review("5").await), "stay_not_started");
    // Dated today, its booked hours not over yet (the current hour to its end): not yet.
    let hour = app.state.moment().hour;
    let mut under_way = new_order(
        guest.user_id,
        space_id,
        option_id,
        Slot::Day,
        today,
        OrderStatus::Completed,
        hold,
    );
    under_way.hours = spacecloud_common::domain::Hours::new(hour, hour + 1).unwrap();
    app.insert_order(under_way).await.unwrap();
    assert_eq!(code(review("5").await), "stay_not_started");
    insert(OrderStatus::Completed, today - Days::new(1)).await;

    post_review(&app, &guest, space_id, "0", "x")
        .await
        .assert_problem(422, Some("grade"));
    post_review(&app, &guest, space_id, "6", "  ")
        .await
        .assert_problem(422, Some("content"));
    post_review(&app, &guest, space_id, "five", "x")
        .await
        .assert_problem(400, None);

    let created = review("4").await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["content"], "정말 좋았어요");
    assert_eq!(created.body["user"]["nickname"], "guest");
    assert_eq!(code(review("5").await), "already_reviewed");

    let detail = app.get(&format!("/api/v1/spaces/{space_id}")).await;
    assert_eq!(detail.body["review_count"], 1);
    assert_eq!(detail.body["rating"], 4.0);
    let listed = app.get(&format!("/api/v1/spaces/{space_id}/reviews")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["grade"], 4);
    app.get("/api/v1/spaces/999999/reviews")
        .await
        .assert_problem(404, None);
}

#[tokio::test]
async fn ratings_order_the_list_immediately() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let today = app.today();
    let hold = Utc::now() + Duration::minutes(10);
    let mut spaces = Vec::new();
    for (n, grades) in [vec![3, 4], vec![5], vec![]].into_iter().enumerate() {
        let space_id = app
            .insert_space(&new_space(host, &reference, &[(Slot::Day, 10_000)]))
            .await;
        let option = app.option_id(space_id, Slot::Day).await;
        for (k, grade) in grades.into_iter().enumerate() {
            let guest = app.login_as(800 + (n * 10 + k) as i64, "reviewer").await;
            app.insert_order(new_order(
                guest.user_id,
                space_id,
                option,
                Slot::Day,
                today - Days::new(k as u64 + 1),
                OrderStatus::Completed,
                hold,
            ))
            .await
            .unwrap();
            let reply = post_review(&app, &guest, space_id, &grade.to_string(), "good").await;
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
        spaces.push(space_id);
    }
    let list = app.get("/api/v1/spaces?sort=rating").await;
    let order: Vec<u64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_u64().unwrap())
        .collect();
    assert_eq!(order, [spaces[1], spaces[0], spaces[2]]);
    assert_eq!(list.body["items"][1]["rating"], 3.5);
    assert_eq!(list.body["items"][1]["review_count"], 2);
    assert!(list.body["items"][2]["rating"].is_null());
}

#[tokio::test]
async fn a_review_photo_goes_through_the_pipeline() {
    let app = spawn_app().await;
    let (space_id, option_id) = space(&app).await;
    let guest = app.login_as(900, "photographer").await;
    let hold = Utc::now() + Duration::minutes(10);
    app.insert_order(new_order(
        guest.user_id,
        space_id,
        option_id,
        Slot::Day,
        app.today() - Days::new(1),
        OrderStatus::Completed,
        hold,
    ))
    .await
    .unwrap();
    let mut photo = Vec::new();
    image::DynamicImage::new_rgb8(900, 600)
        .write_to(
            &mut std::io::Cursor::new(&mut photo),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let send = |image: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("grade", "5")
            .text("content", "사진 첨부")
            .part(
                "image",
                reqwest::multipart::Part::bytes(image).file_name("r.jpg"),
            );
        app.client
            .post(format!("{}/api/v1/spaces/{space_id}/reviews", app.address))
            .bearer_auth(&guest.access_token)
            .multipart(form)
            .send()
    };
    let refused = crate::helpers::Reply::read(send(b"not a photo".to_vec()).await.unwrap()).await;
    refused.assert_problem(415, Some("image"));
    let created = crate::helpers::Reply::read(send(photo).await.unwrap()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let listed = app.get(&format!("/api/v1/spaces/{space_id}/reviews")).await;
    assert!(
        listed.body["items"][0]["image_url"].is_null(),
        "not shown before it is ready"
    );

    app.start_worker().await;
    let url = app
        .eventually(30, "the review photo", || async {
            let listed = app.get(&format!("/api/v1/spaces/{space_id}/reviews")).await;
            listed.body["items"][0]["image_url"]
                .as_str()
                .map(str::to_owned)
        })
        .await;
    assert!(url.ends_with("/web.jpg"), "{url}");
    // Local storage is served by the API under /media.
    let path = url.trim_start_matches("http://media.test");
    let served = app
        .client
        .get(format!("{}/media{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    let image = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((image.width(), image.height()), (900, 600));
}

/// Redis loses a review photo's job: the sweep queues photos still `processing` long after
/// their review again, and the photo is shown.
#[tokio::test]
async fn a_review_photo_whose_job_was_lost_is_processed_by_the_sweep() {
    let app = spawn_app().await;
    let (space_id, option_id) = space(&app).await;
    let guest = app.login_as(901, "photographer").await;
    app.insert_order(new_order(
        guest.user_id,
        space_id,
        option_id,
        Slot::Day,
        app.today() - Days::new(1),
        OrderStatus::Completed,
        Utc::now() + Duration::minutes(10),
    ))
    .await
    .unwrap();
    let mut photo = Vec::new();
    image::DynamicImage::new_rgb8(300, 200)
        .write_to(
            &mut std::io::Cursor::new(&mut photo),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("grade", "4")
        .text("content", "사진")
        .part(
            "image",
            reqwest::multipart::Part::bytes(photo).file_name("r.jpg"),
        );
    let created = crate::helpers::Reply::read(
        app.client
            .post(format!("{}/api/v1/spaces/{space_id}/reviews", app.address))
            .bearer_auth(&guest.access_token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let prefix = app.state.settings.jobs.queue_prefix.clone();
    let mut redis = app.state.jobs.connection().await.unwrap();
    let queued: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:process_review_image*"))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(!queued.is_empty(), "the review queued its photo");
    let _: () = redis::cmd("DEL")
        .arg(queued)
        .query_async(&mut redis)
        .await
        .unwrap();
    sqlx::query("UPDATE reviews SET created_at = ?")
        .bind(Utc::now() - Duration::hours(1))
        .execute(&app.pool)
        .await
        .unwrap();

    app.start_worker().await;
    app.eventually(60, "the review photo to be shown", || async {
        let listed = app.get(&format!("/api/v1/spaces/{space_id}/reviews")).await;
        listed.body["items"][0]["image_url"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
}
