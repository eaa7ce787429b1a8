//! Budgets of requests per minute, kept in Redis so that every API process spends from the same
//! one. A fixed one-minute window per subject: one `INCR` (and an `EXPIRE` on the window's first
//! request) in a single round trip. At a window's edge a client can spend up to twice its budget
//! within a few seconds; for abuse limits of this size that is an acceptable price for one
//! command per request.

use std::time::Duration;

use redis::aio::ConnectionManager;

/// What a budget is spent on; each has its own per-minute allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Kakao sign-in and token refresh, per client address.
    SignIn,
    /// Placing orders and paying for them, per user.
    Booking,
    /// Photo uploads (new spaces, photos, reviews), per user.
    Uploads,
}

impl Budget {
    /// Its name in Redis keys and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Booking => "booking",
            Self::Uploads => "uploads",
        }
    }
}

/// The allowances, from `RATE_LIMIT_*_PER_MINUTE` (0 turns a budget off).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub sign_in_per_minute: u32,
    pub booking_per_minute: u32,
    pub uploads_per_minute: u32,
}

impl RateLimits {
    fn allowance(&self, budget: Budget) -> u32 {
        match budget {
            Budget::SignIn => self.sign_in_per_minute,
            Budget::Booking => self.booking_per_minute,
            Budget::Uploads => self.uploads_per_minute,
        }
    }
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over budget: try again after this long (the rest of the window, at least one second).
    Limited {
        retry_after: Duration,
    },
}

const WINDOW_SECONDS: u64 = 60;

/// Spends one request of `subject`'s `budget` (a user id or a client address) at `now_unix`
/// seconds. Redis being unreachable is not the client's fault: the request is allowed and the
/// caller logs it (availability over strictness for an abuse limit).
pub async fn spend(
    redis: &mut ConnectionManager,
    prefix: &str,
    limits: &RateLimits,
    budget: Budget,
    subject: &str,
    now_unix: u64,
) -> Result<Verdict, redis::RedisError> {
    let allowance = limits.allowance(budget);
    if allowance == 0 {
        return Ok(Verdict::Allowed);
    }
    let window = now_unix / WINDOW_SECONDS;
    let key = format!("{prefix}:rate:{}:{subject}:{window}", budget.as_str());
    let (count,): (u64,) = redis::pipe()
        .atomic()
        .incr(&key, 1)
        // Refreshing the expiry on every request is harmless: the key dies with its window.
        .expire(&key, (WINDOW_SECONDS * 2) as i64)
        .ignore()
        .query_async(redis)
        .await?;
    if count <= u64::from(allowance) {
        return Ok(Verdict::Allowed);
    }
    let rest_of_window = (window + 1) * WINDOW_SECONDS - now_unix;
    Ok(Verdict::Limited {
        retry_after: Duration::from_secs(rest_of_window.max(1)),
    })
}
