use spacecloud_api::seed;

use crate::helpers::spawn_app;

#[tokio::test]
async fn seeding_twice_creates_the_demo_data_once() {
    let app = spawn_app().await;
    let first = seed::run(&app.pool, &app.state.settings, None)
        .await
        .unwrap();
    assert_eq!(first.spaces_created, 200);
    assert_eq!(first.photos_queued, 200);
    assert_eq!(first.blocks_created, 5);
    let second = seed::run(&app.pool, &app.state.settings, None)
        .await
        .unwrap();
    assert_eq!(second.spaces_created, 0);
    assert_eq!(second.photos_queued, 0);
    assert_eq!(second.blocks_created, 0);

    let count = |table: &'static str| {
        let pool = app.pool.clone();
        async move {
            let (n,): (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            n
        }
    };
    assert_eq!(count("spaces").await, 200);
    assert_eq!(count("districts").await, 25);
    assert_eq!(count("categories").await, 10);
    assert_eq!(count("users").await, 2);
    assert_eq!(count("space_images").await, 200);

    // The demo photos go through the real pipeline.
    app.start_worker().await;
    app.eventually(120, "the demo photos to be ready", || async {
        let (ready,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM space_images WHERE status = 'ready'")
                .fetch_one(&app.pool)
                .await
                .unwrap();
        (ready == 200).then_some(())
    })
    .await;
    let detail = app.get("/api/v1/spaces/1").await;
    assert!(
        detail.body["images"][0]["thumbnail_url"].is_string(),
        "{}",
        detail.body
    );

    let list = app.get("/api/v1/spaces").await;
    assert_eq!(list.body["total"], 200);
    let categories = app.get("/api/v1/categories").await;
    let names: Vec<_> = categories
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"파티룸".to_owned()) && names.contains(&"연습실".to_owned()));

    // Practice and meeting rooms are offered by the hour, inside opening hours; the demo
    // blocks hold their hours.
    let (hourly, practice_rooms): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(s.offers_hourly) AS SIGNED), COUNT(*) FROM spaces s \
         JOIN categories c ON c.id = s.category_id \
         WHERE c.name LIKE '%연습실' OR c.name = '회의실'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(practice_rooms > 0);
    assert_eq!(hourly, practice_rooms);
    let elsewhere: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM spaces WHERE NOT offers_hourly \
         AND (open_hour <> 0 OR close_hour <> 24 OR min_hours <> 1)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(elsewhere, 0);
    assert_eq!(count("space_blocks").await, 5);
    let blocked_hours: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM hour_claims WHERE block_id IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        blocked_hours,
        3 * 3 + 2 * 24,
        "three mornings and two whole days"
    );
}
