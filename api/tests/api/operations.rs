use crate::helpers::{TestAppOptions, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_and_readyz_answer_when_dependencies_are_up() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(
        ready.body,
        serde_json::json!({"mysql": true, "redis": true, "catalogue": true})
    );
}

#[tokio::test]
async fn readyz_is_503_when_redis_does_not_answer() {
    // Port 1 on loopback has no listener: connecting is refused at once.
    let app = spawn_app_with(TestAppOptions {
        redis_url: "redis://127.0.0.1:1".into(),
        ..Default::default()
    })
    .await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503);
    assert_eq!(
        ready.body,
        serde_json::json!({"mysql": true, "redis": false, "catalogue": true})
    );
}

#[tokio::test]
async fn the_spec_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3."));
    // Operations of one path declared in different API structs would each emit the path, and
    // JSON readers keep only the last: every path must appear exactly once.
    let raw = spacecloud_api::routes::api_service().spec();
    for path in spec.body["paths"].as_object().unwrap().keys() {
        let key = serde_json::to_string(path).unwrap();
        assert_eq!(
            raw.matches(&format!("{key}:")).count(),
            1,
            "{path} appears twice"
        );
    }
    assert!(spec.body["paths"]["/api/v1/spaces"]["post"].is_object());
    // What generators choke on: formats of the framework's own, and `allOf` around a
    // documented reference (openapi-python-client dropped `Order` over one).
    let served = spacecloud_api::routes::spec_json();
    for unknown in ["naive-date", "allOf"] {
        assert!(!served.contains(unknown), "the spec still has {unknown}");
    }
    // Public operations say so (`security: []`); protected ones name the bearer scheme.
    assert_eq!(
        spec.body["paths"]["/api/v1/districts"]["get"]["security"],
        serde_json::json!([])
    );
    assert_eq!(
        spec.body["paths"]["/api/v1/me"]["get"]["security"],
        serde_json::json!([{"bearer": []}])
    );
    let list = &spec.body["paths"]["/api/v1/spaces"]["get"];
    assert_eq!(list["operationId"], "listSpaces");
    assert!(list["responses"]["422"].is_object());
    assert!(
        list["responses"]["400"]["content"]["application/problem+json"].is_object(),
        "errors are documented as problem+json"
    );

    let docs = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[test]
fn committed_spec_matches_the_code() {
    let committed = include_str!("../../../openapi/openapi.json");
    let generated = spacecloud_api::routes::spec_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run \
         `cargo run -p spacecloud-api -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn metrics_count_requests_in_prometheus_text() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    app.get("/api/v1/spaces/abc")
        .await
        .assert_problem(400, Some("id"));
    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type.starts_with("text/plain"),
        "{}",
        reply.content_type
    );
    let text = reply.body.as_str().unwrap();
    assert!(
        text.contains("http_requests_total{method=\"GET\",status=\"2xx\"}"),
        "{text}"
    );
    assert!(text.contains("status=\"4xx\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

/// Browsers of the configured origins get CORS answers (preflight, headers, exposed
/// `Retry-After` and `Location`); any other origin gets none, and its request is served as is.
#[tokio::test]
async fn cors_answers_the_configured_origins_only() {
    let app = spawn_app().await;
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/orders", app.address),
        )
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(header), "{allowed}");
    }

    let simple = app
        .client
        .get(format!("{}/api/v1/districts", app.address))
        .header("origin", "http://127.0.0.1:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(simple.status(), 200);
    assert_eq!(
        simple.headers()["access-control-allow-origin"],
        "http://127.0.0.1:3000"
    );
    let exposed = simple.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("retry-after") && exposed.contains("location"),
        "{exposed}"
    );

    let stranger = app
        .client
        .get(format!("{}/api/v1/districts", app.address))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 200, "served, but without CORS headers");
    assert!(
        stranger
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let stranger_preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/orders", app.address),
        )
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        stranger_preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[test]
fn the_contract_lists_every_operation_with_its_statuses_and_codes() {
    let contract = include_str!("../../../docs/api.md");
    let table = spacecloud_api::routes::operations_markdown();
    assert!(
        contract.contains(&format!(
            "<!-- operations:start -->\n{table}<!-- operations:end -->"
        )),
        "docs/api.md's operation table is stale: run scripts/export-openapi.sh"
    );
    // Every code the API can answer is explained in the contract, and every error response
    // names the codes it carries.
    let spec: serde_json::Value =
        serde_json::from_str(&spacecloud_api::routes::spec_json()).unwrap();
    for code in spec["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap()
    {
        let code = code.as_str().unwrap();
        assert!(
            contract.contains(&format!("`{code}`")),
            "docs/api.md never explains `{code}`"
        );
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') && path.starts_with("/api") {
                    let description = response["description"].as_str().unwrap();
                    assert!(
                        description.contains('`'),
                        "{method} {path} {status} names no problem code: {description}"
                    );
                }
            }
        }
    }
}
