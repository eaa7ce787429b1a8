//! Signing in with Kakao (token flow and authorization-code flow), refreshing and logging out.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Query,
    payload::{Json, PlainText},
};
use rand::RngCore;
use redis::AsyncCommands;
use spacecloud_common::{
    auth::sessions::{self, Session},
    db::refresh_tokens,
    error::AppError,
};

use super::json_body::JsonBody;
use super::{ApiTags, me::Me};
use crate::{error::Problem, error_responses, state::AppState};

pub struct AuthApi;

/// How long the `state` of an authorization-code login stays valid.
const OAUTH_STATE_TTL_SECONDS: u64 = 600;

#[derive(Object)]
struct KakaoLogin {
    /// Required: the access token the frontend received from Kakao's SDK. (Declared optional
    /// so that a missing value is answered 422 naming the field, like other validation errors.)
    access_token: Option<String>,
}

#[derive(Object)]
struct RefreshRequest {
    /// Required. (Declared optional so that a missing value is answered 422 naming the field.)
    refresh_token: Option<String>,
}

/// A fresh token pair. Send `access_token` as `Authorization: Bearer …`; trade `refresh_token`
/// for a new pair at `/auth/refresh` before it expires (each refresh token works once).
#[derive(Object)]
struct TokenPair {
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds until `access_token` expires.
    expires_in: i64,
    user: Me,
    /// True on the user's first login.
    created: bool,
}

impl From<Session> for TokenPair {
    fn from(session: Session) -> Self {
        Self {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
            token_type: "Bearer".into(),
            expires_in: session.expires_in,
            user: session.user.into(),
            created: session.created,
        }
    }
}

error_responses!(
    /// Errors of signing in with Kakao.
    LoginError {
        Unauthorized = 401 "Kakao refused the token or code (`invalid_kakao_token`, `invalid_kakao_code`).",
        Forbidden = 403 "The account was deleted (`account_deleted`).",
        Unprocessable = 422 "A required field is missing or empty.",
        TooManyRequests = 429 "Over this client address's sign-in budget (`rate_limited`); see `Retry-After`.",
        BadGateway = 502 "Kakao failed, was too slow or answered garbage (`kakao_unavailable`).",
        TooLarge = 413 "The JSON body is over 64 KiB (`payload_too_large`).",
        Unsupported = 415 "The body is not `application/json` (`unsupported_media_type`).",
        Unavailable = 503 "Our database or Redis is unavailable.",
    }
);

error_responses!(
    /// Errors of the token endpoints.
    TokenError {
        Unauthorized = 401 "The refresh token is unknown, expired, revoked or reused.",
        Unprocessable = 422 "A required field is missing or empty.",
        TooManyRequests = 429 "Refresh: over this client address's sign-in budget (`rate_limited`); see `Retry-After`.",
        TooLarge = 413 "The JSON body is over 64 KiB (`payload_too_large`).",
        Unsupported = 415 "The body is not `application/json` (`unsupported_media_type`).",
        Unavailable = 503 "Our database is unavailable.",
    }
);

/// A token pair, never to be kept by a cache or a proxy.
#[derive(ApiResponse)]
enum TokenResponse {
    /// The token pair (`Cache-Control: no-store`).
    #[oai(status = 200)]
    Issued(
        Json<TokenPair>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Pragma")] String,
    ),
}

impl From<Session> for TokenResponse {
    fn from(session: Session) -> Self {
        Self::Issued(
            Json(session.into()),
            "no-store".to_owned(),
            "no-cache".to_owned(),
        )
    }
}

#[derive(ApiResponse)]
enum AuthorizeResponse {
    /// Redirect to Kakao's consent page.
    #[oai(status = 302)]
    Redirect(
        PlainText<String>,
        #[oai(header = "Location")] String,
        #[oai(header = "Cache-Control")] String,
        /// Binds the login's `state` to this browser; `/callback` requires it.
        #[oai(header = "Set-Cookie")]
        String,
    ),
}

/// The cookie that binds an authorization-code login to the browser that started it: a page
/// of another site cannot make a victim's browser finish a login the attacker started (login
/// CSRF), because the victim's browser lacks the attacker's cookie.
const LOGIN_COOKIE: &str = "sc_kakao_state";

fn login_cookie(state: &str, secure: bool) -> String {
    // Lax, not Strict: Kakao sends the browser back with a top-level GET from its own site.
    let mut cookie = format!(
        "{LOGIN_COOKIE}={state}; Max-Age={OAUTH_STATE_TTL_SECONDS}; Path=/api/v1/auth/kakao; \
         HttpOnly; SameSite=Lax"
    );
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The value of the login cookie in a request's `Cookie` headers.
fn login_cookie_of(req: &poem::Request) -> Option<&str> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOGIN_COOKIE)
        .map(|(_, value)| value)
}

#[derive(ApiResponse)]
enum LogoutResponse {
    /// The refresh token and every token of its login are revoked.
    #[oai(status = 204)]
    LoggedOut,
}

fn required<'v>(field: &str, value: &'v Option<String>) -> Result<&'v str, AppError> {
    match value.as_deref().map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(AppError::invalid(
            field,
            "is required and must not be empty",
        )),
    }
}

impl AuthApi {
    async fn sign_in_with_kakao_token(
        state: &AppState,
        kakao_token: &str,
    ) -> Result<TokenResponse, LoginError> {
        let profile = state
            .kakao
            .user_info(kakao_token)
            .await
            .map_err(Problem::from)?;
        let session = sessions::sign_in(
            &state.pool,
            &state.session_policy(),
            &profile,
            state.clock.now(),
        )
        .await
        .map_err(Problem::from)?;
        tracing::info!(
            user.id = session.user.id,
            user.created = session.created,
            "signed in"
        );
        Ok(session.into())
    }
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign in with a Kakao access token the frontend already holds (Kakao JavaScript or mobile
    /// SDK). Creates the user on first login.
    #[oai(path = "/kakao", method = "post", operation_id = "loginWithKakaoToken")]
    async fn kakao_token(
        &self,
        state: Data<&AppState>,
        body: JsonBody<KakaoLogin>,
    ) -> Result<TokenResponse, LoginError> {
        let kakao_token = required("access_token", &body.access_token)?;
        Self::sign_in_with_kakao_token(&state, kakao_token).await
    }

    /// Start the server-side authorization-code flow: redirects the browser to Kakao's consent
    /// page with a single-use `state` that expires after 10 minutes.
    #[oai(
        path = "/kakao/authorize",
        method = "get",
        operation_id = "startKakaoLogin"
    )]
    async fn kakao_authorize(
        &self,
        state: Data<&AppState>,
    ) -> Result<AuthorizeResponse, LoginError> {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        let oauth_state = bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut redis = state.jobs.connection().await?;
        let _: () = redis
            .set_ex(
                oauth_state_key(state.jobs.prefix(), &oauth_state),
                1,
                OAUTH_STATE_TTL_SECONDS,
            )
            .await
            .map_err(AppError::from)?;
        let location = state.kakao.authorize_url(&oauth_state);
        let secure = state.settings.kakao.redirect_uri.starts_with("https://");
        Ok(AuthorizeResponse::Redirect(
            PlainText(format!("Redirecting to {location}")),
            location,
            "no-store".into(),
            login_cookie(&oauth_state, secure),
        ))
    }

    /// Where Kakao sends the browser back: checks `state` (once, and only from the browser
    /// that started the login: its `sc_kakao_state` cookie), exchanges `code` and signs in.
    #[oai(
        path = "/kakao/callback",
        method = "get",
        operation_id = "finishKakaoLogin"
    )]
    async fn kakao_callback(
        &self,
        state: Data<&AppState>,
        code: Query<String>,
        #[oai(name = "state")] oauth_state: Query<String>,
        req: &poem::Request,
    ) -> Result<TokenResponse, LoginError> {
        let invalid_state = || {
            Problem::new(
                poem::http::StatusCode::BAD_REQUEST,
                "invalid_state",
                "the login `state` is unknown, expired, already used or was started in another \
                 browser; start the login again",
            )
        };
        if login_cookie_of(req) != Some(oauth_state.as_str()) {
            return Err(invalid_state().into());
        }
        let mut redis = state.jobs.connection().await?;
        let known: Option<i64> = redis
            .get_del(oauth_state_key(state.jobs.prefix(), &oauth_state))
            .await
            .map_err(AppError::from)?;
        if known.is_none() {
            return Err(invalid_state().into());
        }
        let kakao_token = state
            .kakao
            .exchange_code(&code)
            .await
            .map_err(Problem::from)?;
        Self::sign_in_with_kakao_token(&state, &kakao_token).await
    }

    /// Trade a refresh token for a new pair. Each refresh token works once; presenting a used
    /// one again revokes every token of that login.
    #[oai(path = "/refresh", method = "post", operation_id = "refreshTokens")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<TokenResponse, TokenError> {
        let presented = required("refresh_token", &body.refresh_token)?;
        let session = sessions::refresh(
            &state.pool,
            &state.session_policy(),
            presented,
            state.clock.now(),
        )
        .await
        .map_err(Problem::from)?;
        Ok(session.into())
    }

    /// Revoke a refresh token and every token of its login. Idempotent.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<LogoutResponse, TokenError> {
        let presented = required("refresh_token", &body.refresh_token)?;
        let mut conn = state.pool.acquire().await?;
        refresh_tokens::revoke(&mut conn, presented, state.clock.now()).await?;
        Ok(LogoutResponse::LoggedOut)
    }
}

/// Under `QUEUE_PREFIX` like every key of this deployment, so two deployments sharing a Redis
/// (or two test runs) never see each other's logins.
fn oauth_state_key(prefix: &str, state: &str) -> String {
    format!("{prefix}:oauth_state:{state}")
}
