//! The worker binary as deployed: killed (SIGKILL) in the middle of a job and restarted, and two
//! processes side by side. Orders end in their state exactly once, images end ready once.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use chrono::{Days, NaiveDate, Utc};
use redis::aio::ConnectionManager;
use secrecy::ExposeSecret;
use spacecloud_common::{
    booking::{self, BookingPolicy, BookingRequest, Settlement, payment::PointsProvider},
    clock::BusinessClock,
    config::{Settings, StorageSettings},
    db::{self, spaces::NewSpace},
    domain::{BookerInput, Hours, Slot},
    jobs::{JobQueues, SettlePayment},
};
use spacecloud_testkit::process::{ChildProcess, RedisServer};
use sqlx::{Acquire, MySqlPool};

fn start_worker(settings: &Settings) -> ChildProcess {
    ChildProcess::spawn(
        Command::new(env!("CARGO_BIN_EXE_spacecloud-worker"))
            .env("MEDIA_DIR", media_dir(settings))
            .env("APP_ENV", "test")
            .env("DATABASE_URL", settings.database_url.expose_secret())
            .env("REDIS_URL", settings.redis_url.expose_secret())
            .env("QUEUE_PREFIX", &settings.jobs.queue_prefix)
            .env("SWEEP_SCHEDULE", &settings.jobs.sweep_schedule)
            .env(
                "STUCK_PAYMENT_SECONDS",
                settings.jobs.stuck_payment_seconds.to_string(),
            )
            .env(
                "STUCK_PHOTO_SECONDS",
                settings.jobs.stuck_photo_seconds.to_string(),
            )
            .env("JOB_POLL_MS", "20")
            .env(
                "WORKER_HTTP_ADDR",
                settings
                    .jobs
                    .worker_http_addr
                    .map(|address| address.to_string())
                    .unwrap_or_default(),
            )
            // `FAULTS_WORKER_LOG=/path` keeps the workers' logs for a failing run.
            .env("RUST_LOG", "info")
            .stderr(Stdio::null())
            .stdout(match std::env::var_os("FAULTS_WORKER_LOG") {
                Some(path) => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .unwrap()
                    .into(),
                None => Stdio::null(),
            }),
    )
}

/// `FAULTS_PRODUCTION_BOUNDS=1` runs the Redis restart test with the sweep's default schedule
/// and bounds, to measure recovery as deployed (it then takes about 17 minutes).
fn production_bounds() -> bool {
    std::env::var_os("FAULTS_PRODUCTION_BOUNDS").is_some()
}

/// How long the Redis restart test waits for recovery: seconds with the test's bounds.
fn recovery_deadline(seconds: u64) -> u64 {
    if production_bounds() { 1_500 } else { seconds }
}

/// Where the worker of these tests stores objects: each test's own directory.
fn media_dir(settings: &Settings) -> &Path {
    match &settings.storage {
        StorageSettings::Local { dir } => dir,
        StorageSettings::S3(_) => panic!("the worker's process tests store objects locally"),
    }
}

/// Polls `probe` until it holds, failing the test after `seconds`.
async fn wait_until<F, Fut>(seconds: u64, what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    spacecloud_testkit::eventually(seconds, what, || {
        let holds = probe();
        async move { holds.await.then_some(()) }
    })
    .await
}

/// A database, queue prefix and media directory of one test's own, and the settings a worker
/// process needs to use them; `remove` deletes all three.
struct TestEnvironment {
    settings: Settings,
    pool: MySqlPool,
    name: String,
}

impl TestEnvironment {
    async fn new(extra_vars: &[(&'static str, &str)]) -> Self {
        let name = spacecloud_testkit::unique_name("wtest");
        let mut vars = HashMap::from([
            ("APP_ENV", "test".to_owned()),
            (
                "DATABASE_URL",
                format!("{}/{name}", spacecloud_testkit::database_server()),
            ),
            ("QUEUE_PREFIX", name.clone()),
            (
                "MEDIA_DIR",
                std::env::temp_dir().join(&name).display().to_string(),
            ),
        ]);
        vars.extend(
            extra_vars
                .iter()
                .map(|(var, value)| (*var, (*value).to_owned())),
        );
        let settings = Settings::from_lookup(|var| vars.get(var).cloned()).unwrap();
        let pool = db::pool(&settings).unwrap();
        db::prepare(&settings, &pool).await.unwrap();
        Self {
            settings,
            pool,
            name,
        }
    }

    async fn redis(&self) -> ConnectionManager {
        JobQueues::new(&self.settings).connection().await.unwrap()
    }

    /// Jobs of `queue` that a worker has taken and not finished (one in-flight set per worker).
    async fn running_jobs(&self, queue: &str) -> usize {
        let mut redis = self.redis().await;
        let sets: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:{queue}:inflight*", self.name))
            .query_async(&mut redis)
            .await
            .unwrap();
        let mut running = 0;
        for set in sets {
            let members: usize = redis::cmd("SCARD")
                .arg(&set)
                .query_async(&mut redis)
                .await
                .unwrap();
            running += members;
        }
        running
    }

    /// Jobs of `queue` that no worker has taken yet.
    async fn waiting_jobs(&self, queue: &str) -> usize {
        let mut redis = self.redis().await;
        redis::cmd("LLEN")
            .arg(format!("{}:{queue}:active", self.name))
            .query_async(&mut redis)
            .await
            .unwrap()
    }

    async fn remove(self) {
        self.pool.close().await;
        spacecloud_testkit::drop_database(&self.name).await;
        spacecloud_testkit::forget_redis_keys(&self.name).await;
        let _ = std::fs::remove_dir_all(media_dir(&self.settings));
    }
}

/// A test environment with a host, guests of 100,000 points each, and one space that offers the
/// `day` slot for 25,000; the sweep runs every second.
struct BookingFixture {
    env: TestEnvironment,
    host: u64,
    guests: Vec<u64>,
    space_id: u64,
    option_id: u64,
    today: NaiveDate,
    clock: BusinessClock,
}

impl BookingFixture {
    async fn new(guests: usize) -> Self {
        Self::with_redis(guests, &spacecloud_testkit::redis_url()).await
    }

    async fn with_redis(guests: usize, redis_url: &str) -> Self {
        let mut vars = vec![("REDIS_URL", redis_url)];
        if !production_bounds() {
            vars.extend([
                ("SWEEP_SCHEDULE", "*/1 * * * * *"),
                ("STUCK_PAYMENT_SECONDS", "1"),
                ("STUCK_PHOTO_SECONDS", "2"),
            ]);
        }
        let env = TestEnvironment::new(&vars).await;
        let pool = &env.pool;

        let now = Utc::now();
        let mut users = Vec::new();
        for kakao_id in 1..=guests as u64 + 1 {
            users.push(
                sqlx::query(
                    "INSERT INTO users (kakao_id, nickname, points, created_at, updated_at) \
                     VALUES (?, ?, 100000, ?, ?)",
                )
                .bind(kakao_id)
                .bind(format!("user{kakao_id}"))
                .bind(now)
                .bind(now)
                .execute(pool)
                .await
                .unwrap()
                .last_insert_id(),
            );
        }
        let host = users.remove(0);
        let district = sqlx::query(
            "INSERT INTO districts (name, latitude, longitude) VALUES ('마포구', 37.5, 126.9)",
        )
        .execute(pool)
        .await
        .unwrap()
        .last_insert_id();
        let category = sqlx::query("INSERT INTO categories (name) VALUES ('파티룸')")
            .execute(pool)
            .await
            .unwrap()
            .last_insert_id();
        let mut conn = pool.acquire().await.unwrap();
        let space_id = db::spaces::insert(
            &mut conn,
            &NewSpace {
                host_id: host,
                category_id: category,
                district_id: district,
                title: "Worker test room".into(),
                sub_title: "".into(),
                description: "".into(),
                address: "Seoul".into(),
                latitude: None,
                longitude: None,
                min_count: 1,
                max_count: 4,
                options: vec![(Slot::Day, 25_000)],
                opening: Hours::WHOLE_DAY,
                min_hours: 1,
                refund_policy: Default::default(),
                instant_booking: true,
                facility_ids: Vec::new(),
                created_at: now,
            },
        )
        .await
        .unwrap();
        drop(conn);
        let option_id: u64 = sqlx::query_scalar("SELECT id FROM space_options WHERE space_id = ?")
            .bind(space_id)
            .fetch_one(pool)
            .await
            .unwrap();
        let clock = BusinessClock::new(env.settings.timezone);
        Self {
            today: clock.today(),
            clock,
            env,
            host,
            guests: users,
            space_id,
            option_id,
        }
    }

    /// Holds the space's `day` slot `days_ahead` for `guest`, the hold lasting `hold`.
    async fn hold(&self, guest: u64, days_ahead: u64, hold: chrono::Duration) -> u64 {
        let request = BookingRequest {
            space_id: self.space_id,
            option_id: self.option_id,
            date: self.today + Days::new(days_ahead),
            start_hour: None,
            end_hour: None,
            headcount: 2,
            booker: BookerInput {
                name: "Park".into(),
                phone: "010-2222-3333".into(),
                email: "park@example.com".into(),
                purpose: None,
                request: None,
            },
        };
        let policy = BookingPolicy {
            hold,
            max_waiting_holds: 100,
            approval: chrono::Duration::hours(24),
        };
        booking::place_order(&self.env.pool, guest, &request, None, &policy, &self.clock)
            .await
            .unwrap()
            .order_id
    }

    async fn status(&self, order_id: u64) -> String {
        sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&self.env.pool)
            .await
            .unwrap()
    }

    async fn points(&self, user_id: u64) -> i64 {
        sqlx::query_scalar("SELECT points FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_one(&self.env.pool)
            .await
            .unwrap()
    }

    async fn transitions_to(&self, order_id: u64, status: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM order_events WHERE order_id = ? AND to_status = ?")
            .bind(order_id)
            .bind(status)
            .fetch_one(&self.env.pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_worker_killed_mid_settlement_completes_the_order_once_after_restart() {
    let fixture = BookingFixture::new(1).await;
    let (settings, pool, database) = (&fixture.env.settings, &fixture.env.pool, &fixture.env.name);
    let guest = fixture.guests[0];
    let order_id = fixture.hold(guest, 3, chrono::Duration::minutes(10)).await;
    booking::request_payment(pool, guest, order_id, None, &fixture.clock)
        .await
        .unwrap();

    // Hold the order's row so the settlement blocks in the middle of its transaction.
    let mut blocker = pool.acquire().await.unwrap();
    let mut lock = blocker.begin().await.unwrap();
    sqlx::query("SELECT id FROM orders WHERE id = ? FOR UPDATE")
        .bind(order_id)
        .fetch_one(&mut *lock)
        .await
        .unwrap();
    JobQueues::new(settings)
        .enqueue(SettlePayment { order_id })
        .await
        .unwrap();
    let first = start_worker(settings);
    wait_until(30, "the settlement to be in flight", || async {
        spacecloud_testkit::sessions_running(pool, database, "%FOR UPDATE%").await > 0
    })
    .await;
    drop(first); // SIGKILL
    lock.rollback().await.unwrap();
    drop(blocker);
    assert_eq!(
        fixture.status(order_id).await,
        "payment_pending",
        "the killed worker settled nothing"
    );

    let second = start_worker(settings);
    wait_until(60, "the order to complete after the restart", || async {
        fixture.status(order_id).await == "completed"
    })
    .await;
    assert_eq!(
        fixture.points(guest).await,
        100_000 - 25_000,
        "charged exactly once"
    );
    assert_eq!(fixture.transitions_to(order_id, "completed").await, 1);
    drop(second);
    fixture.env.remove().await;
}

/// Two worker processes side by side, as deployed: every settlement job is delivered twice and
/// both run the sweep every second. Each paid order completes once with one charge, and each
/// forgotten hold expires once.
#[tokio::test]
async fn two_worker_processes_settle_and_sweep_each_order_once() {
    let fixture = BookingFixture::new(9).await;
    let queues = JobQueues::new(&fixture.env.settings);
    let mut paid = Vec::new();
    for (n, guest) in fixture.guests[..6].iter().enumerate() {
        let order_id = fixture
            .hold(*guest, n as u64 + 1, chrono::Duration::minutes(10))
            .await;
        booking::request_payment(&fixture.env.pool, *guest, order_id, None, &fixture.clock)
            .await
            .unwrap();
        for _ in 0..2 {
            queues.enqueue(SettlePayment { order_id }).await.unwrap();
        }
        paid.push((*guest, order_id));
    }
    let mut forgotten = Vec::new();
    for (n, guest) in fixture.guests[6..].iter().enumerate() {
        forgotten.push(
            fixture
                .hold(*guest, n as u64 + 20, chrono::Duration::seconds(1))
                .await,
        );
    }

    let workers = [
        start_worker(&fixture.env.settings),
        start_worker(&fixture.env.settings),
    ];
    wait_until(60, "every order to reach its end state", || async {
        for (_, order_id) in &paid {
            if fixture.status(*order_id).await != "completed" {
                return false;
            }
        }
        for order_id in &forgotten {
            if fixture.status(*order_id).await != "expired" {
                return false;
            }
        }
        true
    })
    .await;
    // Give the duplicate deliveries and later sweep ticks the chance to act twice, then check
    // that they did not: both workers keep running while the counts are read.
    wait_until(30, "the queued settlements to drain", || async {
        fixture.env.waiting_jobs("settle_payment").await
            + fixture.env.running_jobs("settle_payment").await
            == 0
    })
    .await;
    for (guest, order_id) in &paid {
        assert_eq!(fixture.points(*guest).await, 75_000, "one charge per order");
        assert_eq!(fixture.transitions_to(*order_id, "completed").await, 1);
    }
    for order_id in &forgotten {
        assert_eq!(fixture.transitions_to(*order_id, "expired").await, 1);
    }
    let live_claims: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM hour_claims WHERE order_id IN (SELECT id FROM orders \
         WHERE status = 'expired') AND (expires_at IS NULL OR expires_at > NOW(6))",
    )
    .fetch_one(&fixture.env.pool)
    .await
    .unwrap();
    assert_eq!(live_claims, 0, "expired holds block nothing");
    drop(workers);
    fixture.env.remove().await;
}

impl BookingFixture {
    /// The host approves each booking of the fixture's space from now on.
    async fn require_approval(&self) {
        sqlx::query("UPDATE spaces SET instant_booking = FALSE WHERE id = ?")
            .bind(self.space_id)
            .execute(&self.env.pool)
            .await
            .unwrap();
    }

    /// `(kind, user_id)` of every notification about `order_id`, oldest first.
    async fn notifications(&self, order_id: u64) -> Vec<(String, u64)> {
        sqlx::query_as("SELECT kind, user_id FROM notifications WHERE order_id = ? ORDER BY id")
            .bind(order_id)
            .fetch_all(&self.env.pool)
            .await
            .unwrap()
    }

    /// A paid request to book of `guest`, `days_ahead`, already waiting for the host, whose
    /// deadline has passed.
    async fn overdue_request(&self, guest: u64, days_ahead: u64) -> u64 {
        let pool = &self.env.pool;
        let order_id = self
            .hold(guest, days_ahead, chrono::Duration::minutes(10))
            .await;
        booking::request_payment(pool, guest, order_id, None, &self.clock)
            .await
            .unwrap();
        let policy = BookingPolicy::from_settings(&self.env.settings);
        let settled =
            booking::settle_payment(pool, &PointsProvider, order_id, &policy, &self.clock)
                .await
                .unwrap();
        assert_eq!(settled, Settlement::AwaitingApproval);
        sqlx::query("UPDATE orders SET approval_deadline = ? WHERE id = ?")
            .bind(Utc::now() - chrono::Duration::seconds(1))
            .bind(order_id)
            .execute(pool)
            .await
            .unwrap();
        order_id
    }
}

/// Killed after the settlement charged the guest and moved the order to `awaiting_approval`,
/// before the host's notification was written: the restarted worker settles it once, and the
/// host is told once.
#[tokio::test]
async fn a_worker_killed_mid_settlement_of_a_request_notifies_the_host_once() {
    let fixture = BookingFixture::new(1).await;
    fixture.require_approval().await;
    let (settings, pool, database) = (&fixture.env.settings, &fixture.env.pool, &fixture.env.name);
    let guest = fixture.guests[0];
    let order_id = fixture.hold(guest, 3, chrono::Duration::minutes(10)).await;
    booking::request_payment(pool, guest, order_id, None, &fixture.clock)
        .await
        .unwrap();

    // The notification's insert waits for this table lock: the settlement is stopped after its
    // charge and its state change, inside its transaction.
    let mut blocker = pool.acquire().await.unwrap();
    sqlx::query("LOCK TABLES notifications WRITE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    JobQueues::new(settings)
        .enqueue(SettlePayment { order_id })
        .await
        .unwrap();
    let first = start_worker(settings);
    wait_until(30, "the settlement to wait on its notification", || async {
        spacecloud_testkit::sessions_running(pool, database, "INSERT INTO notifications%").await > 0
    })
    .await;
    drop(first); // SIGKILL
    sqlx::query("UNLOCK TABLES")
        .execute(&mut *blocker)
        .await
        .unwrap();
    drop(blocker);
    assert_eq!(fixture.status(order_id).await, "payment_pending");
    assert_eq!(
        fixture.points(guest).await,
        100_000,
        "the charge rolled back"
    );

    let second = start_worker(settings);
    wait_until(
        60,
        "the order to await approval after the restart",
        || async { fixture.status(order_id).await == "awaiting_approval" },
    )
    .await;
    assert_eq!(
        fixture.points(guest).await,
        100_000 - 25_000,
        "charged once"
    );
    assert_eq!(
        fixture.transitions_to(order_id, "awaiting_approval").await,
        1
    );
    assert_eq!(
        fixture.notifications(order_id).await,
        [("approval_requested".to_owned(), fixture.host)]
    );
    drop(second);
    fixture.env.remove().await;
}

/// Two worker processes sweeping every second decline each request nobody answered once:
/// one refund, one history entry and one notification each.
#[tokio::test]
async fn two_worker_processes_decline_each_unanswered_request_once() {
    let fixture = BookingFixture::new(4).await;
    fixture.require_approval().await;
    let mut overdue = Vec::new();
    for (n, guest) in fixture.guests[..3].iter().enumerate() {
        overdue.push((*guest, fixture.overdue_request(*guest, n as u64 + 1).await));
    }
    let workers = [
        start_worker(&fixture.env.settings),
        start_worker(&fixture.env.settings),
    ];
    wait_until(60, "every request to be declined", || async {
        for (_, order_id) in &overdue {
            if fixture.status(*order_id).await != "declined" {
                return false;
            }
        }
        true
    })
    .await;
    // A request run out after those is declined by a later tick: by then every earlier one has
    // met several sweeps of both workers.
    let last_guest = fixture.guests[3];
    let later = fixture.overdue_request(last_guest, 10).await;
    wait_until(60, "a later sweep to decline the last request", || async {
        fixture.status(later).await == "declined"
    })
    .await;
    overdue.push((last_guest, later));
    for (guest, order_id) in &overdue {
        assert_eq!(fixture.points(*guest).await, 100_000, "refunded once");
        assert_eq!(fixture.transitions_to(*order_id, "declined").await, 1);
        assert_eq!(
            fixture.notifications(*order_id).await,
            [
                ("approval_requested".to_owned(), fixture.host),
                ("approval_timeout".to_owned(), *guest),
            ]
        );
    }
    drop(workers);
    fixture.env.remove().await;
}

#[tokio::test]
async fn a_worker_killed_mid_image_leaves_the_image_ready_after_restart() {
    let env = TestEnvironment::new(&[]).await;
    let (settings, pool) = (&env.settings, &env.pool);
    let now = Utc::now();
    let host = sqlx::query(
        "INSERT INTO users (kakao_id, nickname, points, created_at, updated_at) \
         VALUES (1, 'host', 0, ?, ?)",
    )
    .bind(now)
    .bind(now)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_id();
    sqlx::query("INSERT INTO districts (name, latitude, longitude) VALUES ('중구', 37.5, 126.9)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO categories (name) VALUES ('스튜디오')")
        .execute(pool)
        .await
        .unwrap();
    let queues = JobQueues::new(settings);
    let image_ids = space_with_photos(pool, &queues, host, 1).await;
    let image_id = image_ids[0];

    let mut redis = env.redis().await;
    let first = start_worker(settings);
    wait_until(30, "the image job to be in flight", || async {
        env.running_jobs("process_image").await > 0
    })
    .await;
    drop(first); // SIGKILL, most likely mid-decode
    let second = start_worker(settings);
    wait_until(90, "the image to be ready after the restart", || async {
        let status: String =
            sqlx::query_scalar("SELECT CAST(status AS CHAR) FROM space_images WHERE id = ?")
                .bind(image_id)
                .fetch_one(pool)
                .await
                .unwrap();
        status == "ready"
    })
    .await;
    let images: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM space_images")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(images, 1, "nothing duplicated");
    let staged: Option<Vec<u8>> = redis::cmd("GET")
        .arg(format!("{}:staged_image:{image_id}", env.name))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(staged.is_none(), "no staged bytes left over");
    let mut stored = Vec::new();
    for entry in walk(media_dir(settings)) {
        stored.push(entry.file_name().unwrap().to_string_lossy().into_owned());
    }
    stored.sort();
    assert_eq!(stored, ["original.jpg", "thumb.jpg", "web.jpg"]);

    drop(second);
    env.remove().await;
}

/// A photo large enough that a debug build spends a while decoding it; encoded once, as
/// encoding takes seconds too and would skew the recovery times measured.
fn large_jpeg() -> Vec<u8> {
    static PHOTO: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PHOTO.get_or_init(encode_large_jpeg).clone()
}

fn encode_large_jpeg() -> Vec<u8> {
    let mut photo = Vec::new();
    let pixels = image::RgbImage::from_fn(3000, 2000, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(
            &mut std::io::Cursor::new(&mut photo),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    photo
}

/// Creates a space of `host` (district and category 1) with `photos` large photos, their bytes
/// staged and their jobs queued as an upload does; returns the photos' ids.
async fn space_with_photos(
    pool: &MySqlPool,
    queues: &JobQueues,
    host: u64,
    photos: usize,
) -> Vec<u64> {
    let input = spacecloud_common::hosting::SpaceInput {
        title: "Photo test studio".into(),
        category_id: 1,
        district_id: 1,
        address: "Seoul".into(),
        max_count: 4,
        price_day: Some(10_000),
        ..Default::default()
    };
    let now = Utc::now();
    let space = spacecloud_common::hosting::validate(pool, host, &input, photos, now)
        .await
        .unwrap();
    let uploads =
        spacecloud_common::hosting::check_uploads((0..photos).map(|_| large_jpeg()).collect())
            .unwrap();
    let (_, image_ids) =
        spacecloud_common::hosting::create_space(pool, queues, &space, uploads, now)
            .await
            .unwrap();
    image_ids
}

async fn photo_state(pool: &MySqlPool, image_id: u64) -> (String, Option<String>) {
    sqlx::query_as("SELECT CAST(status AS CHAR), failure_reason FROM space_images WHERE id = ?")
        .bind(image_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Redis restarted (its data gone, as after a failover) while payments are queued and the
/// sweep runs: the worker process keeps running, starts its job workers again once Redis
/// answers, and every payment ends `completed`, charged once; the ones whose jobs Redis lost
/// are recovered by the sweep from MySQL.
#[tokio::test]
async fn a_redis_restart_loses_no_payment_and_the_worker_keeps_running() {
    let mut redis = RedisServer::start().await;
    let fixture = BookingFixture::with_redis(6, &redis.url()).await;
    let pool = &fixture.env.pool;
    let mut orders = Vec::new();
    for (n, guest) in fixture.guests.iter().enumerate() {
        let order_id = fixture
            .hold(*guest, n as u64 + 1, chrono::Duration::minutes(10))
            .await;
        orders.push((*guest, order_id));
    }
    let queues = JobQueues::new(&fixture.env.settings);
    let (running, rest) = orders.split_at(2);
    let (in_flight, after) = rest.split_at(2);
    let mut worker = start_worker(&fixture.env.settings);
    for (guest, order_id) in running {
        booking::pay(pool, &queues, *guest, *order_id, None, &fixture.clock)
            .await
            .unwrap();
    }
    wait_until(30, "the worker to settle the first payments", || async {
        let mut done = true;
        for (_, order_id) in running {
            done &= fixture.status(*order_id).await == "completed";
        }
        done
    })
    .await;
    // Photos being decoded, and others waiting with their bytes staged, when Redis goes away
    // with its data; and payments whose jobs are in Redis then.
    let photos_before = space_with_photos(pool, &queues, fixture.host, 4).await;
    for (guest, order_id) in in_flight {
        booking::pay(pool, &queues, *guest, *order_id, None, &fixture.clock)
            .await
            .unwrap();
    }
    wait_until(30, "a photo job to be in flight", || async {
        fixture.env.running_jobs("process_image").await > 0
    })
    .await;
    // A hold that runs out around the outage: a sweep after it expires the hold.
    let lapsing = fixture
        .hold(fixture.guests[0], 30, chrono::Duration::seconds(2))
        .await;
    redis.stop();
    redis.run().await;
    let returned = std::time::Instant::now();
    for (guest, order_id) in after {
        booking::pay(pool, &queues, *guest, *order_id, None, &fixture.clock)
            .await
            .unwrap();
    }
    let photos_after = space_with_photos(pool, &queues, fixture.host, 1).await;
    for (what, batch) in [
        ("payments made after the restart", after),
        ("payments in flight during the restart", in_flight),
    ] {
        wait_until(recovery_deadline(60), what, || async {
            let mut done = true;
            for (_, order_id) in batch {
                done &= fixture.status(*order_id).await == "completed";
            }
            done
        })
        .await;
        // Reported, not asserted (`-- --nocapture` shows it): the recovery time.
        eprintln!(
            "{what} settled {:.1} s after Redis returned",
            returned.elapsed().as_secs_f64()
        );
    }
    wait_until(
        recovery_deadline(60),
        "the lapsed hold to expire",
        || async { fixture.status(lapsing).await == "expired" },
    )
    .await;
    eprintln!(
        "the lapsed hold expired {:.1} s after Redis returned",
        returned.elapsed().as_secs_f64()
    );
    for (what, batch) in [
        ("the photo uploaded after the restart", &photos_after),
        ("the photos in Redis during the restart", &photos_before),
    ] {
        wait_until(recovery_deadline(90), what, || async {
            let mut done = true;
            for image_id in batch.iter() {
                done &= photo_state(pool, *image_id).await.0 != "processing";
            }
            done
        })
        .await;
        eprintln!(
            "{what} ended {:.1} s after Redis returned",
            returned.elapsed().as_secs_f64()
        );
    }
    assert_eq!(photo_state(pool, photos_after[0]).await.0, "ready");
    let mut ready = 0;
    for image_id in &photos_before {
        match photo_state(pool, *image_id).await {
            (status, None) if status == "ready" => ready += 1,
            // Its staged bytes went with Redis: the host is told to upload it again.
            (status, Some(reason)) if status == "failed" => {
                assert_eq!(reason, "the upload expired before it was processed")
            }
            other => panic!("photo {image_id} ended {other:?}"),
        }
    }
    // Every ready photo has its three renditions, and nothing else was stored.
    assert_eq!(
        walk(media_dir(&fixture.env.settings)).len(),
        3 * (ready + 1)
    );
    for (guest, order_id) in &orders {
        assert_eq!(
            fixture.points(*guest).await,
            100_000 - 25_000,
            "charged once"
        );
        assert_eq!(fixture.transitions_to(*order_id, "completed").await, 1);
    }
    assert!(
        worker.0.try_wait().unwrap().is_none(),
        "the worker process survived the outage"
    );
    drop(worker);
    fixture.env.remove().await;
}

/// The worker's own probes, as an orchestrator reads them: alive, ready while Redis, MySQL
/// and the job workers are, not ready during a Redis outage and ready again after it; and
/// Prometheus metrics of its jobs and queues.
#[tokio::test]
async fn the_worker_reports_its_health_and_metrics_through_an_outage() {
    let mut redis = RedisServer::start().await;
    let port = spacecloud_testkit::process::free_port();
    let address = format!("127.0.0.1:{port}");
    let env = TestEnvironment::new(&[
        ("SWEEP_SCHEDULE", "*/1 * * * * *"),
        ("REDIS_URL", &redis.url()),
        ("WORKER_HTTP_ADDR", &address),
    ])
    .await;
    let worker = start_worker(&env.settings);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let probe = |path: &'static str| {
        let client = client.clone();
        let url = format!("http://{address}{path}");
        async move {
            let response = client.get(url).send().await.ok()?;
            let status = response.status().as_u16();
            Some((status, response.text().await.ok()?))
        }
    };
    let ready = |expected: u16| {
        let probe = &probe;
        async move {
            wait_until(30, "/readyz to answer as expected", || async {
                probe("/readyz")
                    .await
                    .is_some_and(|(status, _)| status == expected)
            })
            .await
        }
    };
    ready(200).await;
    assert_eq!(probe("/healthz").await.map(|(status, _)| status), Some(200));
    wait_until(30, "a sweep to be counted", || async {
        probe("/metrics").await.is_some_and(|(_, body)| {
            body.contains(r#"worker_jobs_total{job="sweep",outcome="done"}"#)
                && body.contains("worker_last_sweep_timestamp_seconds")
                && body.contains(r#"worker_queue_depth{job="settle_payment"}"#)
        })
    })
    .await;

    redis.stop();
    ready(503).await;
    assert_eq!(
        probe("/healthz").await.map(|(status, _)| status),
        Some(200),
        "alive through the outage"
    );
    redis.run().await;
    ready(200).await;
    drop(worker);
    env.remove().await;
}

/// MySQL drops the worker's connections (a failover, a restart, a proxy timeout) while a
/// settlement is half-way through its transaction: the transaction is lost, the job is
/// delivered again, the order completes, charged once, and the worker process keeps running.
#[tokio::test]
async fn mysql_connections_killed_mid_settlement_complete_the_order_once() {
    let fixture = BookingFixture::new(1).await;
    let (settings, pool, database) = (&fixture.env.settings, &fixture.env.pool, &fixture.env.name);
    let guest = fixture.guests[0];
    let order_id = fixture.hold(guest, 3, chrono::Duration::minutes(10)).await;
    booking::request_payment(pool, guest, order_id, None, &fixture.clock)
        .await
        .unwrap();

    let mut blocker = pool.acquire().await.unwrap();
    let blocker_id: i64 = sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS SIGNED)")
        .fetch_one(&mut *blocker)
        .await
        .unwrap();
    let mut lock = blocker.begin().await.unwrap();
    sqlx::query("SELECT id FROM orders WHERE id = ? FOR UPDATE")
        .bind(order_id)
        .fetch_one(&mut *lock)
        .await
        .unwrap();
    let mut worker = start_worker(settings);
    JobQueues::new(settings)
        .enqueue(SettlePayment { order_id })
        .await
        .unwrap();
    wait_until(
        30,
        "the settlement to wait inside its transaction",
        || async { spacecloud_testkit::sessions_running(pool, database, "%FOR UPDATE%").await > 0 },
    )
    .await;
    // Every session of the test's database but the one holding the lock: the worker's.
    let mut admin = pool.acquire().await.unwrap();
    let sessions: Vec<i64> = sqlx::query_scalar(
        "SELECT CAST(ID AS SIGNED) FROM information_schema.PROCESSLIST \
         WHERE DB = ? AND ID <> ? AND ID <> CONNECTION_ID()",
    )
    .bind(database)
    .bind(blocker_id)
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    assert!(!sessions.is_empty());
    for session in sessions {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("KILL {session}")))
            .execute(&mut *admin)
            .await;
    }
    drop(admin);
    lock.rollback().await.unwrap();
    drop(blocker);

    wait_until(
        60,
        "the order to complete after the lost connections",
        || async { fixture.status(order_id).await == "completed" },
    )
    .await;
    assert_eq!(
        fixture.points(guest).await,
        100_000 - 25_000,
        "charged once"
    );
    assert_eq!(fixture.transitions_to(order_id, "completed").await, 1);
    assert!(
        worker.0.try_wait().unwrap().is_none(),
        "the worker process survived"
    );
    drop(worker);
    fixture.env.remove().await;
}
