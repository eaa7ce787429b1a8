//! Bounds every request body as its bytes arrive, over HTTP/1.1 and HTTP/2 alike, with or
//! without a declared length: nothing is buffered here, the body stream itself stops at the
//! limit and the request is answered 413.
//!
//! Every body may be at most `MAX_JSON_BODY_BYTES`. Only the photo uploads may send up to
//! `MAX_UPLOAD_BODY_BYTES`, and only with an access token that verifies: a stranger cannot make
//! the server write 100 MiB to disk before it is told who they are.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use futures_util::StreamExt;
use poem::{
    Body, Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{Method, StatusCode, header},
};

use crate::{error::Problem, state::AppState};

pub struct BodyLimit {
    json_bytes: usize,
    upload_bytes: usize,
}

impl BodyLimit {
    pub fn new(json_bytes: usize, upload_bytes: usize) -> Self {
        Self {
            json_bytes,
            upload_bytes,
        }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            json_bytes: self.json_bytes,
            upload_bytes: self.upload_bytes,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    json_bytes: usize,
    upload_bytes: usize,
}

/// The routes that take photos (multipart): creating a space, adding photos, reviewing.
pub(crate) fn is_upload_route(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    let Some(rest) = path.strip_prefix("/api/v1/spaces") else {
        return false;
    };
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return false;
    };
    let mut segments = rest.split('/');
    matches!(
        (segments.next(), segments.next(), segments.next()),
        (Some(id), Some("images" | "reviews"), None) if !id.is_empty()
    )
}

fn too_large(limit: usize) -> poem::Error {
    let problem = Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        crate::error::ProblemCode::PayloadTooLarge,
        format!("the request body is larger than this route accepts ({limit} bytes)"),
    );
    poem::Error::from_response(problem.into_http_response())
}

impl<E: Endpoint> BodyLimitEndpoint<E> {
    /// The largest body this request may send; an upload without a valid token is refused
    /// before any of its body is read.
    fn limit_for(&self, req: &Request) -> Result<usize> {
        if !is_upload_route(req.method(), req.uri().path()) {
            return Ok(self.json_bytes);
        }
        let state = req
            .data::<AppState>()
            .expect("the application state is attached to every request");
        match crate::auth::bearer_claims(req, state) {
            Some(Ok(_)) => Ok(self.upload_bytes),
            Some(Err(spacecloud_common::auth::TokenError::Expired)) => {
                Err(crate::auth::unauthorized(
                    crate::error::ProblemCode::TokenExpired,
                    "the access token has expired",
                ))
            }
            _ => Err(crate::auth::unauthorized(
                crate::error::ProblemCode::InvalidToken,
                "an upload needs a valid access token",
            )),
        }
    }
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let limit = self.limit_for(&req)?;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(too_large(limit));
        }
        // Counted chunk by chunk as the handler reads: the chunk that crosses the limit ends
        // the stream with an error, and whatever the handler made of that becomes a 413.
        let exceeded = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicUsize::new(0));
        let stream = req.take_body().into_bytes_stream();
        let flag = exceeded.clone();
        let limited = stream.map(move |chunk| {
            let chunk = chunk?;
            let total = received.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
            if total > limit {
                flag.store(true, Ordering::Relaxed);
                return Err(std::io::Error::other("request body over the limit"));
            }
            Ok(chunk)
        });
        req.set_body(Body::from_bytes_stream(limited));
        let result = self.inner.call(req).await;
        if exceeded.load(Ordering::Relaxed) {
            return Err(too_large(limit));
        }
        result.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_photo_routes_take_uploads() {
        for path in [
            "/api/v1/spaces",
            "/api/v1/spaces/",
            "/api/v1/spaces/7/images",
            "/api/v1/spaces/7/reviews",
        ] {
            assert!(is_upload_route(&Method::POST, path), "{path}");
        }
        for (method, path) in [
            (Method::PATCH, "/api/v1/spaces/7"),
            (Method::POST, "/api/v1/orders"),
            (Method::POST, "/api/v1/auth/refresh"),
            (Method::POST, "/api/v1/spaces/7/images/3"),
            (Method::POST, "/api/v1/spaces7/images"),
            (Method::POST, "/api/v1/spaces//images"),
            (Method::GET, "/api/v1/spaces"),
        ] {
            assert!(!is_upload_route(&method, path), "{method} {path}");
        }
    }
}
