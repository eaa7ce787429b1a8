//! Request bodies are bounded as their bytes arrive, whatever the protocol and whether or not
//! a length is declared; only photo uploads with a valid token may be large.

use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::helpers::{TestAppOptions, spawn_app, spawn_app_with};

const CHUNK: usize = 1 << 20;
static SPACES: [u8; CHUNK] = [b' '; CHUNK];

#[derive(Clone, Copy)]
enum Protocol {
    Http1Chunked,
    Http2,
}

/// What a streaming client saw: the status, the problem's `code`, and how many bytes the
/// server pulled from a body of `chunks` MiB with no declared length.
struct Streamed {
    status: u16,
    code: String,
    pulled: usize,
}

async fn stream_body(
    address: &str,
    path: &str,
    protocol: Protocol,
    chunks: usize,
    headers: &[(&str, &str)],
) -> Streamed {
    let authority = address.trim_start_matches("http://");
    let tcp = tokio::net::TcpStream::connect(authority).await.unwrap();
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let frames = futures_util::stream::iter((0..chunks).map(move |_| {
        counter.fetch_add(CHUNK, Ordering::Relaxed);
        Ok::<_, Infallible>(Frame::data(Bytes::from_static(&SPACES)))
    }));
    let mut request = hyper::Request::post(format!("{address}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(StreamBody::new(frames)).unwrap();
    let response = match protocol {
        Protocol::Http2 => {
            let (mut sender, connection) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
                    .await
                    .unwrap();
            tokio::spawn(connection);
            sender.send_request(request).await.unwrap()
        }
        Protocol::Http1Chunked => {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
                .await
                .unwrap();
            tokio::spawn(connection);
            sender.send_request(request).await.unwrap()
        }
    };
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    Streamed {
        status,
        code: problem["code"].as_str().unwrap_or_default().to_owned(),
        pulled: pulled.load(Ordering::Relaxed),
    }
}

/// The attack: 400 MiB with no length to an unauthenticated JSON route. The server
/// answers 413 having read little more than the 64 KiB limit (what flow control lets the
/// client push ahead is counted as pulled too), instead of buffering it all.
#[tokio::test]
async fn a_body_without_a_length_stops_at_the_json_limit_over_http2_and_http1() {
    let app = spawn_app().await;
    for protocol in [Protocol::Http2, Protocol::Http1Chunked] {
        let seen = stream_body(
            &app.address,
            "/api/v1/auth/refresh",
            protocol,
            400,
            &[("content-type", "application/json")],
        )
        .await;
        assert_eq!(seen.status, 413);
        assert_eq!(seen.code, "payload_too_large");
        assert!(
            seen.pulled <= 16 * CHUNK,
            "the server pulled {} MiB of the body",
            seen.pulled / CHUNK
        );
    }
}

#[tokio::test]
async fn a_declared_json_body_over_the_limit_is_413_before_it_is_read() {
    let app = spawn_app_with(TestAppOptions {
        vars: vec![("MAX_JSON_BODY_BYTES", "1000".into())],
        ..Default::default()
    })
    .await;
    let login = app.login_as(501, "bulky").await;
    for (path, size) in [("/api/v1/orders", 1001), ("/api/v1/auth/refresh", 5000)] {
        let reply = app
            .client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&login.access_token)
            .header("content-type", "application/json")
            .body(vec![b' '; size])
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 413, "{path}");
        assert_eq!(
            reply.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
    }
    // At the limit, the body reaches the handler (which finds no JSON in it).
    let reply = app
        .client
        .post(format!("{}/api/v1/auth/refresh", app.address))
        .header("content-type", "application/json")
        .body(vec![b' '; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
}

/// A photo upload may be large only once its token is accepted: without one (or with a bad
/// one) it is 401 before any byte of the body is read, and a body over the JSON limit is never
/// written to disk for a stranger.
#[tokio::test]
async fn an_upload_without_a_valid_token_is_401_before_its_body_is_read() {
    let app = spawn_app().await;
    let multipart = "multipart/form-data; boundary=x";
    for (path, token) in [
        ("/api/v1/spaces", None),
        ("/api/v1/spaces/1/images", Some("Bearer not-a-jwt")),
        ("/api/v1/spaces/1/reviews", Some("Basic dXNlcjpwYXNz")),
    ] {
        let mut headers = vec![("content-type", multipart)];
        if let Some(token) = token {
            headers.push(("authorization", token));
        }
        let seen = stream_body(&app.address, path, Protocol::Http2, 200, &headers).await;
        assert_eq!(seen.status, 401, "{path}");
        assert!(
            seen.pulled <= 16 * CHUNK,
            "{path}: the server pulled {} MiB",
            seen.pulled / CHUNK
        );
    }
}

/// With a valid token the upload limit applies, counted as the parts arrive.
#[tokio::test]
async fn an_upload_over_its_limit_is_413_as_it_arrives() {
    let app = spawn_app_with(TestAppOptions {
        vars: vec![("MAX_UPLOAD_BODY_BYTES", (3 * CHUNK).to_string())],
        ..Default::default()
    })
    .await;
    let login = app.login_as(502, "uploader").await;
    let bearer = format!("Bearer {}", login.access_token);
    let seen = stream_body(
        &app.address,
        "/api/v1/spaces",
        Protocol::Http2,
        200,
        &[
            ("content-type", "multipart/form-data; boundary=x"),
            ("authorization", &bearer),
        ],
    )
    .await;
    assert_eq!(seen.status, 413);
    assert!(
        seen.pulled <= 20 * CHUNK,
        "pulled {} MiB",
        seen.pulled / CHUNK
    );
    let spaces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spaces")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(spaces, 0, "nothing was created");
}
