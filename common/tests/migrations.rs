//! Migrations that reshape data are tested on a database holding the old shape: the schema as
//! it was before them, filled through SQL of that time, then migrated forward.

use chrono::NaiveDate;
use spacecloud_common::db::MIGRATOR;
use sqlx::{Connection, Executor, MySqlConnection, migrate::Migrator};

/// The migration that turned half-day claims into hour claims.
const HOUR_CLAIMS: i64 = 20261127000006;

async fn fresh_database() -> (String, MySqlConnection) {
    let name = spacecloud_testkit::unique_name("migration");
    let mut server = MySqlConnection::connect(&spacecloud_testkit::database_server())
        .await
        .expect("connecting to the test MySQL server");
    server
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`")))
        .await
        .unwrap();
    let conn =
        MySqlConnection::connect(&format!("{}/{name}", spacecloud_testkit::database_server()))
            .await
            .unwrap();
    (name, conn)
}

/// The migrations before `version`, as a migrator of their own.
fn migrations_before(version: i64) -> Migrator {
    Migrator {
        migrations: std::borrow::Cow::Owned(
            MIGRATOR
                .migrations
                .iter()
                .filter(|migration| migration.version < version)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

#[tokio::test]
async fn half_day_claims_become_the_claims_of_their_hours() {
    let (name, mut conn) = fresh_database().await;
    migrations_before(HOUR_CLAIMS).run(&mut conn).await.unwrap();

    // The old shape: one space offering every package, a guest, and orders of every package
    // in every status, with their half-day claims as the old code wrote them.
    conn.execute(
        "INSERT INTO users (id, kakao_id, nickname, points, created_at, updated_at) VALUES \
         (1, 1, 'host', 0, NOW(6), NOW(6)), (2, 2, 'guest', 0, NOW(6), NOW(6)); \
         INSERT INTO districts (id, name, latitude, longitude) VALUES (1, 'Gangnam', 37.5, 127.0); \
         INSERT INTO categories (id, name) VALUES (1, 'Studio'); \
         INSERT INTO spaces (id, host_id, category_id, district_id, title, sub_title, \
           description, address, min_count, max_count, min_price, created_at, updated_at) \
         VALUES (1, 1, 1, 1, 'Room', '', '', 'Seoul', 1, 10, 1000, NOW(6), NOW(6)); \
         INSERT INTO space_options (id, space_id, slot, price) VALUES \
           (1, 1, 'day', 1000), (2, 1, 'night', 2000), (3, 1, 'all', 2500);",
    )
    .await
    .unwrap();
    let orders = [
        // id, option, slot, date, status, claim expiry
        (1, 1, "day", "2026-12-01", "completed", None),
        (2, 2, "night", "2026-12-01", "payment_pending", None),
        (
            3,
            3,
            "all",
            "2026-12-02",
            "waiting",
            Some("2026-12-01 10:00:00"),
        ),
        (4, 1, "day", "2026-12-03", "canceled", None),
        (5, 3, "all", "2026-12-03", "completed", None),
    ];
    for (id, option, slot, date, status, expiry) in orders {
        sqlx::query(
            "INSERT INTO orders (id, user_id, space_id, option_id, slot, price, date, headcount, \
             amount, status, hold_expires_at, booker_name, booker_phone, booker_email, \
             created_at, updated_at) \
             VALUES (?, 2, 1, ?, ?, 1000, ?, 2, 1000, ?, NOW(6), 'Kim', '010', 'k@e.com', \
             NOW(6), NOW(6))",
        )
        .bind(id)
        .bind(option)
        .bind(slot)
        .bind(date)
        .bind(status)
        .execute(&mut conn)
        .await
        .unwrap();
        if status == "canceled" {
            continue;
        }
        let halves: &[&str] = if slot == "all" {
            &["day", "night"]
        } else {
            &[slot]
        };
        for half in halves {
            sqlx::query(
                "INSERT INTO slot_claims (space_id, date, slot, order_id, expires_at) \
                 VALUES (1, ?, ?, ?, ?)",
            )
            .bind(date)
            .bind(half)
            .bind(id)
            .bind(expiry)
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }

    MIGRATOR.run(&mut conn).await.unwrap();

    let hours: Vec<(u64, u8, u8)> =
        sqlx::query_as("SELECT id, start_hour, end_hour FROM orders ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        hours,
        vec![(1, 9, 18), (2, 18, 24), (3, 9, 24), (4, 9, 18), (5, 9, 24)],
        "every order states its package's hours"
    );
    let claims: Vec<(u64, NaiveDate, u8, Option<chrono::NaiveDateTime>)> = sqlx::query_as(
        "SELECT order_id, date, hour, expires_at FROM hour_claims ORDER BY date, hour",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let expiry = NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(10, 0, 0);
    let mut expected = Vec::new();
    expected.extend((9..18).map(|hour| (1, day(1), hour, None)));
    expected.extend((18..24).map(|hour| (2, day(1), hour, None)));
    expected.extend((9..24).map(|hour| (3, day(2), hour, expiry)));
    expected.extend((9..24).map(|hour| (5, day(3), hour, None)));
    assert_eq!(
        claims, expected,
        "each half-day claim became its hours, nothing else"
    );
    let old_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'slot_claims'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(old_table, 0);

    // The new table keeps the guarantee: an hour of a space and date is claimed once.
    let taken = sqlx::query(
        "INSERT INTO hour_claims (space_id, date, hour, order_id) VALUES (1, '2026-12-01', 12, 5)",
    )
    .execute(&mut conn)
    .await;
    assert!(taken.is_err(), "a second claim of an hour must fail");
    drop(conn);
    spacecloud_testkit::drop_database(&name).await;
}
