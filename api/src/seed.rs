//! Demo data. `seed` fills what a newcomer needs to explore the API: Seoul's districts,
//! categories and facilities as the product shows them, a demo host and guest, and 200 spaces.
//! `seed --bulk` adds the benchmark dataset: 10,000 spaces and 100,000 orders over the next 60
//! days. Both are idempotent: reference rows are upserted by name and users by Kakao id, and a
//! host's spaces are only created while that host has fewer than the target.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, Days, Duration, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use spacecloud_common::{
    clock::BusinessClock,
    config::Settings,
    db::orders::NewOrder,
    db::refresh_tokens,
    db::spaces::{self, NewSpace},
    domain::{BookerInput, Hours, OrderEventCause, OrderStatus, RefundPolicy, Slot, ValidBooker},
};
use sqlx::{MySql, MySqlConnection, MySqlPool, QueryBuilder};

/// Seoul's 25 districts and their centres.
const DISTRICTS: [(&str, f64, f64); 25] = [
    ("강남구", 37.517_236, 127.047_325),
    ("강동구", 37.530_126, 127.123_771),
    ("강북구", 37.639_61, 127.025_657),
    ("강서구", 37.550_937, 126.849_538),
    ("관악구", 37.478_406, 126.951_613),
    ("광진구", 37.538_484, 127.082_293),
    ("구로구", 37.495_472, 126.887_536),
    ("금천구", 37.456_872, 126.895_2),
    ("노원구", 37.654_259, 127.056_294),
    ("도봉구", 37.668_768, 127.047_163),
    ("동대문구", 37.574_368, 127.039_954),
    ("동작구", 37.512_409, 126.939_25),
    ("마포구", 37.566_283, 126.901_644),
    ("서대문구", 37.579_116, 126.936_778),
    ("서초구", 37.483_577, 127.032_661),
    ("성동구", 37.563_456, 127.036_821),
    ("성북구", 37.589_4, 127.016_749),
    ("송파구", 37.514_575, 127.105_9),
    ("양천구", 37.517_016, 126.866_642),
    ("영등포구", 37.526_436, 126.896_004),
    ("용산구", 37.532_527, 126.990_5),
    ("은평구", 37.602_784, 126.929_164),
    ("종로구", 37.573_05, 126.979_189),
    ("중구", 37.563_843, 126.997_602),
    ("중랑구", 37.606_323, 127.092_58),
];

const CATEGORIES: [&str; 10] = [
    "파티룸",
    "연습실",
    "보컬연습실",
    "댄스연습실",
    "악기연습실",
    "스터디룸",
    "회의실",
    "세미나실",
    "촬영스튜디오",
    "공유주방",
];

const FACILITIES: [&str; 12] = [
    "와이파이",
    "주차",
    "냉난방기",
    "프로젝터",
    "화이트보드",
    "음향장비",
    "노래방기기",
    "전신거울",
    "취사시설",
    "샤워실",
    "PC/노트북",
    "반려동물 동반",
];

const ADJECTIVES: [&str; 10] = [
    "아늑한",
    "햇살 가득한",
    "모던한",
    "감성",
    "넓은",
    "조용한",
    "루프탑",
    "빈티지",
    "화이트톤",
    "프라이빗",
];

const STREETS: [&str; 8] = [
    "테헤란로",
    "와우산로",
    "성수이로",
    "올림픽로",
    "종로",
    "을지로",
    "양화로",
    "도산대로",
];

pub const DEMO_HOST_KAKAO_ID: i64 = -1;
pub const DEMO_GUEST_KAKAO_ID: i64 = -2;
const BULK_HOST_KAKAO_ID: i64 = -3;
/// Bulk guests take Kakao ids -1000 and below; real Kakao ids are positive.
const BULK_GUEST_KAKAO_BASE: i64 = -1000;

const DEMO_SPACES: usize = 200;
/// The benchmark dataset's size unless `seed --bulk-spaces N` says otherwise.
pub const BULK_SPACES: usize = 10_000;
const BULK_GUESTS: usize = 1_000;
const BULK_ORDERS: usize = 100_000;
const BULK_DAYS: u64 = 60;

#[derive(Debug, Default)]
pub struct SeedReport {
    pub blocks_created: usize,
    pub spaces_created: usize,
    pub orders_created: usize,
    pub photos_queued: usize,
}

/// Seeds the demo data and, with `bulk_spaces`, the benchmark dataset of that many spaces.
pub async fn run(
    pool: &MySqlPool,
    settings: &Settings,
    bulk_spaces: Option<usize>,
) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport::default();
    let mut tx = pool.begin().await?;
    let reference = upsert_reference_data(&mut tx).await?;
    let now = Utc::now();
    let host_id = upsert_user(&mut tx, DEMO_HOST_KAKAO_ID, "데모호스트", settings, now).await?;
    upsert_user(&mut tx, DEMO_GUEST_KAKAO_ID, "데모게스트", settings, now).await?;
    report.spaces_created +=
        create_spaces(&mut tx, host_id, &reference, DEMO_SPACES, 7, now).await?;
    tx.commit().await?;
    report.photos_queued = queue_demo_photos(pool, settings, host_id, now).await?;
    report.blocks_created = create_demo_blocks(pool, settings, host_id).await?;

    if let Some(bulk_spaces) = bulk_spaces {
        let mut tx = pool.begin().await?;
        let bulk_host =
            upsert_user(&mut tx, BULK_HOST_KAKAO_ID, "벤치호스트", settings, now).await?;
        let created = create_spaces(&mut tx, bulk_host, &reference, bulk_spaces, 11, now).await?;
        report.spaces_created += created;
        if created > 0 {
            let clock = BusinessClock::new(settings.timezone);
            report.orders_created =
                create_bulk_orders(&mut tx, bulk_host, settings, clock, now).await?;
        }
        tx.commit().await?;
        if created > 0 {
            report.blocks_created += create_bulk_blocks(pool, settings, bulk_host).await?;
        }
    }
    Ok(report)
}

/// A few host blocks on the demo host's first spaces (a cleaning morning, a closed day), made
/// once: nothing when the demo host has any block already.
async fn create_demo_blocks(
    pool: &MySqlPool,
    settings: &Settings,
    host_id: u64,
) -> anyhow::Result<usize> {
    let clock = BusinessClock::new(settings.timezone);
    let blocked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM space_blocks b JOIN spaces s ON s.id = b.space_id \
         WHERE s.host_id = ?",
    )
    .bind(host_id)
    .fetch_one(pool)
    .await?;
    if blocked > 0 {
        return Ok(0);
    }
    let spaces: Vec<u64> = sqlx::query_scalar(
        "SELECT id FROM spaces WHERE host_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 5",
    )
    .bind(host_id)
    .fetch_all(pool)
    .await?;
    let today = clock.today();
    let mut created = 0;
    for (n, space_id) in spaces.into_iter().enumerate() {
        let (days, hours, reason) = match n % 2 {
            0 => (2 + n as u64, Some((9, 12)), "청소"),
            _ => (5 + n as u64, None, "정기 휴무"),
        };
        let input = spacecloud_common::blocks::BlockInput {
            date: today + chrono::Days::new(days),
            start_hour: hours.map(|(start, _)| start),
            end_hour: hours.map(|(_, end)| end),
            reason: Some(reason.to_owned()),
        };
        match spacecloud_common::blocks::create(pool, host_id, space_id, &input, &clock).await {
            Ok(_) => created += 1,
            // Demo guests may have booked those hours already; a block there is skipped.
            Err(spacecloud_common::error::AppError::Conflict { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(created)
}

/// One block on every 20th space of the bulk host, on a date and hours of its own, so the
/// benchmarks' calendars and lists meet blocks as they meet orders. Blocks that would meet an
/// order are skipped.
async fn create_bulk_blocks(
    pool: &MySqlPool,
    settings: &Settings,
    bulk_host: u64,
) -> anyhow::Result<usize> {
    let clock = BusinessClock::new(settings.timezone);
    let spaces: Vec<u64> =
        sqlx::query_scalar("SELECT id FROM spaces WHERE host_id = ? AND id % 20 = 0 ORDER BY id")
            .bind(bulk_host)
            .fetch_all(pool)
            .await?;
    let today = clock.today();
    let mut created = 0;
    for space_id in spaces {
        let start = (space_id / 20 % 21) as i64;
        let input = spacecloud_common::blocks::BlockInput {
            date: today + chrono::Days::new(space_id % BULK_DAYS),
            start_hour: Some(start),
            end_hour: Some(start + 3),
            reason: Some("정기 점검".to_owned()),
        };
        match spacecloud_common::blocks::create(pool, bulk_host, space_id, &input, &clock).await {
            Ok(_) => created += 1,
            Err(spacecloud_common::error::AppError::Conflict { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(created)
}

struct ReferenceIds {
    districts: Vec<u64>,
    categories: Vec<u64>,
    facilities: Vec<u64>,
}

async fn upsert_reference_data(conn: &mut MySqlConnection) -> anyhow::Result<ReferenceIds> {
    let mut districts =
        QueryBuilder::<MySql>::new("INSERT INTO districts (name, latitude, longitude) ");
    districts.push_values(DISTRICTS, |mut row, (name, lat, lng)| {
        row.push_bind(name).push_bind(lat).push_bind(lng);
    });
    districts.push(
        " ON DUPLICATE KEY UPDATE latitude = VALUES(latitude), longitude = VALUES(longitude)",
    );
    districts.build().execute(&mut *conn).await?;
    for (table, names) in [
        ("categories", &CATEGORIES[..]),
        ("facilities", &FACILITIES[..]),
    ] {
        let mut insert = QueryBuilder::<MySql>::new(format!("INSERT INTO {table} (name) "));
        insert.push_values(names, |mut row, name| {
            row.push_bind(*name);
        });
        insert.push(" ON DUPLICATE KEY UPDATE name = VALUES(name)");
        insert.build().execute(&mut *conn).await?;
    }
    let ids = |rows: Vec<(u64,)>| rows.into_iter().map(|(id,)| id).collect::<Vec<_>>();
    Ok(ReferenceIds {
        districts: ids(sqlx::query_as("SELECT id FROM districts ORDER BY id")
            .fetch_all(&mut *conn)
            .await?),
        categories: ids(sqlx::query_as("SELECT id FROM categories ORDER BY id")
            .fetch_all(&mut *conn)
            .await?),
        facilities: ids(sqlx::query_as("SELECT id FROM facilities ORDER BY id")
            .fetch_all(&mut *conn)
            .await?),
    })
}

async fn upsert_user(
    conn: &mut MySqlConnection,
    kakao_id: i64,
    nickname: &str,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    sqlx::query(
        "INSERT INTO users (kakao_id, nickname, points, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE kakao_id = kakao_id",
    )
    .bind(kakao_id)
    .bind(nickname)
    .bind(settings.signup_points)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (id,): (u64,) = sqlx::query_as("SELECT id FROM users WHERE kakao_id = ?")
        .bind(kakao_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(id)
}

/// Gives `host_id` spaces until it has `target`; returns how many were created.
async fn create_spaces(
    conn: &mut MySqlConnection,
    host_id: u64,
    reference: &ReferenceIds,
    target: usize,
    rng_seed: u64,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM spaces WHERE host_id = ?")
        .bind(host_id)
        .fetch_one(&mut *conn)
        .await?;
    let missing = target.saturating_sub(existing as usize);
    let mut rng = StdRng::seed_from_u64(rng_seed);
    let spaces: Vec<NewSpace> = (0..missing)
        .map(|n| demo_space(&mut rng, host_id, reference, existing as usize + n, now))
        .collect();
    spaces::insert_many(conn, &spaces).await?;
    Ok(missing)
}

fn demo_space(
    rng: &mut StdRng,
    host_id: u64,
    reference: &ReferenceIds,
    n: usize,
    now: DateTime<Utc>,
) -> NewSpace {
    let district_index = rng.random_range(0..reference.districts.len());
    let category_index = rng.random_range(0..reference.categories.len());
    let (district, lat, lng) = DISTRICTS[district_index % DISTRICTS.len()];
    let category = CATEGORIES[category_index % CATEGORIES.len()];
    let adjective = ADJECTIVES.choose(rng).copied().unwrap_or_default();
    let street = STREETS.choose(rng).copied().unwrap_or_default();
    let min_count = rng.random_range(1..=6u32);
    let max_count = min_count + rng.random_range(2..=30u32);
    let base = rng.random_range(2..=30i64) * 5_000;
    let mut options = Vec::new();
    match rng.random_range(0..4) {
        0 => options.push((Slot::Day, base)),
        1 => options.extend([(Slot::Day, base), (Slot::Night, base + 10_000)]),
        2 => options.extend([(Slot::Night, base), (Slot::All, base * 2)]),
        _ => options.extend([
            (Slot::Day, base),
            (Slot::Night, base + 10_000),
            (Slot::All, base * 2),
        ]),
    }
    // Practice rooms and meeting rooms are mostly rented by the hour, inside opening hours.
    let by_the_hour = category.contains("연습실") || category == "회의실";
    let (opening, min_hours) = if by_the_hour {
        let open = rng.random_range(6..=10u8);
        let close = rng.random_range(20..=24u8);
        options.push((Slot::Hourly, rng.random_range(2..=8i64) * 2_500));
        (
            Hours::new(open, close).expect("open before close"),
            rng.random_range(1..=3u8),
        )
    } else {
        (Hours::WHOLE_DAY, 1)
    };
    let mut facility_ids: Vec<u64> = reference
        .facilities
        .iter()
        .copied()
        .filter(|_| rng.random_bool(0.4))
        .collect();
    facility_ids.sort_unstable();
    NewSpace {
        host_id,
        category_id: reference.categories[category_index],
        district_id: reference.districts[district_index],
        title: format!("{adjective} {district} {category} {}호", n + 1),
        sub_title: format!(
            "{district}역 도보 {}분, 최대 {max_count}명",
            rng.random_range(1..=15)
        ),
        description: format!(
            "{adjective} 분위기의 {category}입니다. {min_count}명부터 {max_count}명까지 \
             이용할 수 있고, 예약 후 바로 입실할 수 있어요."
        ),
        address: format!(
            "서울특별시 {district} {street} {}",
            rng.random_range(1..=300)
        ),
        latitude: Some(lat + rng.random_range(-0.01..0.01)),
        longitude: Some(lng + rng.random_range(-0.01..0.01)),
        min_count,
        max_count,
        options,
        opening,
        min_hours,
        // From the space's number, not the generator: the rest of the demo data stays what it
        // was before policies existed (benchmarks compare runs across that change).
        refund_policy: RefundPolicy::EVERY[n % RefundPolicy::EVERY.len()],
        instant_booking: n % 5 != 4,
        facility_ids,
        created_at: now - Duration::minutes(rng.random_range(0..525_600)),
    }
}

/// 100,000 orders over the next 60 days on the bulk host's spaces: mostly completed (blocking),
/// some canceled (not blocking), each with its history row and, when blocking, its claims.
async fn create_bulk_orders(
    conn: &mut MySqlConnection,
    bulk_host: u64,
    settings: &Settings,
    clock: BusinessClock,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut guests = Vec::with_capacity(BULK_GUESTS);
    for n in 0..BULK_GUESTS {
        let kakao_id = BULK_GUEST_KAKAO_BASE - n as i64;
        guests.push(upsert_user(conn, kakao_id, &format!("게스트{n}"), settings, now).await?);
    }
    #[allow(clippy::type_complexity)]
    let options: Vec<(u64, u64, Slot, i64, u8, u8, u8, RefundPolicy, bool)> = sqlx::query_as(
        "SELECT o.id, o.space_id, o.slot, o.price, s.open_hour, s.close_hour, s.min_hours, \
         s.refund_policy, s.instant_booking \
         FROM space_options o \
         JOIN spaces s ON s.id = o.space_id WHERE s.host_id = ? ORDER BY o.id",
    )
    .bind(bulk_host)
    .fetch_all(&mut *conn)
    .await?;
    anyhow::ensure!(!options.is_empty(), "the bulk host has no options");
    let today = clock.today();
    let mut rng = StdRng::seed_from_u64(99);
    let mut claimed = HashSet::new();
    let booker = ValidBooker::parse(BookerInput {
        name: "벤치게스트".into(),
        phone: "010-0000-0000".into(),
        email: "bench@example.com".into(),
        purpose: None,
        request: None,
    })
    .map_err(|errors| anyhow::anyhow!("the bulk booker is invalid: {errors:?}"))?;
    let mut orders = Vec::with_capacity(BULK_ORDERS);
    while orders.len() < BULK_ORDERS {
        let (option_id, space_id, slot, price, open, close, min_hours, refund_policy, instant) =
            options.choose(&mut rng).context("options")?;
        let slot = *slot;
        let hours = match slot.package_hours() {
            Some(hours) => hours,
            None => {
                let length = (*min_hours + rng.random_range(0..=2)).min(close - open);
                let start = rng.random_range(*open..=close - length);
                Hours::new(start, start + length).context("an hourly run")?
            }
        };
        let amount = slot.cost(*price, hours.len());
        let date = today
            .checked_add_days(Days::new(rng.random_range(0..BULK_DAYS)))
            .context("date overflow")?;
        let canceled = rng.random_bool(0.1);
        if !canceled
            && hours
                .iter()
                .any(|hour| claimed.contains(&(*space_id, date, hour)))
        {
            continue;
        }
        if !canceled {
            for hour in hours.iter() {
                claimed.insert((*space_id, date, hour));
            }
        }
        let user_id = *guests.choose(&mut rng).context("guests")?;
        orders.push(NewOrder {
            user_id,
            space_id: *space_id,
            option_id: *option_id,
            slot,
            price: *price,
            amount,
            date,
            hours,
            headcount: 2,
            status: if canceled {
                OrderStatus::Canceled
            } else {
                OrderStatus::Completed
            },
            hold_expires_at: now,
            refund_policy: *refund_policy,
            instant_booking: *instant,
            approval_deadline: None,
            booker: booker.clone(),
            created_at: now,
        });
    }
    spacecloud_common::db::orders::insert_many(conn, &orders, OrderEventCause::Seeded).await?;
    Ok(orders.len())
}

/// An access token for a demo user, so the API can be explored (Swagger UI's Authorize
/// button, curl) without a Kakao app. This is a CLI command run by someone holding the
/// database and the JWT secret; no HTTP route issues tokens without Kakao.
pub async fn demo_token(
    pool: &MySqlPool,
    jwt: &spacecloud_common::auth::JwtKeys,
    kakao_id: i64,
) -> anyhow::Result<String> {
    let id: Option<u64> =
        sqlx::query_scalar("SELECT id FROM users WHERE kakao_id = ? AND deleted_at IS NULL")
            .bind(kakao_id)
            .fetch_optional(pool)
            .await?;
    let id = id.ok_or_else(|| anyhow::anyhow!("the demo user does not exist; run `seed` first"))?;
    let now = chrono::Utc::now();
    let mut conn = pool.acquire().await?;
    let (login, _) =
        refresh_tokens::start_family(&mut conn, id, demo_login_lifetime(), now).await?;
    Ok(jwt.issue(id, login, now))
}

/// The login a CLI token belongs to is a real one (a refresh-token family nobody holds the
/// refresh token of), so a logout-all or a revocation reaches it like any other.
fn demo_login_lifetime() -> chrono::Duration {
    chrono::Duration::days(1)
}

/// Kakao ids of load-test guests start here (below every demo and bulk user).
const LOAD_TEST_KAKAO_ID_BASE: i64 = -1_000_000;

/// Access tokens of `count` load-test guests, created when missing: benchmarks book as many
/// users, as a busy day would, not as one account.
pub async fn load_test_tokens(
    state: &crate::state::AppState,
    count: u32,
) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    let mut conn = state.pool.acquire().await?;
    let mut tokens = Vec::with_capacity(count as usize);
    for n in 0..i64::from(count) {
        let id = upsert_user(
            &mut conn,
            LOAD_TEST_KAKAO_ID_BASE - n,
            &format!("load{n}"),
            &state.settings,
            now,
        )
        .await?;
        let (login, _) =
            refresh_tokens::start_family(&mut conn, id, demo_login_lifetime(), now).await?;
        tokens.push(state.jwt.issue(id, login, now));
    }
    Ok(tokens)
}

/// Gives every demo space without photos one, through the real pipeline: staged in Redis and
/// queued for the worker, which stores it in the configured storage.
async fn queue_demo_photos(
    pool: &MySqlPool,
    settings: &Settings,
    host_id: u64,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let bare: Vec<u64> = sqlx::query_scalar(
        "SELECT s.id FROM spaces s WHERE s.host_id = ? AND s.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM space_images i WHERE i.space_id = s.id) ORDER BY s.id",
    )
    .bind(host_id)
    .fetch_all(pool)
    .await?;
    let queues = spacecloud_common::jobs::JobQueues::new(settings);
    for &space_id in &bare {
        let photo = demo_photo(space_id);
        let checked = spacecloud_common::hosting::check_uploads(vec![photo])
            .map_err(|err| anyhow::anyhow!("demo photo refused: {err}"))?;
        let space =
            spacecloud_common::hosting::owned_space(&mut *pool.acquire().await?, host_id, space_id)
                .await?;
        spacecloud_common::hosting::import_images(pool, &queues, space, checked, now)
            .await
            .map_err(|err| anyhow::anyhow!("queueing a demo photo: {err}"))?;
    }
    Ok(bare.len())
}

/// A 640 × 427 JPEG with a gradient in a colour of its own per space.
fn demo_photo(space_id: u64) -> Vec<u8> {
    let hue = (space_id * 47 % 255) as u8;
    let image = image::RgbImage::from_fn(640, 427, |x, y| {
        image::Rgb([hue, (x * 255 / 640) as u8, (y * 255 / 427) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("encoding a JPEG in memory cannot fail");
    out
}
