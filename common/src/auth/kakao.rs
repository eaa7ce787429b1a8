//! The two Kakao endpoints we call: user info (with the user's Kakao access token) and the
//! OAuth token exchange of the authorization-code flow. Base URLs come from configuration so
//! tests point them at a local stub.

use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::{config::KakaoSettings, domain::KakaoProfile};

#[derive(Debug, thiserror::Error)]
pub enum KakaoError {
    /// Kakao says the token is not (or no longer) valid.
    #[error("Kakao refused the access token")]
    InvalidToken,
    /// Kakao refused the authorization code (expired, reused, or for another redirect URI).
    #[error("Kakao refused the authorization code")]
    InvalidCode,
    /// Kakao could not be reached, was too slow, failed, or answered something unreadable.
    #[error("Kakao is unavailable: {0}")]
    Unavailable(String),
}

#[derive(Deserialize)]
struct UserInfo {
    id: i64,
    #[serde(default)]
    properties: Option<Properties>,
    #[serde(default)]
    kakao_account: Option<KakaoAccount>,
}

#[derive(Deserialize, Default)]
struct Properties {
    nickname: Option<String>,
    profile_image: Option<String>,
}

#[derive(Deserialize, Default)]
struct KakaoAccount {
    email: Option<String>,
    profile: Option<AccountProfile>,
}

#[derive(Deserialize, Default)]
struct AccountProfile {
    nickname: Option<String>,
    profile_image_url: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

#[derive(Clone)]
pub struct KakaoClient {
    http: reqwest::Client,
    settings: KakaoSettings,
}

impl KakaoClient {
    pub fn new(settings: KakaoSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .connect_timeout(Duration::from_millis(settings.timeout_ms))
            .build()
            .expect("a reqwest client with only timeouts set always builds");
        Self { http, settings }
    }

    /// Kakao's consent page for the authorization-code flow.
    pub fn authorize_url(&self, state: &str) -> String {
        let base = format!("{}/oauth/authorize", self.settings.auth_base);
        reqwest::Url::parse_with_params(
            &base,
            [
                ("response_type", "code"),
                ("client_id", self.settings.client_id.as_str()),
                ("redirect_uri", self.settings.redirect_uri.as_str()),
                ("state", state),
            ],
        )
        .map(String::from)
        .unwrap_or(base)
    }

    pub async fn user_info(&self, access_token: &str) -> Result<KakaoProfile, KakaoError> {
        // Kakao's tokens are printable ASCII; anything else cannot even be sent as a header,
        // and must not read as Kakao being down (a 502 that invites retries).
        if access_token.is_empty() || !access_token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(KakaoError::InvalidToken);
        }
        if let Some(our_app) = self.settings.app_id {
            let issued_to = self.token_app(access_token).await?;
            if issued_to != our_app {
                return Err(KakaoError::InvalidToken);
            }
        }
        let response = self
            .http
            .get(format!("{}/v2/user/me", self.settings.api_base))
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|err| KakaoError::Unavailable(transport_reason(&err)))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(KakaoError::InvalidToken);
        }
        if !status.is_success() {
            return Err(KakaoError::Unavailable(format!(
                "user info answered {status}"
            )));
        }
        let info: UserInfo = response
            .json()
            .await
            .map_err(|_| KakaoError::Unavailable("user info answered unreadable JSON".into()))?;
        let properties = info.properties.unwrap_or_default();
        let account = info.kakao_account.unwrap_or_default();
        let profile = account.profile.unwrap_or_default();
        Ok(KakaoProfile {
            kakao_id: info.id,
            nickname: profile.nickname.or(properties.nickname),
            email: account.email,
            profile_image_url: profile.profile_image_url.or(properties.profile_image),
        })
    }

    /// The Kakao app a token was issued to: a valid token of someone else's app must not sign
    /// in here (it would let that app's operator log in as its users).
    async fn token_app(&self, access_token: &str) -> Result<u64, KakaoError> {
        #[derive(serde::Deserialize)]
        struct TokenInfo {
            app_id: u64,
        }
        let response = self
            .http
            .get(format!(
                "{}/v1/user/access_token_info",
                self.settings.api_base
            ))
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|err| KakaoError::Unavailable(transport_reason(&err)))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::BAD_REQUEST
        {
            return Err(KakaoError::InvalidToken);
        }
        if !status.is_success() {
            return Err(KakaoError::Unavailable(format!(
                "token info answered {status}"
            )));
        }
        let info: TokenInfo = response
            .json()
            .await
            .map_err(|_| KakaoError::Unavailable("token info answered unreadable JSON".into()))?;
        Ok(info.app_id)
    }

    /// Exchanges an authorization code for the user's Kakao access token.
    pub async fn exchange_code(&self, code: &str) -> Result<String, KakaoError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", self.settings.client_id.as_str()),
            ("redirect_uri", self.settings.redirect_uri.as_str()),
            ("code", code),
        ];
        if let Some(secret) = &self.settings.client_secret {
            form.push(("client_secret", secret.expose_secret()));
        }
        let response = self
            .http
            .post(format!("{}/oauth/token", self.settings.auth_base))
            .form(&form)
            .send()
            .await
            .map_err(|err| KakaoError::Unavailable(transport_reason(&err)))?;
        let status = response.status();
        if status == reqwest::StatusCode::BAD_REQUEST || status == reqwest::StatusCode::UNAUTHORIZED
        {
            return Err(KakaoError::InvalidCode);
        }
        if !status.is_success() {
            return Err(KakaoError::Unavailable(format!(
                "token endpoint answered {status}"
            )));
        }
        let answer: TokenAnswer = response.json().await.map_err(|_| {
            KakaoError::Unavailable("token endpoint answered unreadable JSON".into())
        })?;
        Ok(answer.access_token)
    }
}

/// Why a request to Kakao failed, without the URL (reqwest's Display includes it, and with it
/// possibly a query string).
fn transport_reason(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}
