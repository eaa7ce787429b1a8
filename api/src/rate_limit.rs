//! Abuse limits before any work is done: sign-in and refresh per client address, booking,
//! payment and uploads per user, from budgets every API process shares in Redis
//! (`common::rate_limit`). Over budget is 429 with `Retry-After`.

use std::net::IpAddr;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};
use spacecloud_common::rate_limit::{self, Budget, Verdict};

use crate::{error::Problem, state::AppState};

pub struct RateLimit;

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RateLimitEndpoint { inner }
    }
}

pub struct RateLimitEndpoint<E> {
    inner: E,
}

/// Which budget a request spends from, if any.
fn budget_of(method: &Method, path: &str) -> Option<Budget> {
    let path = path.trim_end_matches('/');
    match (method, path) {
        (&Method::POST, "/api/v1/auth/kakao" | "/api/v1/auth/refresh")
        | (&Method::GET, "/api/v1/auth/kakao/callback") => Some(Budget::SignIn),
        (&Method::POST, "/api/v1/orders") => Some(Budget::Booking),
        (&Method::POST, _) if is_payment(path) => Some(Budget::Booking),
        _ if crate::body_limit::is_upload_route(method, path) => Some(Budget::Uploads),
        _ => None,
    }
}

fn is_payment(path: &str) -> bool {
    path.strip_prefix("/api/v1/orders/")
        .and_then(|rest| rest.strip_suffix("/payment"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// The client's address: the TCP peer, unless the peer is one of our own proxies, in which case
/// the nearest address in `X-Forwarded-For` that is not one of them (the ones further left are
/// the client's to write and prove nothing).
pub fn client_address(req: &Request, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) if trusted_proxies.contains(&address) => continue,
            Ok(address) => return Some(address),
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// Whose budget: an address for sign-in, the token's user otherwise. A request without a valid
/// token spends nothing here; it is refused with 401 further in.
fn subject(req: &Request, state: &AppState, budget: Budget) -> Option<String> {
    match budget {
        Budget::SignIn => {
            client_address(req, &state.settings.trusted_proxies).map(|address| address.to_string())
        }
        Budget::Booking | Budget::Uploads => crate::auth::bearer_claims(req, state)?
            .ok()?
            .user_id()
            .map(|user_id| format!("user{user_id}")),
    }
}

fn limited(retry_after: std::time::Duration) -> poem::Error {
    let seconds = retry_after.as_secs();
    let problem = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        crate::error::ProblemCode::RateLimited,
        format!("too many requests of this kind; try again in {seconds} s"),
    );
    let mut response = problem.into_http_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    poem::Error::from_response(response)
}

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        if let Some(budget) = budget_of(req.method(), req.uri().path()) {
            let state = req
                .data::<AppState>()
                .expect("the application state is attached to every request");
            if let Some(subject) = subject(&req, state, budget) {
                match spend(state, budget, &subject).await {
                    Ok(Verdict::Allowed) => {}
                    Ok(Verdict::Limited { retry_after }) => {
                        metrics::counter!("http_rate_limited_total", "budget" => budget.as_str())
                            .increment(1);
                        return Err(limited(retry_after));
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "rate limit not checked: Redis unavailable");
                    }
                }
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

async fn spend(
    state: &AppState,
    budget: Budget,
    subject: &str,
) -> Result<Verdict, spacecloud_common::error::AppError> {
    let mut redis = state.jobs.connection().await?;
    let now = state.clock.now().timestamp().max(0) as u64;
    Ok(rate_limit::spend(
        &mut redis,
        &state.settings.jobs.queue_prefix,
        &state.settings.rate_limits,
        budget,
        subject,
        now,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limited_route_spends_from_its_budget() {
        let cases = [
            (Method::POST, "/api/v1/auth/kakao", Some(Budget::SignIn)),
            (Method::POST, "/api/v1/auth/refresh", Some(Budget::SignIn)),
            (
                Method::GET,
                "/api/v1/auth/kakao/callback",
                Some(Budget::SignIn),
            ),
            (Method::POST, "/api/v1/auth/logout", None),
            (Method::POST, "/api/v1/orders", Some(Budget::Booking)),
            (
                Method::POST,
                "/api/v1/orders/12/payment",
                Some(Budget::Booking),
            ),
            (Method::POST, "/api/v1/orders/12/cancel", None),
            (Method::POST, "/api/v1/orders//payment", None),
            (Method::GET, "/api/v1/orders", None),
            (Method::POST, "/api/v1/spaces", Some(Budget::Uploads)),
            (
                Method::POST,
                "/api/v1/spaces/3/reviews",
                Some(Budget::Uploads),
            ),
            (Method::GET, "/api/v1/spaces", None),
        ];
        for (method, path, budget) in cases {
            assert_eq!(budget_of(&method, path), budget, "{method} {path}");
        }
    }
}
