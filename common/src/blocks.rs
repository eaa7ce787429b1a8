//! A host's blocks: hours of a date on which their space cannot be booked. A block claims its
//! hours in `hour_claims` exactly as a blocking order does, so the database refuses a block
//! over a booking and a booking over a block, whichever commits first.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::{FromRow, MySqlConnection, MySqlPool, QueryBuilder};

use crate::{
    booking::retry_on_deadlock,
    clock::BusinessClock,
    db::orders::{ClaimKeys, DELETE_CLAIMS, HOUR_CLAIMS_PRIMARY, lock_claims},
    domain::{ConflictCode, Hours, MAX_DAYS_AHEAD},
    error::{AppError, FieldError, violated_unique_index},
    hosting,
};

/// The columns of [`BlockRow`], as a literal so that `concat!` builds whole static queries.
macro_rules! select_block {
    () => {
        "SELECT id, space_id, date, start_hour, end_hour, reason, created_at FROM space_blocks"
    };
}

/// The longest `reason`, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// The widest range one listing of blocks spans, in days (both ends included).
pub const MAX_LIST_DAYS: u64 = 366;

/// A block as a host asks for it; hours default to the whole day.
#[derive(Debug, Clone)]
pub struct BlockInput {
    pub date: NaiveDate,
    pub start_hour: Option<i64>,
    pub end_hour: Option<i64>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct BlockRow {
    pub id: u64,
    pub space_id: u64,
    pub date: NaiveDate,
    pub start_hour: u8,
    pub end_hour: u8,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// A block that passed every rule.
#[derive(Debug, Clone)]
struct ValidBlock {
    date: NaiveDate,
    hours: Hours,
    reason: String,
}

fn validate(input: &BlockInput, today: NaiveDate) -> Result<ValidBlock, AppError> {
    let mut errors = Vec::new();
    let last_day = today.checked_add_days(Days::new(MAX_DAYS_AHEAD));
    if input.date < today || last_day.is_some_and(|last| input.date > last) {
        errors.push(FieldError::new(
            "date",
            format!("must be today or up to {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    let hour = |field: &str, value: i64, errors: &mut Vec<FieldError>| -> u8 {
        if (0..=i64::from(Hours::DAY_END)).contains(&value) {
            value as u8
        } else {
            errors.push(FieldError::new(field, "must be between 0 and 24"));
            0
        }
    };
    let start = hour("start_hour", input.start_hour.unwrap_or(0), &mut errors);
    let end = hour(
        "end_hour",
        input.end_hour.unwrap_or(i64::from(Hours::DAY_END)),
        &mut errors,
    );
    let hours = Hours::new(start, end);
    if hours.is_none() && errors.is_empty() {
        errors.push(FieldError::new("end_hour", "must be after start_hour"));
    }
    let reason = input.reason.as_deref().unwrap_or("").trim().to_owned();
    if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters, no control characters"),
        ));
    }
    match hours {
        Some(hours) if errors.is_empty() => Ok(ValidBlock {
            date: input.date,
            hours,
            reason,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Blocks hours of the host's space. `slot_unavailable` when a blocking order (or another
/// block) holds any of them.
pub async fn create(
    pool: &MySqlPool,
    host_id: u64,
    space_id: u64,
    input: &BlockInput,
    clock: &BusinessClock,
) -> Result<BlockRow, AppError> {
    let block = validate(input, clock.date_of(clock.now()))?;
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        // The space's row first, exclusively, as a hold takes it (docs/locking.md, rank 2).
        hosting::lock_owned_space(&mut tx, host_id, space_id).await?;
        let now = clock.now();
        let id = sqlx::query(
            "INSERT INTO space_blocks (space_id, date, start_hour, end_hour, reason, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(space_id)
        .bind(block.date)
        .bind(block.hours.start())
        .bind(block.hours.end())
        .bind(&block.reason)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .last_insert_id();
        let keys = ClaimKeys {
            space_id,
            date: block.date,
            hours: block.hours,
        };
        // A hold that ran out blocks nothing, whether or not the expiry job has run; the
        // range is locked first, in key order, as a hold locks it.
        lock_claims(&mut tx, keys).await?;
        let mut stale = keys.statement(DELETE_CLAIMS);
        stale
            .push(" AND expires_at IS NOT NULL AND expires_at <= ")
            .push_bind(now);
        stale.build().execute(&mut *tx).await?;
        insert_claims(&mut tx, id, keys).await?;
        crate::catalogue::record_claims(&mut tx, space_id, now).await?;
        let row = find(&mut tx, space_id, id)
            .await?
            .ok_or(AppError::NotFound("block"))?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

async fn insert_claims(
    conn: &mut MySqlConnection,
    block_id: u64,
    keys: ClaimKeys,
) -> Result<(), AppError> {
    let mut insert = QueryBuilder::new("INSERT INTO hour_claims (space_id, date, hour, block_id) ");
    insert.push_values(keys.hours.iter(), |mut row, hour| {
        row.push_bind(keys.space_id)
            .push_bind(keys.date)
            .push_bind(hour)
            .push_bind(block_id);
    });
    match insert.build().execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(err) if violated_unique_index(&err, &[HOUR_CLAIMS_PRIMARY]).is_some() => {
            Err(AppError::Conflict {
                code: ConflictCode::SlotUnavailable,
                detail: "a booking or another block already holds some of those hours".into(),
            })
        }
        Err(err) => Err(err.into()),
    }
}

/// Removes a block of the host's space; its hours become bookable again.
pub async fn delete(
    pool: &MySqlPool,
    host_id: u64,
    space_id: u64,
    block_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        hosting::lock_owned_space(&mut tx, host_id, space_id).await?;
        let block: Option<BlockRow> = sqlx::query_as(concat!(
            select_block!(),
            " WHERE id = ? AND space_id = ? FOR UPDATE"
        ))
        .bind(block_id)
        .bind(space_id)
        .fetch_optional(&mut *tx)
        .await?;
        let block = block.ok_or(AppError::NotFound("block"))?;
        let hours = Hours::of_row(block.start_hour, block.end_hour)?;
        let keys = ClaimKeys {
            space_id,
            date: block.date,
            hours,
        };
        let mut release = keys.statement(DELETE_CLAIMS);
        release.push(" AND block_id = ").push_bind(block_id);
        release.build().execute(&mut *tx).await?;
        sqlx::query("DELETE FROM space_blocks WHERE id = ?")
            .bind(block_id)
            .execute(&mut *tx)
            .await?;
        crate::catalogue::record_claims(&mut tx, space_id, now).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The blocks of the host's space dated `from..=to`, by date and hour.
pub async fn list(
    conn: &mut MySqlConnection,
    host_id: u64,
    space_id: u64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BlockRow>, AppError> {
    hosting::owned_space(conn, host_id, space_id).await?;
    Ok(sqlx::query_as(concat!(
        select_block!(),
        " WHERE space_id = ? AND date BETWEEN ? AND ? ORDER BY date, start_hour"
    ))
    .bind(space_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?)
}

/// `from..=to` of a listing: `from` defaults to today, `to` to `from` + 30 days; at most
/// [`MAX_LIST_DAYS`] days.
pub fn list_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let from = from.unwrap_or(today);
    let to = to.unwrap_or_else(|| from.checked_add_days(Days::new(30)).unwrap_or(from));
    if to < from {
        return Err(AppError::invalid("to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_LIST_DAYS as i64 {
        return Err(AppError::invalid(
            "to",
            format!("the range spans at most {MAX_LIST_DAYS} days"),
        ));
    }
    Ok((from, to))
}

async fn find(
    conn: &mut MySqlConnection,
    space_id: u64,
    block_id: u64,
) -> Result<Option<BlockRow>, AppError> {
    Ok(
        sqlx::query_as(concat!(select_block!(), " WHERE id = ? AND space_id = ?"))
            .bind(block_id)
            .bind(space_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(date: NaiveDate, start: Option<i64>, end: Option<i64>) -> BlockInput {
        BlockInput {
            date,
            start_hour: start,
            end_hour: end,
            reason: None,
        }
    }

    #[test]
    fn hours_default_to_the_whole_day_and_must_run_forward() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let whole = validate(&input(today, None, None), today).unwrap();
        assert_eq!((whole.hours.start(), whole.hours.end()), (0, 24));
        assert!(validate(&input(today, Some(14), Some(14)), today).is_err());
        assert!(validate(&input(today, Some(15), Some(14)), today).is_err());
        assert!(validate(&input(today, Some(-1), None), today).is_err());
        assert!(validate(&input(today, None, Some(25)), today).is_err());
        let yesterday = today.pred_opt().unwrap();
        assert!(validate(&input(yesterday, None, None), today).is_err());
    }

    #[test]
    fn a_listing_spans_at_most_a_year_and_a_day() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let (from, to) = list_range(None, None, today).unwrap();
        assert_eq!((from, (to - from).num_days()), (today, 30));
        let last = today + Days::new(MAX_LIST_DAYS - 1);
        assert!(list_range(Some(today), Some(last), today).is_ok());
        assert!(list_range(Some(today), Some(last + Days::new(1)), today).is_err());
        assert!(list_range(Some(today), Some(today.pred_opt().unwrap()), today).is_err());
    }
}
