//! A local HTTP server that answers like Kakao's user-info and token endpoints. Tests register
//! the tokens and codes it knows; a few fixed tokens make it misbehave. Run as its own process
//! (`kakao-stub`, for the SDK and browser tests), it also takes registrations over HTTP:
//! `PUT /_stub/tokens/{token}` with `{"id": …, "nickname": …, "email": …}`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use poem::{
    EndpointExt, Response, Route, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::{Data, Form},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Answers with a 500.
pub const FAILING_TOKEN: &str = "kakao-fails";
/// Answers after longer than the API's configured Kakao timeout.
pub const SLOW_TOKEN: &str = "kakao-is-slow";
/// Answers 200 with a body that is not JSON.
pub const GARBAGE_TOKEN: &str = "kakao-garbage";
/// The Kakao app the stub's tokens belong to unless a test says otherwise.
pub const STUB_APP_ID: u64 = 1_100_001;
/// How long the slow token makes the stub wait.
pub const SLOW_DELAY: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, Deserialize)]
pub struct KakaoUser {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
}

#[derive(Default)]
struct Registry {
    tokens: HashMap<String, KakaoUser>,
    /// The app a token was issued to, when not [`STUB_APP_ID`].
    apps: HashMap<String, u64>,
    codes: HashMap<String, String>,
    user_info_calls: usize,
}

#[derive(Clone)]
pub struct KakaoStub {
    pub base_url: String,
    registry: Arc<Mutex<Registry>>,
}

impl KakaoStub {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0", false).await
    }

    /// Listens on `address`; with `registration`, tokens can also be registered over HTTP.
    pub async fn start_on(address: &str, registration: bool) -> Self {
        let registry = Arc::new(Mutex::new(Registry::default()));
        let acceptor = TcpListener::bind(address.to_owned())
            .into_acceptor()
            .await
            .expect("binding the Kakao stub");
        let port = acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address")
            .port();
        let mut app = Route::new()
            .at("/v2/user/me", poem::get(user_me))
            .at("/v1/user/access_token_info", poem::get(token_info))
            .at("/oauth/token", poem::post(token_exchange));
        if registration {
            app = app.at("/_stub/tokens/:token", poem::put(register_token));
        }
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app.data(registry.clone())));
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            registry,
        }
    }

    /// Makes `token` valid for `user`, replacing what it meant before.
    pub fn accept_token(&self, token: &str, user: KakaoUser) {
        self.registry
            .lock()
            .unwrap()
            .tokens
            .insert(token.to_owned(), user);
    }

    /// Makes `token` valid for `user` but issued to another Kakao app, `app_id`.
    pub fn accept_token_of_app(&self, token: &str, user: KakaoUser, app_id: u64) {
        let mut registry = self.registry.lock().unwrap();
        registry.tokens.insert(token.to_owned(), user);
        registry.apps.insert(token.to_owned(), app_id);
    }

    /// Makes `code` exchangeable (once) for `token`.
    pub fn accept_code(&self, code: &str, token: &str) {
        self.registry
            .lock()
            .unwrap()
            .codes
            .insert(code.to_owned(), token.to_owned());
    }

    pub fn user_info_calls(&self) -> usize {
        self.registry.lock().unwrap().user_info_calls
    }
}

/// Makes a token valid for the user in the body (the standalone stub's registration).
#[handler]
async fn register_token(
    poem::web::Path(token): poem::web::Path<String>,
    poem::web::Json(user): poem::web::Json<KakaoUser>,
    registry: Data<&Arc<Mutex<Registry>>>,
) -> StatusCode {
    registry.lock().unwrap().tokens.insert(token, user);
    StatusCode::NO_CONTENT
}

/// Kakao's token introspection: the user and the app a token was issued to.
#[handler]
async fn token_info(req: &poem::Request, registry: Data<&Arc<Mutex<Registry>>>) -> Response {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let registry = registry.lock().unwrap();
    match registry.tokens.get(token) {
        Some(user) => json_response(
            StatusCode::OK,
            json!({
                "id": user.id,
                "expires_in": 7199,
                "app_id": registry.apps.get(token).copied().unwrap_or(STUB_APP_ID),
            }),
        ),
        None => json_response(
            StatusCode::UNAUTHORIZED,
            json!({"msg": "this access token does not exist", "code": -401}),
        ),
    }
}

#[handler]
async fn user_me(req: &poem::Request, registry: Data<&Arc<Mutex<Registry>>>) -> Response {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    match token.as_str() {
        FAILING_TOKEN => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"msg": "internal error", "code": -1}),
            );
        }
        SLOW_TOKEN => tokio::time::sleep(SLOW_DELAY).await,
        GARBAGE_TOKEN => {
            return Response::builder()
                .status(StatusCode::OK)
                .content_type("application/json")
                .body("<html>not json</html>");
        }
        _ => {}
    }
    let user = {
        let mut registry = registry.lock().unwrap();
        registry.user_info_calls += 1;
        registry.tokens.get(&token).cloned()
    };
    match user {
        Some(user) => {
            let mut account = json!({
                "profile_nickname_needs_agreement": false,
                "profile": {
                    "nickname": user.nickname,
                    "thumbnail_image_url": "http://k.kakaocdn.net/thumb.jpg",
                    "profile_image_url": "http://k.kakaocdn.net/profile.jpg",
                    "is_default_image": false
                },
                "has_email": user.email.is_some(),
                "email_needs_agreement": user.email.is_none(),
            });
            if let Some(email) = user.email {
                account["email"] = Value::String(email);
                account["is_email_valid"] = Value::Bool(true);
                account["is_email_verified"] = Value::Bool(true);
            }
            json_response(
                StatusCode::OK,
                json!({
                    "id": user.id,
                    "connected_at": "2026-11-01T09:00:00Z",
                    "properties": {
                        "nickname": user.nickname,
                        "profile_image": "http://k.kakaocdn.net/profile.jpg",
                        "thumbnail_image": "http://k.kakaocdn.net/thumb.jpg"
                    },
                    "kakao_account": account
                }),
            )
        }
        None => json_response(
            StatusCode::UNAUTHORIZED,
            json!({"msg": "this access token does not exist", "code": -401}),
        ),
    }
}

#[handler]
async fn token_exchange(
    Form(form): Form<HashMap<String, String>>,
    registry: Data<&Arc<Mutex<Registry>>>,
) -> Response {
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type", "error_code": "KOE004"}),
        );
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let token = registry.lock().unwrap().codes.remove(&code);
    match token {
        Some(token) => json_response(
            StatusCode::OK,
            json!({
                "token_type": "bearer",
                "access_token": token,
                "expires_in": 43199,
                "refresh_token": "kakao-refresh",
                "refresh_token_expires_in": 5183999
            }),
        ),
        None => json_response(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "invalid_grant",
                "error_description": format!("authorization code not found for code={code}"),
                "error_code": "KOE320"
            }),
        ),
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json;charset=UTF-8")
        .body(body.to_string())
}
