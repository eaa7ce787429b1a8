//! A host's private iCalendar feed (RFC 5545) of one space: a VEVENT per blocking order and
//! per block, from 30 days ago to 365 days ahead, at a secret URL the host can rotate.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
use sha2::{Digest, Sha256};
use sqlx::{FromRow, MySqlConnection};

use crate::{
    domain::{Hours, Moment, OrderStatus},
    error::AppError,
    hosting,
};

/// How far back and ahead the feed reaches, in days.
pub const DAYS_BACK: u64 = 30;
pub const DAYS_AHEAD: u64 = 365;

/// The path of a space's feed under the API's public base URL.
pub fn feed_url(public_base_url: &str, space_id: u64, token: &str) -> String {
    format!("{public_base_url}/api/v1/spaces/{space_id}/calendar.ics?token={token}")
}

fn new_token() -> String {
    // Two v4 UUIDs: 244 random bits, as 64 URL-safe hex characters.
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The feed's secret of the host's space, made on first use.
pub async fn token(
    conn: &mut MySqlConnection,
    host_id: u64,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    hosting::owned_space(conn, host_id, space_id).await?;
    // Two first requests at once: one insert wins, both read the winner.
    sqlx::query(
        "INSERT IGNORE INTO space_calendars (space_id, token, created_at) VALUES (?, ?, ?)",
    )
    .bind(space_id)
    .bind(new_token())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT token FROM space_calendars WHERE space_id = ?")
            .bind(space_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// A new secret for the host's space; the old URL answers 404 from now on.
pub async fn rotate(
    conn: &mut MySqlConnection,
    host_id: u64,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    hosting::owned_space(conn, host_id, space_id).await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO space_calendars (space_id, token, created_at) VALUES (?, ?, ?) \
         ON DUPLICATE KEY UPDATE token = VALUES(token), created_at = VALUES(created_at)",
    )
    .bind(space_id)
    .bind(&token)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

#[derive(FromRow)]
struct FeedOrder {
    id: u64,
    date: NaiveDate,
    start_hour: u8,
    end_hour: u8,
    headcount: u32,
    booker_name: String,
    status: OrderStatus,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct FeedBlock {
    id: u64,
    date: NaiveDate,
    start_hour: u8,
    end_hour: u8,
    reason: String,
    created_at: DateTime<Utc>,
}

/// The feed of a live space when `presented` is its secret; `None` otherwise (answered 404,
/// whether the space or the secret is wrong).
pub async fn feed(
    conn: &mut MySqlConnection,
    space_id: u64,
    presented: &str,
    timezone: Tz,
    moment: Moment,
) -> Result<Option<String>, AppError> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT c.token, s.title FROM space_calendars c JOIN spaces s ON s.id = c.space_id \
         WHERE c.space_id = ? AND s.deleted_at IS NULL",
    )
    .bind(space_id)
    .fetch_optional(&mut *conn)
    .await?;
    // Digests compared, so the time taken says nothing about how much of a guess was right.
    let Some((token, title)) = found.filter(|(token, _)| {
        Sha256::digest(token.as_bytes()) == Sha256::digest(presented.as_bytes())
    }) else {
        return Ok(None);
    };
    drop(token);
    let from = moment.today - Days::new(DAYS_BACK);
    let to = moment.today + Days::new(DAYS_AHEAD);
    let orders: Vec<FeedOrder> = sqlx::query_as(
        "SELECT id, date, start_hour, end_hour, headcount, booker_name, status, updated_at \
         FROM orders WHERE space_id = ? AND date BETWEEN ? AND ? \
         AND status IN ('payment_pending', 'awaiting_approval', 'completed') \
         ORDER BY date, start_hour, id",
    )
    .bind(space_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let blocks: Vec<FeedBlock> = sqlx::query_as(
        "SELECT id, date, start_hour, end_hour, reason, created_at FROM space_blocks \
         WHERE space_id = ? AND date BETWEEN ? AND ? ORDER BY date, start_hour, id",
    )
    .bind(space_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;

    let tzid = timezone.name();
    let mut calendar = Calendar::new();
    // icalendar writes NAME unescaped: a title's control characters would start new lines.
    let name: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    calendar.name(&name).timezone(tzid);
    for order in orders {
        let summary = format!("{} · {}명", order.booker_name, order.headcount);
        let mut event = event(
            &format!("order-{}@spacecloud", order.id),
            // An order's entry changes with its status (TENTATIVE to CONFIRMED): stamped with
            // its last change, so calendar apps take the new version.
            order.updated_at,
            order.date,
            order.start_hour,
            order.end_hour,
            tzid,
        )?;
        event.summary(&summary).add_property(
            "STATUS",
            if order.status == OrderStatus::Completed {
                "CONFIRMED"
            } else {
                "TENTATIVE"
            },
        );
        calendar.push(event.done());
    }
    for block in blocks {
        let summary = if block.reason.is_empty() {
            "Blocked".to_owned()
        } else {
            format!("Blocked: {}", block.reason)
        };
        let mut event = event(
            &format!("block-{}@spacecloud", block.id),
            block.created_at,
            block.date,
            block.start_hour,
            block.end_hour,
            tzid,
        )?;
        event.summary(&summary).add_property("STATUS", "CONFIRMED");
        calendar.push(event.done());
    }
    Ok(Some(with_vtimezone(
        &calendar.done().to_string(),
        &vtimezone(timezone, moment.now),
    )))
}

/// The calendar text with the VTIMEZONE its events name, right after the calendar's own
/// properties. icalendar has no VTIMEZONE component, and writes a UID and a DTSTAMP into any
/// component it does not know (RFC 5545 allows neither in VTIMEZONE), so this one block is
/// written here.
fn with_vtimezone(calendar: &str, vtimezone: &str) -> String {
    let at = calendar
        .find("\r\nBEGIN:VEVENT\r\n")
        .or_else(|| calendar.find("\r\nEND:VCALENDAR"))
        .map_or(calendar.len(), |at| at + 2);
    format!("{}{vtimezone}{}", &calendar[..at], &calendar[at..])
}

/// One VEVENT of `[start_hour, end_hour)` on `date` in the feed's zone. The stamp is the row's
/// last change, so an unchanged row always reads the same.
fn event(
    uid: &str,
    stamp: DateTime<Utc>,
    date: NaiveDate,
    start_hour: u8,
    end_hour: u8,
    tzid: &str,
) -> Result<Event, AppError> {
    let hours = Hours::of_row(start_hour, end_hour)?;
    let at = |hour: u8| -> NaiveDateTime {
        // Hour 24 is the next day's midnight.
        let day = date + Days::new(u64::from(hour / 24));
        day.and_time(NaiveTime::from_hms_opt(u32::from(hour % 24), 0, 0).expect("an hour"))
    };
    let mut event = Event::new();
    event
        .uid(uid)
        .timestamp(stamp)
        .starts(CalendarDateTime::WithTimezone {
            date_time: at(hours.start()),
            tzid: tzid.to_owned(),
        })
        .ends(CalendarDateTime::WithTimezone {
            date_time: at(hours.end()),
            tzid: tzid.to_owned(),
        });
    Ok(event)
}

/// The VTIMEZONE the events' TZID names: one STANDARD rule at the zone's current offset, which
/// is exact for zones without daylight saving time, such as Asia/Seoul (KST since 1988).
fn vtimezone(timezone: Tz, now: DateTime<Utc>) -> String {
    let offset = timezone.offset_from_utc_datetime(&now.naive_utc());
    let seconds = offset.fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    let utc_offset = format!("{sign}{:02}{:02}", seconds / 3600, seconds % 3600 / 60);
    format!(
        "BEGIN:VTIMEZONE\r\nTZID:{}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
         TZOFFSETFROM:{utc_offset}\r\nTZOFFSETTO:{utc_offset}\r\nTZNAME:{offset}\r\n\
         END:STANDARD\r\nEND:VTIMEZONE\r\n",
        timezone.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seoul_is_nine_hours_ahead_all_year() {
        let text = with_vtimezone(
            &Calendar::new().done().to_string(),
            &vtimezone(chrono_tz::Asia::Seoul, Utc::now()),
        );
        assert!(text.contains("TZID:Asia/Seoul"), "{text}");
        assert!(text.contains("TZOFFSETTO:+0900"), "{text}");
        assert!(text.contains("TZNAME:KST"), "{text}");
        assert!(
            text.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"),
            "{text}"
        );
    }

    #[test]
    fn an_event_ending_at_hour_24_ends_at_the_next_midnight() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let mut event = event("x@spacecloud", Utc::now(), date, 18, 24, "Asia/Seoul").unwrap();
        let mut calendar = Calendar::new();
        calendar.push(event.done());
        let text = calendar.done().to_string();
        assert!(
            text.contains("DTSTART;TZID=Asia/Seoul:20261231T180000"),
            "{text}"
        );
        assert!(
            text.contains("DTEND;TZID=Asia/Seoul:20270101T000000"),
            "{text}"
        );
    }
}
