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

/// How the access token is sent: `Authorization: Bearer <access_token>`.
#[derive(poem_openapi::Enum)]
enum TokenType {
    Bearer,
}

/// A fresh token pair. Send `access_token` as `Authorization: Bearer …`; trade `refresh_token`
/// for a new pair at `/auth/refresh` before it expires (each refresh token works once).
#[derive(Object)]
struct TokenPair {
    access_token: String,
    refresh_token: String,
    token_type: TokenType,
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
            token_type: TokenType::Bearer,
            expires_in: session.expires_in,
            user: session.user.into(),
            created: session.created,
        }
    }
}

error_responses!(
    /// Errors of signing in with a Kakao access token.
    LoginError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`invalid_kakao_token`: Kakao does not accept the token (or it was issued to another app).",
        Forbidden = 403 "`account_deleted`: the account was deleted.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: `access_token` is missing or empty.",
        TooManyRequests = 429 "`rate_limited`: over this client address's sign-in budget; see `Retry-After`.",
        BadGateway = 502 "`kakao_unavailable`: Kakao failed, was too slow or answered garbage.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of starting the authorization-code flow.
    AuthorizeError {
        Unavailable = 503 "`queue_unavailable`: Redis, which keeps the login's `state`, cannot be reached.",
    }
);

error_responses!(
    /// Errors of finishing the authorization-code flow.
    CallbackError {
        BadRequest = 400 "`invalid_state`: the `state` is unknown, expired, used, or was started in another browser; `malformed_request`: `code` or `state` is missing.",
        Unauthorized = 401 "`invalid_kakao_code`: Kakao does not accept the code; `invalid_kakao_token`: nor the token it gave for it.",
        Forbidden = 403 "`account_deleted`: the account was deleted.",
        TooManyRequests = 429 "`rate_limited`: over this client address's sign-in budget; see `Retry-After`.",
        BadGateway = 502 "`kakao_unavailable`: Kakao failed, was too slow or answered garbage.",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`.",
    }
);

error_responses!(
    /// Errors of refreshing tokens.
    RefreshTokensError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`invalid_refresh_token`: unknown, expired or revoked; `refresh_token_reused`: already used (the login is ended).",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: `refresh_token` is missing or empty.",
        TooManyRequests = 429 "`rate_limited`: over this client address's sign-in budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of signing out.
    LogoutError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or a field has the wrong type.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: `refresh_token` is missing or empty.",
        Unavailable = 503 "`database_unavailable`.",
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
    ) -> Result<TokenResponse, Problem> {
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
        // Kakao's nickname is the host's name on their spaces.
        if !session.created {
            state.catalogue_changed().await;
        }
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
    /// Sign in with a Kakao access token.
    ///
    /// For a frontend that already holds a Kakao access token (Kakao JavaScript or mobile SDK).
    /// Creates the user on first login.
    #[oai(path = "/kakao", method = "post", operation_id = "loginWithKakaoToken")]
    async fn kakao_token(
        &self,
        state: Data<&AppState>,
        body: JsonBody<KakaoLogin>,
    ) -> Result<TokenResponse, LoginError> {
        let kakao_token = required("access_token", &body.access_token)?;
        Ok(Self::sign_in_with_kakao_token(&state, kakao_token).await?)
    }

    /// Start signing in through Kakao's consent page.
    ///
    /// The server-side authorization-code flow: redirects the browser to Kakao's consent page
    /// with a single-use `state` that expires after 10 minutes.
    #[oai(
        path = "/kakao/authorize",
        method = "get",
        operation_id = "startKakaoLogin"
    )]
    async fn kakao_authorize(
        &self,
        state: Data<&AppState>,
    ) -> Result<AuthorizeResponse, AuthorizeError> {
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

    /// Finish signing in through Kakao's consent page.
    ///
    /// Where Kakao sends the browser back: checks `state` (once, and only from the browser that
    /// started the login: its `sc_kakao_state` cookie), exchanges `code` and signs in.
    #[oai(
        path = "/kakao/callback",
        method = "get",
        operation_id = "finishKakaoLogin"
    )]
    async fn kakao_callback(
        &self,
        state: Data<&AppState>,
        /// The authorization code Kakao added to the redirect.
        code: Query<String>,
        /// The `state` the login was started with.
        #[oai(name = "state")]
        oauth_state: Query<String>,
        req: &poem::Request,
    ) -> Result<TokenResponse, CallbackError> {
        let invalid_state = || {
            Problem::new(
                poem::http::StatusCode::BAD_REQUEST,
                crate::error::ProblemCode::InvalidState,
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
        Ok(Self::sign_in_with_kakao_token(&state, &kakao_token).await?)
    }

    /// Trade a refresh token for a new token pair.
    ///
    /// Each refresh token works once; presenting a used one again revokes every token of that
    /// login.
    #[oai(path = "/refresh", method = "post", operation_id = "refreshTokens")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<TokenResponse, RefreshTokensError> {
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

    /// Sign out.
    ///
    /// Revokes the refresh token and every token of its login, access tokens included.
    /// Idempotent: an unknown or already revoked token is also answered 204.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<LogoutResponse, LogoutError> {
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
