use std::{sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    Endpoint, EndpointExt, Route, Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};
use secrecy::ExposeSecret;
use spacecloud_common::{
    auth::{JwtKeys, KakaoClient},
    booking::{BookingPolicy, payment::PointsProvider},
    clock::BusinessClock,
    config::Settings,
    db,
    jobs::JobQueues,
};

use crate::{
    body_limit::BodyLimit, error::problem_response, request_log::log_request, routes,
    state::AppState,
};

/// The API server, bound and migrated, ready to run. Tests build it on port 0.
pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects to MySQL and Redis, creates the database if needed, applies pending migrations
    /// and binds the listening socket.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = build_state(settings)?;
        db::prepare(&state.settings, &state.pool)
            .await
            .context("preparing the database (create, migrate)")?;
        let catalogue = Arc::new(
            crate::catalogue::Catalogue::load(
                &state.pool,
                &state.clock,
                state.settings.catalogue_max_spaces,
            )
            .await
            .context("loading the catalogue")?,
        );
        catalogue.clone().follow(
            state.settings.redis_url.expose_secret().to_owned(),
            state.catalogue_channel(),
            Duration::from_millis(state.settings.catalogue_poll_ms),
        );
        let _ = state.catalogue.set(catalogue);
        let acceptor = TcpListener::bind(state.settings.bind_addr)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", state.settings.bind_addr))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().map(|a| a.port()))
            .context("reading the bound port")?;
        Ok(Self {
            acceptor,
            port,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish (up to 10 s).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = endpoint(self.state);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await
    }
}

pub fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    let pool = db::pool(&settings).context("DATABASE_URL")?;
    // Fail at start on a malformed URL; the connection itself is made on first use.
    redis::Client::open(settings.redis_url.expose_secret())
        .context("REDIS_URL is not a valid Redis URL")?;
    Ok(AppState {
        pool,
        clock: BusinessClock::new(settings.timezone),
        jwt: JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl_seconds),
        kakao: KakaoClient::new(settings.kakao.clone()),
        jobs: JobQueues::new(&settings),
        booking: BookingPolicy::from_settings(&settings),
        payments: PointsProvider,
        catalogue: Arc::default(),
        settings: Arc::new(settings),
    })
}

/// Browsers of the configured origins may call the API with a bearer token (no cookies).
fn cors(origins: &[String]) -> poem::middleware::Cors {
    use poem::http::{Method, header};
    poem::middleware::Cors::new()
        .allow_origins(origins.iter().map(String::as_str))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::RETRY_AFTER, header::LOCATION])
        .max_age(600)
}

/// The whole HTTP surface: the documented API, its spec and Swagger UI.
pub fn endpoint(state: AppState) -> impl Endpoint + use<> {
    crate::metrics::handle();
    let api = routes::api_service();
    let docs = api.swagger_ui();
    let document = routes::spec_json();
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json")
            .body(document.clone())
    });
    let body_limit = BodyLimit::new(
        state.settings.max_json_body_bytes,
        state.settings.max_upload_body_bytes,
    );
    let mut route = Route::new().at("/openapi.json", spec).nest("/docs", docs);
    if let spacecloud_common::config::StorageSettings::Local { dir } = &state.settings.storage {
        // Local storage is served by the API itself; with S3 a CDN or the bucket serves it.
        route = route.nest("/media", poem::endpoint::StaticFilesEndpoint::new(dir));
    }
    let cors = cors(&state.settings.cors_allowed_origins);
    let allowed_origins: std::collections::HashSet<String> = state
        .settings
        .cors_allowed_origins
        .iter()
        .cloned()
        .collect();
    route
        .nest("/", api)
        .with(body_limit)
        .with(crate::rate_limit::RateLimit)
        .data(state)
        .with(cors)
        // poem's Cors answers 403 to an origin it does not know; ours serve such a request as
        // any other, without CORS headers, so the browser (not we) keeps the page out.
        .around(move |next, mut req| {
            let known = req
                .headers()
                .get(poem::http::header::ORIGIN)
                .and_then(|origin| origin.to_str().ok())
                .is_none_or(|origin| allowed_origins.contains(origin));
            if !known {
                req.headers_mut().remove(poem::http::header::ORIGIN);
            }
            async move { next.call(req).await }
        })
        .around(log_request)
        .catch_all_error(|err| async move { problem_response(err) })
}
