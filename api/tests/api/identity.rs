//! Signing in with Kakao (both flows), access and refresh tokens, and the current user.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::json;

use spacecloud_testkit::kakao_stub::{FAILING_TOKEN, GARBAGE_TOKEN, KakaoUser, SLOW_TOKEN};

use crate::{
    helpers::{TEST_JWT_SECRET, TEST_KAKAO_CLIENT_SECRET, spawn_app},
    telemetry::LogCapture,
};

fn kakao_user(id: i64, nickname: &str, email: Option<&str>) -> KakaoUser {
    KakaoUser {
        id,
        nickname: nickname.to_owned(),
        email: email.map(str::to_owned),
    }
}

#[tokio::test]
async fn first_login_creates_the_user_and_later_logins_update_it() {
    let app = spawn_app().await;
    app.kakao.accept_token(
        "token-a",
        kakao_user(7001, "민지", Some("minji@kakao.test")),
    );

    let first = app
        .post_json("/api/v1/auth/kakao", json!({"access_token": "token-a"}))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["created"], true);
    assert_eq!(first.body["token_type"], "Bearer");
    assert_eq!(first.body["expires_in"], 3600);
    assert_eq!(first.body["user"]["nickname"], "민지");
    assert_eq!(first.body["user"]["email"], "minji@kakao.test");
    assert_eq!(first.body["user"]["points"], 100_000);
    let user_id = first.body["user"]["id"].as_u64().unwrap();

    // The nickname changed on Kakao and the email consent was withdrawn: same user, updated.
    app.kakao
        .accept_token("token-b", kakao_user(7001, "민지2", None));
    let second = app
        .post_json("/api/v1/auth/kakao", json!({"access_token": "token-b"}))
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["created"], false);
    assert_eq!(second.body["user"]["id"], user_id);
    assert_eq!(second.body["user"]["nickname"], "민지2");
    assert!(second.body["user"]["email"].is_null());

    let me = app
        .send(
            Method::GET,
            "/api/v1/me",
            second.body["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["id"], user_id);
    assert_eq!(me.body["nickname"], "민지2");

    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn twenty_simultaneous_first_logins_create_one_user() {
    let app = spawn_app().await;
    app.kakao
        .accept_token("token-race", kakao_user(8001, "race", None));
    let logins =
        (0..20).map(|_| app.post_json("/api/v1/auth/kakao", json!({"access_token": "token-race"})));
    let replies = futures_util::future::join_all(logins).await;
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.body);
        if reply.body["created"] == true {
            created += 1;
        }
        ids.insert(reply.body["user"]["id"].as_u64().unwrap());
    }
    assert_eq!(created, 1, "exactly one login creates the user");
    assert_eq!(ids.len(), 1);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE kakao_id = 8001")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn kakao_failures_become_401_or_502_and_create_nothing() {
    let app = spawn_app().await;
    let login =
        |token: &'static str| app.post_json("/api/v1/auth/kakao", json!({"access_token": token}));

    let reply = login("not-a-token-kakao-knows").await;
    reply.assert_problem(401, None);
    assert_eq!(reply.body["code"], "invalid_kakao_token");

    // A token that cannot be a header value is refused as a token, not blamed on Kakao (the
    // fuzzer's 502), and Kakao is not asked.
    let calls = app.kakao.user_info_calls();
    for token in ["line\nbreak", "토큰", "with space", "tab\there"] {
        let reply = login(token).await;
        reply.assert_problem(401, None);
        assert_eq!(reply.body["code"], "invalid_kakao_token", "{token:?}");
    }
    assert_eq!(app.kakao.user_info_calls(), calls);

    for token in [FAILING_TOKEN, SLOW_TOKEN, GARBAGE_TOKEN] {
        let reply = login(token).await;
        reply.assert_problem(502, None);
        assert_eq!(reply.body["code"], "kakao_unavailable", "{token}");
    }

    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn a_login_body_without_the_token_is_refused() {
    let app = spawn_app().await;
    let reply = app.post_json("/api/v1/auth/kakao", json!({})).await;
    reply.assert_problem(422, Some("access_token"));
    let reply = app
        .post_json("/api/v1/auth/kakao", json!({"access_token": "  "}))
        .await;
    reply.assert_problem(422, Some("access_token"));
    let reply = app
        .post_json("/api/v1/auth/kakao", json!({"access_token": {"nested": 1}}))
        .await;
    reply.assert_problem(400, None);
    let reply = app
        .send(Method::POST, "/api/v1/auth/kakao", None, None)
        .await;
    assert!([400, 415].contains(&reply.status), "{}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(app.kakao.user_info_calls(), 0);
}

fn forge(header: serde_json::Value, claims: serde_json::Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test]
async fn bad_access_tokens_are_401_problems() {
    let app = spawn_app().await;
    let login = app.login_as(9001, "victim").await;
    let now = Utc::now().timestamp();
    let claims =
        json!({"sub": login.user_id.to_string(), "iat": now, "exp": now + 600, "jti": "x"});
    let sign = |alg: Algorithm, claims: &serde_json::Value, secret: &[u8]| {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
    };
    let expired_claims =
        json!({"sub": login.user_id.to_string(), "iat": now - 7200, "exp": now - 3600, "jti": "x"});

    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing header", None),
        ("garbage", Some("garbage".to_owned())),
        (
            "expired",
            Some(sign(
                Algorithm::HS256,
                &expired_claims,
                TEST_JWT_SECRET.as_bytes(),
            )),
        ),
        (
            "wrong signature",
            Some(sign(
                Algorithm::HS256,
                &claims,
                b"another-secret-entirely-0123456789",
            )),
        ),
        (
            "another algorithm",
            Some(sign(Algorithm::HS512, &claims, TEST_JWT_SECRET.as_bytes())),
        ),
        (
            "alg none",
            Some(forge(
                json!({"alg": "none", "typ": "JWT"}),
                claims.clone(),
                "",
            )),
        ),
        (
            "sub not a user id",
            Some(sign(
                Algorithm::HS256,
                &json!({"sub": "admin", "iat": now, "exp": now + 600, "jti": "x"}),
                TEST_JWT_SECRET.as_bytes(),
            )),
        ),
    ];
    for (case, token) in cases {
        let reply = app
            .send(Method::GET, "/api/v1/me", token.as_deref(), None)
            .await;
        assert_eq!(reply.status, 401, "{case}: {}", reply.body);
        reply.assert_problem(401, None);
    }

    // The genuine token works until its user is deleted.
    let me = app
        .send(Method::GET, "/api/v1/me", Some(&login.access_token), None)
        .await;
    assert_eq!(me.status, 200);
    sqlx::query("UPDATE users SET deleted_at = ? WHERE id = ?")
        .bind(Utc::now())
        .bind(login.user_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let me = app
        .send(Method::GET, "/api/v1/me", Some(&login.access_token), None)
        .await;
    me.assert_problem(401, None);
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": login.refresh_token}),
        )
        .await;
    refreshed.assert_problem(401, None);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let login = app.login_as(9101, "rotator").await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post_json("/api/v1/auth/refresh", json!({"refresh_token": token}))
                .await
        }
    };

    let second = refresh(login.refresh_token.clone()).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let second_refresh = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, login.refresh_token);
    let me = app
        .send(
            Method::GET,
            "/api/v1/me",
            second.body["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(me.status, 200);

    // The first token again: theft suspected, the whole family dies.
    let reused = refresh(login.refresh_token.clone()).await;
    reused.assert_problem(401, None);
    assert_eq!(reused.body["code"], "refresh_token_reused");
    let after = refresh(second_refresh).await;
    after.assert_problem(401, None);
    assert_eq!(after.body["code"], "invalid_refresh_token");

    // Another login of the same user is a separate family and unaffected.
    let other = app.login_as(9101, "rotator").await;
    assert_eq!(refresh(other.refresh_token).await.status, 200);

    refresh("not-a-token".to_owned())
        .await
        .assert_problem(401, None);
    app.post_json("/api/v1/auth/refresh", json!({}))
        .await
        .assert_problem(422, Some("refresh_token"));
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let login = app.login_as(9201, "leaver").await;
    let logout = app
        .post_json(
            "/api/v1/auth/logout",
            json!({"refresh_token": login.refresh_token}),
        )
        .await;
    assert_eq!(logout.status, 204);
    let again = app
        .post_json(
            "/api/v1/auth/logout",
            json!({"refresh_token": login.refresh_token}),
        )
        .await;
    assert_eq!(again.status, 204, "logging out twice is fine");
    app.post_json(
        "/api/v1/auth/refresh",
        json!({"refresh_token": login.refresh_token}),
    )
    .await
    .assert_problem(401, None);
}

#[tokio::test]
async fn the_nickname_can_be_changed_within_limits() {
    let app = spawn_app().await;
    let login = app.login_as(9301, "before").await;
    let patch = |body: serde_json::Value| {
        app.send(
            Method::PATCH,
            "/api/v1/me",
            Some(&login.access_token),
            Some(body),
        )
    };
    let reply = patch(json!({"nickname": "  연습실 주인  "})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["nickname"], "연습실 주인");

    for bad in [
        json!({"nickname": "   "}),
        json!({"nickname": "가".repeat(31)}),
    ] {
        patch(bad).await.assert_problem(422, Some("nickname"));
    }
    patch(json!({"nickname": ["list"]}))
        .await
        .assert_problem(400, None);
    app.send(
        Method::PATCH,
        "/api/v1/me",
        None,
        Some(json!({"nickname": "anonymous"})),
    )
    .await
    .assert_problem(401, None);

    let me = app
        .send(Method::GET, "/api/v1/me", Some(&login.access_token), None)
        .await;
    assert_eq!(me.body["nickname"], "연습실 주인");
}

#[tokio::test]
async fn the_authorization_code_flow_checks_its_state_once() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = client
        .get(format!("{}/api/v1/auth/kakao/authorize", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302);
    let location =
        reqwest::Url::parse(start.headers().get("location").unwrap().to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/oauth/authorize");
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "test-client-id");
    assert_eq!(query["redirect_uri"], "http://app.test/callback");
    assert_eq!(query["response_type"], "code");
    let state = query["state"].clone();

    app.kakao
        .accept_token("code-token", kakao_user(9401, "browser", None));
    app.kakao.accept_code("good-code", "code-token");
    let set_cookie = start.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.starts_with(&format!("sc_kakao_state={state};")),
        "{set_cookie}"
    );
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/api/v1/auth/kakao",
        "Max-Age=600",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
    let callback = |code: &str, state: &str, cookie: Option<&str>| {
        let query = vec![("code", code.to_owned()), ("state", state.to_owned())];
        let mut request = app
            .client
            .get(format!("{}/api/v1/auth/kakao/callback", app.address))
            .query(&query);
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("theme=dark; sc_kakao_state={cookie}"));
        }
        async move { crate::helpers::Reply::read(request.send().await.unwrap()).await }
    };
    let browser = Some(state.as_str());

    callback("good-code", "forged-state", browser)
        .await
        .assert_problem(400, None);
    // Login CSRF: the attacker's state finished in a browser that did not start it (no cookie,
    // or that browser's own login cookie) is refused, and the state stays usable by its owner.
    for other_browser in [None, Some("a-state-of-the-victim")] {
        let csrf = callback("good-code", &state, other_browser).await;
        csrf.assert_problem(400, None);
        assert_eq!(csrf.body["code"], "invalid_state");
    }
    let signed_in = callback("good-code", &state, browser).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.body["created"], true);
    assert_eq!(signed_in.body["user"]["nickname"], "browser");

    let replay = callback("good-code", &state, browser).await;
    replay.assert_problem(400, None);
    assert_eq!(replay.body["code"], "invalid_state");

    // A fresh state with a code Kakao does not know.
    let start = client
        .get(format!("{}/api/v1/auth/kakao/authorize", app.address))
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let state = location
        .query_pairs()
        .find(|(key, _)| key == "state")
        .unwrap()
        .1
        .into_owned();
    let bad_code = callback("expired-code", &state, Some(&state)).await;
    bad_code.assert_problem(401, None);
    assert_eq!(bad_code.body["code"], "invalid_kakao_code");

    app.get("/api/v1/auth/kakao/callback")
        .await
        .assert_problem(400, None);
}

#[tokio::test]
async fn secrets_never_reach_logs_or_error_bodies() {
    let app = spawn_app().await;
    let capture = LogCapture::start();

    let login = app.login_as(9501, "quiet").await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": login.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status, 200);
    let reused = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": login.refresh_token}),
        )
        .await;
    let bad_kakao = app
        .post_json(
            "/api/v1/auth/kakao",
            json!({"access_token": "stolen-kakao-token-123"}),
        )
        .await;
    let bad_jwt = app
        .send(
            Method::GET,
            "/api/v1/me",
            Some("eyJhbGciOiJub25lIn0.secret-claims."),
            None,
        )
        .await;
    app.kakao
        .accept_token("code-token-quiet", kakao_user(9502, "quiet2", None));
    app.kakao
        .accept_code("secret-auth-code-xyz", "code-token-quiet");
    let callback = app
        .get_query(
            "/api/v1/auth/kakao/callback",
            &[
                ("code", "secret-auth-code-xyz".to_owned()),
                ("state", "unknown-state".to_owned()),
            ],
        )
        .await;

    let logs = capture.text();
    assert!(logs.contains("signed in"), "the capture works: {logs}");
    let bodies = [&reused, &bad_kakao, &bad_jwt, &callback]
        .map(|reply| reply.body.to_string())
        .join("\n");
    for secret in [
        TEST_JWT_SECRET,
        TEST_KAKAO_CLIENT_SECRET,
        login.access_token.as_str(),
        login.refresh_token.as_str(),
        refreshed.body["refresh_token"].as_str().unwrap(),
        refreshed.body["access_token"].as_str().unwrap(),
        "stolen-kakao-token-123",
        "secret-claims",
        "secret-auth-code-xyz",
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}\n{logs}"
        );
        assert!(
            !bodies.contains(secret),
            "a secret reached a response: {secret}"
        );
    }
}

/// Token answers are never cached; access tokens carry their issuer and audience.
#[tokio::test]
async fn token_responses_are_not_cacheable() {
    let app = spawn_app().await;
    app.kakao
        .accept_token("cache-token", kakao_user(9601, "cache", None));
    let login = app
        .client
        .post(format!("{}/api/v1/auth/kakao", app.address))
        .json(&json!({"access_token": "cache-token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert_eq!(login.headers()["cache-control"], "no-store");
    let pair: serde_json::Value = login.json().await.unwrap();
    let refreshed = app
        .client
        .post(format!("{}/api/v1/auth/refresh", app.address))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    assert_eq!(refreshed.headers()["cache-control"], "no-store");
    let claims = app
        .state
        .jwt
        .verify(pair["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        (claims.iss.as_str(), claims.aud.as_str()),
        ("spacecloud", "spacecloud-api")
    );
}

/// With `KAKAO_APP_ID` set, a valid Kakao token issued to another app does not sign in.
#[tokio::test]
async fn a_kakao_token_of_another_app_does_not_sign_in() {
    let app = crate::helpers::spawn_app_with(crate::helpers::TestAppOptions {
        vars: vec![(
            "KAKAO_APP_ID",
            spacecloud_testkit::kakao_stub::STUB_APP_ID.to_string(),
        )],
        ..Default::default()
    })
    .await;
    app.kakao.accept_token_of_app(
        "token-of-a-quiz-app",
        kakao_user(9701, "victim", None),
        4_242_424,
    );
    let foreign = app
        .post_json(
            "/api/v1/auth/kakao",
            json!({"access_token": "token-of-a-quiz-app"}),
        )
        .await;
    foreign.assert_problem(401, None);
    assert_eq!(foreign.body["code"], "invalid_kakao_token");
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "nobody was signed up");
    let ours = app.login_as(9702, "regular").await;
    assert!(!ours.access_token.is_empty());
}

/// A logout, or a refresh token used twice, ends that login's access tokens at once; other
/// logins of the same user keep working.
#[tokio::test]
async fn logout_and_detected_reuse_end_the_logins_access_tokens() {
    let app = spawn_app().await;
    let me = |token: String| {
        let app = &app;
        async move {
            app.send(Method::GET, "/api/v1/me", Some(&token), None)
                .await
                .status
        }
    };
    let phone = app.login_as(9801, "two-devices").await;
    let laptop = app.login_as(9801, "two-devices").await;
    assert_eq!(me(phone.access_token.clone()).await, 200);
    let logout = app
        .post_json(
            "/api/v1/auth/logout",
            json!({"refresh_token": phone.refresh_token}),
        )
        .await;
    assert_eq!(logout.status, 204);
    let ended = app
        .send(Method::GET, "/api/v1/me", Some(&phone.access_token), None)
        .await;
    ended.assert_problem(401, None);
    assert_eq!(ended.body["code"], "token_revoked");
    assert_eq!(
        me(laptop.access_token.clone()).await,
        200,
        "the other login lives"
    );

    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": laptop.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status, 200);
    let stolen = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": laptop.refresh_token}),
        )
        .await;
    stolen.assert_problem(401, None);
    for token in [
        laptop.access_token.clone(),
        refreshed.body["access_token"].as_str().unwrap().to_owned(),
    ] {
        assert_eq!(me(token).await, 401, "reuse ends the whole login");
    }
}

/// Two tabs refreshing the same token at once both get a pair and the login goes on; after
/// the grace window, the same reuse ends the login.
#[tokio::test]
async fn a_refresh_token_presented_twice_within_the_grace_window_keeps_the_login() {
    let app = crate::helpers::spawn_app_with(crate::helpers::TestAppOptions {
        vars: vec![("REFRESH_REUSE_GRACE_SECONDS", "30".into())],
        ..Default::default()
    })
    .await;
    let login = app.login_as(9901, "tabs").await;
    let refresh =
        |token: &str| app.post_json("/api/v1/auth/refresh", json!({"refresh_token": token}));
    let (first, second) =
        futures_util::join!(refresh(&login.refresh_token), refresh(&login.refresh_token));
    for reply in [&first, &second] {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let status = app
            .send(
                Method::GET,
                "/api/v1/me",
                reply.body["access_token"].as_str(),
                None,
            )
            .await
            .status;
        assert_eq!(status, 200);
    }
    // Past the window, presenting it again is reuse.
    sqlx::query("UPDATE refresh_tokens SET used_at = used_at - INTERVAL 31 SECOND WHERE used_at IS NOT NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    refresh(&login.refresh_token)
        .await
        .assert_problem(401, None);
    let after = app
        .send(
            Method::GET,
            "/api/v1/me",
            first.body["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(after.status, 401);
}
