use crate::helpers::{new_space, spawn_app};
use spacecloud_common::domain::Slot;

#[tokio::test]
async fn malformed_list_parameters_are_400_problems_naming_the_parameter() {
    let app = spawn_app().await;
    for (param, value) in [
        ("headcount", "abc"),
        ("district_id", "-1"),
        ("category_id", "1.5"),
        ("sort", "cheapest"),
        ("slot", "evening"),
        ("date", "2025-02-30"),
        ("date", "tomorrow"),
        ("min_price", "ten"),
        ("page", "first"),
        ("facility_id", "wifi"),
    ] {
        let reply = app
            .get_query("/api/v1/spaces", &[(param, value.to_owned())])
            .await;
        reply.assert_problem(400, Some(param));
    }
}

#[tokio::test]
async fn out_of_range_list_parameters_are_422_problems_naming_the_parameter() {
    let app = spawn_app().await;
    let today = app.today().to_string();
    for (query, field) in [
        (vec![("per_page", "1000".to_owned())], "per_page"),
        (vec![("per_page", "0".to_owned())], "per_page"),
        (vec![("page", "0".to_owned())], "page"),
        (vec![("headcount", "0".to_owned())], "headcount"),
        (vec![("min_price", "-5".to_owned())], "min_price"),
        (
            vec![
                ("min_price", "50000".to_owned()),
                ("max_price", "100".to_owned()),
            ],
            "min_price",
        ),
        (vec![("slot", "day".to_owned())], "slot"),
        (vec![("q", "x".repeat(101))], "q"),
        (vec![("q", "파티\n룸".to_owned())], "q"),
        (
            vec![("date", today), ("per_page", "101".to_owned())],
            "per_page",
        ),
    ] {
        let reply = app.get_query("/api/v1/spaces", &query).await;
        reply.assert_problem(422, Some(field));
    }
}

#[tokio::test]
async fn id_and_calendar_errors() {
    let app = spawn_app().await;
    let reference = app.insert_reference(1).await;
    let host = app.insert_user("host").await;
    let space = app
        .insert_space(&new_space(host, &reference, &[(Slot::Day, 1000)]))
        .await;

    app.get("/api/v1/spaces/abc")
        .await
        .assert_problem(400, Some("id"));
    app.get("/api/v1/spaces/-3")
        .await
        .assert_problem(400, Some("id"));
    app.get("/api/v1/spaces/99999")
        .await
        .assert_problem(404, None);
    app.get("/api/v1/spaces/abc/availability")
        .await
        .assert_problem(400, Some("id"));
    app.get("/api/v1/spaces/99999/availability")
        .await
        .assert_problem(404, None);

    let path = format!("/api/v1/spaces/{space}/availability");
    let today = app.today();
    let cases = [
        (
            vec![
                ("from", today.succ_opt().unwrap().to_string()),
                ("to", today.to_string()),
            ],
            422,
            "to",
        ),
        (
            vec![
                ("from", today.to_string()),
                ("to", (today + chrono::Days::new(92)).to_string()),
            ],
            422,
            "to",
        ),
        (vec![("from", "2026-13-01".to_owned())], 400, "from"),
        (vec![("to", "soon".to_owned())], 400, "to"),
    ];
    for (query, status, field) in cases {
        app.get_query(&path, &query)
            .await
            .assert_problem(status, Some(field));
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing-here")
        .await
        .assert_problem(404, None);
    let reply = app
        .client
        .delete(format!("{}/api/v1/districts", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 405);
    assert_eq!(
        reply.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
}

/// The client address of the sign-in budget is the TCP peer: an `X-Forwarded-For` is believed
/// only from a configured proxy, and then only its nearest untrusted hop.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    for (trusted, limited) in [("", true), ("127.0.0.1", false)] {
        let app = crate::helpers::spawn_app_with(crate::helpers::TestAppOptions {
            vars: vec![
                ("RATE_LIMIT_SIGN_IN_PER_MINUTE", "2".into()),
                ("TRUSTED_PROXIES", trusted.into()),
            ],
            ..Default::default()
        })
        .await;
        crate::processes::within_one_rate_window().await;
        let mut statuses = Vec::new();
        for n in 0..4 {
            let reply = app
                .client
                .post(format!("{}/api/v1/auth/refresh", app.address))
                .header("x-forwarded-for", format!("10.0.0.{n}, 127.0.0.1"))
                .json(&serde_json::json!({"refresh_token": "not-a-token"}))
                .send()
                .await
                .unwrap();
            statuses.push(reply.status().as_u16());
        }
        let expected = if limited {
            vec![401, 401, 429, 429]
        } else {
            vec![401; 4]
        };
        assert_eq!(statuses, expected, "TRUSTED_PROXIES={trusted:?}");
    }
}

/// A database's error message quotes the statement's values; what reaches the logs names the
/// error by its codes only.
#[tokio::test]
async fn database_errors_are_logged_without_the_values_they_quote() {
    let app = spawn_app().await;
    let insert = || {
        sqlx::query(
            "INSERT INTO users (kakao_id, nickname, email, points, created_at, updated_at) \
             VALUES (777, 'n', 'private-address@example.com', 0, NOW(), NOW())",
        )
        .execute(&app.pool)
    };
    insert().await.unwrap();
    let duplicate = insert().await.unwrap_err();
    assert!(
        duplicate.to_string().contains("777"),
        "the raw message quotes the value: {duplicate}"
    );
    let wrapped = spacecloud_common::error::AppError::from(duplicate);
    let logged = spacecloud_common::error::loggable(&wrapped);
    assert!(logged.contains("1062"), "{logged}");
    assert!(!logged.contains("777"), "{logged}");
}

/// A method nobody uses does not make a metric series of its own.
#[tokio::test]
async fn invented_http_methods_share_one_metric_label() {
    let app = spawn_app().await;
    let brew = reqwest::Method::from_bytes(b"BREWCOFFEE").unwrap();
    let reply = app
        .client
        .request(brew, format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 405);
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("BREWCOFFEE"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

/// A JSON value of the wrong type is refused, never coerced: a number where the contract says
/// string is 400 at any depth, and nothing changes or reaches Kakao.
#[tokio::test]
async fn wrong_json_types_are_refused_not_coerced() {
    let app = spawn_app().await;
    let login = app.login_as(611, "typed").await;
    let calls_before = app.kakao.user_info_calls();
    for (method, path, body) in [
        (
            reqwest::Method::PATCH,
            "/api/v1/me",
            serde_json::json!({"nickname": 5}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/auth/kakao",
            serde_json::json!({"access_token": 5}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/auth/refresh",
            serde_json::json!({"refresh_token": true}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/orders",
            serde_json::json!({
                "space_id": 1, "option_id": 1, "date": "2030-01-01", "headcount": 2,
                "booker": {"name": 42, "phone": "010-1234-5678", "email": "a@b.co"}
            }),
        ),
    ] {
        let reply = app
            .send(method.clone(), path, Some(&login.access_token), Some(body))
            .await;
        assert_eq!(reply.status, 400, "{method} {path}: {}", reply.body);
        assert_eq!(
            reply.body["code"], "malformed_request",
            "{method} {path}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.kakao.user_info_calls(),
        calls_before,
        "nothing asked Kakao"
    );
    let me = app
        .send(
            reqwest::Method::GET,
            "/api/v1/me",
            Some(&login.access_token),
            None,
        )
        .await;
    assert_eq!(me.body["nickname"], "typed");
}
