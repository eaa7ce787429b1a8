use std::{
    collections::HashMap,
    sync::atomic::{AtomicUsize, Ordering},
};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use spacecloud_api::{Application, state::AppState};
use spacecloud_common::{
    config::Settings,
    db::{
        orders::{self, NewOrder},
        spaces::{self, NewSpace},
    },
    domain::{BookerInput, Hours, OrderEventCause, OrderStatus, Slot, ValidBooker},
    error::AppError,
};
use sqlx::MySqlPool;

use spacecloud_testkit::{
    database_server, drop_database, forget_redis_keys,
    kakao_stub::{KakaoStub, KakaoUser},
    s3_server::S3Server,
};

pub const TEST_JWT_SECRET: &str = "test-jwt-secret-that-is-long-enough-0123456789";
pub const TEST_KAKAO_CLIENT_SECRET: &str = "test-kakao-client-secret-abcdef";

/// A signed-in user's tokens.
#[derive(Debug, Clone)]
pub struct Login {
    pub user_id: u64,
    pub access_token: String,
    pub refresh_token: String,
}

pub struct TestApp {
    pub address: String,
    pub kakao: KakaoStub,
    pub s3: Option<S3Server>,
    _media_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub pool: MySqlPool,
    pub state: AppState,
    database: String,
}

pub struct TestAppOptions {
    pub redis_url: String,
    /// Settings of this test's own, over the defaults below.
    pub vars: Vec<(&'static str, String)>,
    /// Store images in a real S3-protocol server on loopback (otherwise a local directory).
    pub with_s3: bool,
    pub max_connections: u32,
}

impl Default for TestAppOptions {
    fn default() -> Self {
        Self {
            redis_url: "redis://127.0.0.1:6379".into(),
            vars: Vec::new(),
            with_s3: false,
            max_connections: 5,
        }
    }
}

/// Starts the real application on a free port over a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestAppOptions::default()).await
}

pub async fn spawn_app_with(options: TestAppOptions) -> TestApp {
    crate::telemetry::install();
    let kakao = KakaoStub::start().await;
    let s3 = if options.with_s3 {
        Some(S3Server::start().await)
    } else {
        None
    };
    let media_dir = tempfile::tempdir().expect("a media directory");
    let database = format!("sc_test_{}", uuid::Uuid::new_v4().simple());
    let vars = HashMap::from([
        ("APP_ENV", "test".to_owned()),
        ("BIND_ADDR", "127.0.0.1:0".to_owned()),
        ("DATABASE_URL", format!("{}/{database}", database_server())),
        (
            "DATABASE_MAX_CONNECTIONS",
            options.max_connections.to_string(),
        ),
        ("REDIS_URL", options.redis_url),
        ("MEDIA_BASE_URL", "http://media.test".to_owned()),
        ("JWT_SECRET", TEST_JWT_SECRET.to_owned()),
        ("KAKAO_API_BASE", kakao.base_url.clone()),
        ("KAKAO_AUTH_BASE", kakao.base_url.clone()),
        ("KAKAO_CLIENT_ID", "test-client-id".to_owned()),
        ("KAKAO_CLIENT_SECRET", TEST_KAKAO_CLIENT_SECRET.to_owned()),
        ("KAKAO_REDIRECT_URI", "http://app.test/callback".to_owned()),
        ("KAKAO_TIMEOUT_MS", "1000".to_owned()),
        ("QUEUE_PREFIX", database.clone()),
        ("SWEEP_SCHEDULE", "*/1 * * * * *".to_owned()),
        ("STUCK_PAYMENT_SECONDS", "2".to_owned()),
        ("JOB_POLL_MS", "20".to_owned()),
        // Tests log in and book far faster than any person; the limits have tests of their own.
        ("RATE_LIMIT_SIGN_IN_PER_MINUTE", "0".to_owned()),
        ("RATE_LIMIT_BOOKING_PER_MINUTE", "0".to_owned()),
        ("RATE_LIMIT_UPLOADS_PER_MINUTE", "0".to_owned()),
        // Reuse of a refresh token is judged at once; the grace window has a test of its own.
        ("REFRESH_REUSE_GRACE_SECONDS", "0".to_owned()),
        // Contention tests give one guest many holds; the bound has a test of its own.
        ("MAX_WAITING_HOLDS", "1000000".to_owned()),
        ("MEDIA_DIR", media_dir.path().display().to_string()),
    ]);
    let mut vars = vars;
    vars.extend(options.vars);
    if let Some(s3) = &s3 {
        vars.insert("STORAGE_BACKEND", "s3".to_owned());
        vars.insert(
            "S3_BUCKET",
            spacecloud_testkit::s3_server::BUCKET.to_owned(),
        );
        vars.insert("S3_REGION", "us-east-1".to_owned());
        vars.insert("S3_ENDPOINT", s3.endpoint.clone());
        vars.insert("S3_FORCE_PATH_STYLE", "true".to_owned());
        vars.insert(
            "S3_ACCESS_KEY_ID",
            spacecloud_testkit::s3_server::ACCESS_KEY.to_owned(),
        );
        vars.insert(
            "S3_SECRET_ACCESS_KEY",
            spacecloud_testkit::s3_server::SECRET_KEY.to_owned(),
        );
    }
    let settings = Settings::from_lookup(|name| vars.get(name).cloned()).expect("test settings");
    let app = Application::build(settings)
        .await
        .expect("building the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let pool = state.pool.clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    TestApp {
        address,
        kakao,
        s3,
        _media_dir: media_dir,
        client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("a test HTTP client"),
        pool,
        state,
        database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let database = self.database.clone();
        spacecloud_testkit::block_on_cleanup(async move {
            forget_redis_keys(&database).await;
            drop_database(&database).await;
        });
    }
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self {
            status,
            content_type,
            body,
        }
    }

    /// The `field` names of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["code"].is_string() && self.body["detail"].is_string());
        if let Some(field) = field {
            assert!(
                self.error_fields().iter().any(|f| f == field),
                "expected an error naming {field}: {}",
                self.body
            );
        }
    }
}

impl TestApp {
    /// Runs a worker (settlement and sweep, every second) on this test's database and queues
    /// until the test ends.
    pub async fn start_worker(&self) {
        let worker = spacecloud_worker::Worker::build(&self.state.settings)
            .await
            .expect("building the worker");
        tokio::spawn(worker.run_until_stopped(std::future::pending()));
    }

    /// Sessions of this test's database running a statement like `statement_like` (a request
    /// waiting on a lock the test holds, say).
    pub async fn sessions_running(&self, statement_like: &str) -> i64 {
        spacecloud_testkit::sessions_running(&self.pool, &self.database, statement_like).await
    }

    /// Polls `probe` until it returns `Some`, failing the test after `seconds`.
    pub async fn eventually<T, F, Fut>(&self, seconds: u64, what: &str, probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        spacecloud_testkit::eventually(seconds, what, probe).await
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("request")).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    /// Signs in through the API as the Kakao user `kakao_id`, registering a token for them
    /// with the Kakao stub first.
    pub async fn login_as(&self, kakao_id: i64, nickname: &str) -> Login {
        let token = format!("kakao-token-{kakao_id}-{}", uuid::Uuid::new_v4().simple());
        self.kakao.accept_token(
            &token,
            KakaoUser {
                id: kakao_id,
                nickname: nickname.to_owned(),
                email: Some(format!("{kakao_id}@kakao.test")),
            },
        );
        let reply = self
            .post_json(
                "/api/v1/auth/kakao",
                serde_json::json!({"access_token": token}),
            )
            .await;
        assert_eq!(reply.status, 200, "login: {}", reply.body);
        Login {
            user_id: reply.body["user"]["id"].as_u64().unwrap(),
            access_token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.get_query(path, &[]).await
    }

    pub async fn get_query(&self, path: &str, query: &[(&str, String)]) -> Reply {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .query(query)
            .send()
            .await
            .expect("request");
        Reply::read(response).await
    }

    /// Districts, categories and facilities named `<kind> <n>`; returns their ids.
    pub async fn insert_reference(&self, count: usize) -> Reference {
        let mut reference = Reference::default();
        for n in 0..count {
            reference.districts.push(
                sqlx::query(
                    "INSERT INTO districts (name, latitude, longitude) VALUES (?, 37.5, 127.0)",
                )
                .bind(format!("district {n}"))
                .execute(&self.pool)
                .await
                .unwrap()
                .last_insert_id(),
            );
            reference.categories.push(
                sqlx::query("INSERT INTO categories (name) VALUES (?)")
                    .bind(format!("category {n}"))
                    .execute(&self.pool)
                    .await
                    .unwrap()
                    .last_insert_id(),
            );
            reference.facilities.push(
                sqlx::query("INSERT INTO facilities (name) VALUES (?)")
                    .bind(format!("facility {n}"))
                    .execute(&self.pool)
                    .await
                    .unwrap()
                    .last_insert_id(),
            );
        }
        reference
    }

    pub async fn insert_user(&self, nickname: &str) -> u64 {
        static NEXT_KAKAO_ID: AtomicUsize = AtomicUsize::new(1);
        let kakao_id = NEXT_KAKAO_ID.fetch_add(1, Ordering::Relaxed) as i64;
        sqlx::query(
            "INSERT INTO users (kakao_id, nickname, points, created_at, updated_at) \
             VALUES (?, ?, 100000, ?, ?)",
        )
        .bind(kakao_id)
        .bind(nickname)
        .bind(Utc::now())
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .unwrap()
        .last_insert_id()
    }

    pub async fn insert_space(&self, space: &NewSpace) -> u64 {
        let mut conn = self.pool.acquire().await.unwrap();
        let space_id = spaces::insert(&mut conn, space).await.unwrap();
        self.space_changed(space_id).await;
        space_id
    }

    /// What a writer does after changing a space behind the API's back: records the change in
    /// the catalogue's outbox and lets this process's catalogue read it.
    pub async fn space_changed(&self, space_id: u64) {
        let mut conn = self.pool.acquire().await.unwrap();
        spacecloud_common::catalogue::record(&mut conn, space_id, Utc::now())
            .await
            .unwrap();
        self.state.catalogue_changed().await;
    }

    pub async fn option_id(&self, space_id: u64, slot: Slot) -> u64 {
        let (id,): (u64,) =
            sqlx::query_as("SELECT id FROM space_options WHERE space_id = ? AND slot = ?")
                .bind(space_id)
                .bind(slot.as_str())
                .fetch_one(&self.pool)
                .await
                .unwrap();
        id
    }

    /// Inserts an order the way booking does, in its own transaction. Returns `None` when a
    /// blocking order already holds the slot.
    pub async fn insert_order(&self, order: NewOrder) -> Option<u64> {
        let mut tx = self.pool.begin().await.unwrap();
        match orders::insert(&mut tx, &order, OrderEventCause::Booked).await {
            Ok(id) => {
                tx.commit().await.unwrap();
                // As the booking routes do: this process's catalogue shows the claims at once.
                self.state.catalogue_changed().await;
                Some(id)
            }
            Err(AppError::Conflict { .. }) => {
                tx.rollback().await.unwrap();
                None
            }
            Err(other) => panic!("inserting an order: {other:?}"),
        }
    }

    pub async fn add_ready_image(&self, space_id: u64, position: u32, name: &str) -> u64 {
        let id = sqlx::query(
            "INSERT INTO space_images (space_id, position, status, original_key, web_key, \
             thumbnail_key, width, height, created_at, updated_at) \
             VALUES (?, ?, 'ready', ?, ?, ?, 1600, 1200, ?, ?)",
        )
        .bind(space_id)
        .bind(position)
        .bind(format!("{name}/original.jpg"))
        .bind(format!("{name}/web.jpg"))
        .bind(format!("{name}/thumb.jpg"))
        .bind(Utc::now())
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .unwrap()
        .last_insert_id();
        self.space_changed(space_id).await;
        id
    }

    pub fn today(&self) -> NaiveDate {
        self.state.clock.today()
    }

    /// Moves the clock forward to the next `hour:minute` of the business day, so a test about
    /// "hours that have started" does not depend on the hour CI happens to run it.
    pub fn advance_to_local(&self, hour: u32, minute: u32) {
        let time = chrono::NaiveTime::from_hms_opt(hour, minute, 0).unwrap();
        let mut date = self.today();
        while !self.try_advance_to(date.and_time(time)) {
            date = date.succ_opt().unwrap();
        }
    }

    /// Moves the clock forward to `local` (business time zone); false when that has passed.
    pub fn try_advance_to(&self, local: chrono::NaiveDateTime) -> bool {
        let clock = &self.state.clock;
        let target = local
            .and_local_timezone(clock.timezone())
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        let now = clock.now();
        if target <= now {
            return false;
        }
        clock.advance(target - now);
        true
    }
}

#[derive(Debug, Default, Clone)]
pub struct Reference {
    pub districts: Vec<u64>,
    pub categories: Vec<u64>,
    pub facilities: Vec<u64>,
}

/// A plain space for tests to adjust.
pub fn new_space(host_id: u64, reference: &Reference, options: &[(Slot, i64)]) -> NewSpace {
    NewSpace {
        host_id,
        category_id: reference.categories[0],
        district_id: reference.districts[0],
        title: "Sunny party room".into(),
        sub_title: "Near the station".into(),
        description: "A bright room.".into(),
        address: "Seoul Mapo-gu 1".into(),
        latitude: Some(37.55),
        longitude: Some(126.92),
        min_count: 2,
        max_count: 10,
        options: options.to_vec(),
        opening: Hours::WHOLE_DAY,
        min_hours: 1,
        refund_policy: Default::default(),
        instant_booking: true,
        facility_ids: Vec::new(),
        created_at: Utc::now(),
    }
}

pub fn new_order(
    user_id: u64,
    space_id: u64,
    option_id: u64,
    slot: Slot,
    date: NaiveDate,
    status: OrderStatus,
    hold_expires_at: DateTime<Utc>,
) -> NewOrder {
    NewOrder {
        user_id,
        space_id,
        option_id,
        slot,
        price: 10_000,
        amount: 10_000,
        date,
        // An hourly order's caller sets its hours; one hour until then.
        hours: slot
            .package_hours()
            .unwrap_or_else(|| Hours::new(12, 13).unwrap()),
        headcount: 2,
        status,
        hold_expires_at,
        refund_policy: Default::default(),
        instant_booking: true,
        approval_deadline: None,
        booker: ValidBooker::parse(BookerInput {
            name: "Kim".into(),
            phone: "010-1234-5678".into(),
            email: "kim@example.com".into(),
            purpose: None,
            request: None,
        })
        .expect("a well-formed booker"),
        created_at: Utc::now(),
    }
}

/// An order as its booker (or host) reads it through the API.
pub async fn order_of(app: &TestApp, who: &Login, order_id: u64) -> Value {
    let reply = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/orders/{order_id}"),
            Some(&who.access_token),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// The user's points balance, as `GET /me` tells it.
pub async fn points_of(app: &TestApp, who: &Login) -> i64 {
    let me = app
        .send(
            reqwest::Method::GET,
            "/api/v1/me",
            Some(&who.access_token),
            None,
        )
        .await;
    me.body["points"].as_i64().unwrap()
}

/// Polls the order until it reaches `status` (the worker's work), failing after 20 s.
pub async fn wait_for_status(app: &TestApp, who: &Login, order_id: u64, status: &str) -> Value {
    app.eventually(20, status, || async {
        let order = order_of(app, who, order_id).await;
        (order["status"] == status).then_some(order)
    })
    .await
}
