use spacecloud_api::seed;

use crate::helpers::spawn_app;

#[tokio::test]
async fn seeding_twice_creates_the_demo_data_once() {
    let app = spawn_app().await;
    let first = seed::run(&app.pool, &app.state.settings, false)
        .await
        .unwrap();
    assert_eq!(first.spaces_created, 200);
    let second = seed::run(&app.pool, &app.state.settings, false)
        .await
        .unwrap();
    assert_eq!(second.spaces_created, 0);

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
}
