//! The one authentication guard of protected operations: a bearer access JWT whose user still
//! exists. Declared as the `bearer` security scheme so the spec and Swagger UI's Authorize
//! button know about it.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use spacecloud_common::{
    auth::TokenError,
    db::users::{self, UserRow},
};

use crate::{error::Problem, state::AppState};

/// The access token (JWT) returned by `/api/v1/auth/kakao`, the Kakao callback or
/// `/api/v1/auth/refresh`. Locally, `spacecloud-api token` prints one for a demo user.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearer",
    ty = "bearer",
    bearer_format = "JWT",
    checker = "authenticate"
)]
pub struct BearerAuth(pub UserRow);

impl BearerAuth {
    pub fn user_id(&self) -> u64 {
        self.0.id
    }
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<UserRow> {
    let state = req
        .data::<AppState>()
        .expect("the application state is attached to every request");
    let claims = state.jwt.verify(&bearer.token).map_err(|err| {
        let (code, detail) = match err {
            TokenError::Expired => (
                crate::error::ProblemCode::TokenExpired,
                "the access token has expired",
            ),
            TokenError::Invalid => (
                crate::error::ProblemCode::InvalidToken,
                "the access token is not valid",
            ),
        };
        unauthorized(code, detail)
    })?;
    let (Some(user_id), Some(session)) = (claims.user_id(), claims.session()) else {
        return Err(unauthorized(
            crate::error::ProblemCode::InvalidToken,
            "the access token is not valid",
        ));
    };
    let unavailable = |err: sqlx::Error| {
        let problem = Problem::from(spacecloud_common::error::AppError::from(err));
        poem::Error::from_response(problem.into_http_response())
    };
    let mut conn = state.pool.acquire().await.map_err(unavailable)?;
    match users::bearer(&mut conn, user_id, session).await {
        Ok(users::Bearer::Active(user)) => Ok(user),
        // A logout, or a stolen refresh token used twice, ends the login's access tokens at
        // once rather than when they expire.
        Ok(users::Bearer::LoginEnded) => Err(unauthorized(
            crate::error::ProblemCode::TokenRevoked,
            "the login of this access token was ended; sign in again",
        )),
        Ok(users::Bearer::Gone) => Err(unauthorized(
            crate::error::ProblemCode::InvalidToken,
            "the access token's user no longer exists",
        )),
        Err(err) => Err(poem::Error::from_response(
            Problem::from(err).into_http_response(),
        )),
    }
}

/// The claims of the request's bearer token, checked by signature and expiry only (no
/// database): what the middlewares that act before the handler (body limits, rate limits) may
/// know about the caller. `None` when no bearer token is sent.
pub(crate) fn bearer_claims(
    req: &Request,
    state: &AppState,
) -> Option<Result<spacecloud_common::auth::AccessClaims, TokenError>> {
    let token = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    Some(state.jwt.verify(token))
}

pub(crate) fn unauthorized(code: crate::error::ProblemCode, detail: &str) -> poem::Error {
    let problem = Problem::new(poem::http::StatusCode::UNAUTHORIZED, code, detail);
    let mut response = problem.into_http_response();
    response.headers_mut().insert(
        poem::http::header::WWW_AUTHENTICATE,
        poem::http::HeaderValue::from_static("Bearer"),
    );
    poem::Error::from_response(response)
}

/// Optional authentication for public routes that say more to a signed-in caller. A missing
/// or invalid token makes the caller anonymous rather than failing the request.
#[derive(SecurityScheme)]
pub enum MaybeAuth {
    Bearer(BearerAuth),
    #[oai(fallback)]
    Anonymous,
}

impl MaybeAuth {
    pub fn user_id(&self) -> Option<u64> {
        match self {
            Self::Bearer(auth) => Some(auth.user_id()),
            Self::Anonymous => None,
        }
    }
}
