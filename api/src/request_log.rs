//! One log line per request. Only the path is logged, never the query string or headers: the
//! login callback carries Kakao's authorization code in its query and every protected call a
//! bearer token in its headers.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response, Result};
use tracing::Instrument;

pub async fn log_request<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let method = req.method().clone();
    let span = tracing::info_span!(
        "http.request",
        http.method = %req.method(),
        http.path = %req.uri().path(),
    );
    async move {
        let started = Instant::now();
        let result = next.call(req).await.map(IntoResponse::into_response);
        let status = match &result {
            Ok(response) => response.status(),
            Err(err) => err.status(),
        };
        let elapsed = started.elapsed();
        tracing::info!(
            http.status = status.as_u16(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
        // Labelled by method and status class only: raw paths would make one series per id,
        // and so would any method a client invents.
        let labels = [
            ("method", method_label(&method).to_owned()),
            ("status", format!("{}xx", status.as_u16() / 100)),
        ];
        metrics::counter!("http_requests_total", &labels).increment(1);
        metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
        result
    }
    .instrument(span)
    .await
}

/// The method as a metric label: the standard ones by name, anything else as `other`.
fn method_label(method: &poem::http::Method) -> &'static str {
    use poem::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use poem::http::Method;

    use super::method_label;

    #[test]
    fn invented_methods_share_one_label() {
        for invented in ["FOO", "BREW", "X-ANYTHING-1234"] {
            let method = Method::from_bytes(invented.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other");
        }
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
