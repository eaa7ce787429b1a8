//! Signing in and out: what a login, a refresh and a logout do to users and refresh tokens,
//! independent of HTTP.

use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use super::{JwtKeys, KakaoProfile};
use crate::{
    db::{
        refresh_tokens::{self, RefreshError},
        users::{self, UserRow},
    },
    error::AppError,
};

/// A signed-in user with a fresh token pair.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub user: UserRow,
    pub created: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("this account was deleted")]
    AccountDeleted,
    #[error(transparent)]
    App(#[from] AppError),
}

pub struct SessionPolicy<'a> {
    pub jwt: &'a JwtKeys,
    pub refresh_ttl: Duration,
    /// How long a just-used refresh token may be presented again without counting as reuse
    /// (`REFRESH_REUSE_GRACE_SECONDS`).
    pub refresh_grace: Duration,
    pub signup_points: i64,
}

pub async fn sign_in(
    pool: &MySqlPool,
    policy: &SessionPolicy<'_>,
    profile: &KakaoProfile,
    now: DateTime<Utc>,
) -> Result<Session, SignInError> {
    let mut conn = pool.acquire().await.map_err(AppError::from)?;
    let signed_in =
        users::sign_in_from_kakao(&mut conn, profile, policy.signup_points, now).await?;
    if signed_in.user.deleted_at.is_some() {
        return Err(SignInError::AccountDeleted);
    }
    let (family, refresh) =
        refresh_tokens::start_family(&mut conn, signed_in.user.id, policy.refresh_ttl, now).await?;
    Ok(Session {
        access_token: policy.jwt.issue(signed_in.user.id, family, now),
        refresh_token: refresh.token,
        expires_in: policy.jwt.ttl_seconds(),
        user: signed_in.user,
        created: signed_in.created,
    })
}

pub async fn refresh(
    pool: &MySqlPool,
    policy: &SessionPolicy<'_>,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<Session, RefreshError> {
    let mut conn = pool.acquire().await?;
    let rotated = refresh_tokens::rotate(
        &mut conn,
        presented,
        policy.refresh_ttl,
        policy.refresh_grace,
        now,
    )
    .await?;
    let user = users::find_active(&mut conn, rotated.user_id)
        .await?
        .ok_or(RefreshError::Invalid)?;
    Ok(Session {
        access_token: policy.jwt.issue(user.id, rotated.family, now),
        refresh_token: rotated.next.token,
        expires_in: policy.jwt.ttl_seconds(),
        user,
        created: false,
    })
}
