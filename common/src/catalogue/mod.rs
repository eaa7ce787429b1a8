//! The catalogue's outbox: what tells every API process's in-memory catalogue that a space's
//! public detail changed. Writers record the space in the transaction that changes it, so the
//! record commits (or rolls back) with the change; readers follow the records in id order and
//! reload the spaces they name. See docs/catalogue.md.

pub mod model;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use crate::error::AppError;

/// Records, inside the caller's transaction, that what `space_id` shows changed.
pub async fn record(
    conn: &mut MySqlConnection,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    insert_record(conn, space_id, now, false).await
}

/// Records, inside the caller's transaction, that only `space_id`'s claimed hours changed.
pub async fn record_claims(
    conn: &mut MySqlConnection,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    insert_record(conn, space_id, now, true).await
}

async fn insert_record(
    conn: &mut MySqlConnection,
    space_id: u64,
    now: DateTime<Utc>,
    claims_only: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO catalogue_changes (space_id, created_at, claims_only) VALUES (?, ?, ?)",
    )
    .bind(space_id)
    .bind(now)
    .bind(claims_only)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One record of the outbox: the space it names, and whether only its claims changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct Change {
    pub id: u64,
    pub space_id: u64,
    pub claims_only: bool,
}

/// Records a change of every live space of `host_id` (their detail names the host).
pub async fn record_host(
    conn: &mut MySqlConnection,
    host_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO catalogue_changes (space_id, created_at) \
         SELECT id, ? FROM spaces WHERE host_id = ? AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(host_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The Redis channel on which writers announce new records, so readers need not wait for
/// their next poll.
pub fn wake_channel(queue_prefix: &str) -> String {
    format!("{queue_prefix}:catalogue:changed")
}

/// Tells every API process (through Redis) that the outbox has news. Best effort, bounded to
/// 200 ms: a process that misses it finds the change at its next poll.
pub async fn announce(queues: &crate::jobs::JobQueues) {
    let published = async {
        let mut conn = queues.connection().await?;
        redis::cmd("PUBLISH")
            .arg(wake_channel(queues.prefix()))
            .arg("1")
            .query_async::<i64>(&mut conn)
            .await?;
        Ok::<_, AppError>(())
    };
    match tokio::time::timeout(std::time::Duration::from_millis(200), published).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::debug!(error = %err, "catalogue wake-up not published"),
        Err(_) => tracing::debug!("catalogue wake-up not published in time"),
    }
}

/// Records, inside the caller's transaction, that the space of photo `image_id` changed.
pub async fn record_image(
    conn: &mut MySqlConnection,
    image_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO catalogue_changes (space_id, created_at) \
         SELECT space_id, ? FROM space_images WHERE id = ?",
    )
    .bind(now)
    .bind(image_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How long an id missing from the outbox is watched before it is taken for a rolled-back
/// transaction: longer than any transaction of ours can stay open (InnoDB's lock wait
/// timeout is 50 s).
pub const GAP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// How many records one read of the outbox returns at most; a reader that got this many reads
/// again at once.
pub const PAGE: usize = 5_000;

/// How long records are kept: a reader that fell further behind reloads everything.
pub const RETENTION_HOURS: i64 = 24;

/// A reader's place in the outbox: every id up to `through` is applied or given up on, ids
/// above it that are missing (`gaps`, since when) may still commit.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    through: u64,
    newest: u64,
    gaps: Gaps,
    given_up: u64,
}

/// Runs of missing ids, each with when it was first seen missing: a run is one entry however
/// long it is (a host renamed with 100,000 spaces takes 100,000 ids in one transaction).
#[derive(Debug, Clone, Default)]
struct Gaps(BTreeMap<u64, (u64, std::time::Instant)>);

impl Gaps {
    /// Watches `first..=last` (above every run already watched).
    fn add(&mut self, first: u64, last: u64, since: std::time::Instant) {
        if first <= last {
            self.0.insert(first, (last, since));
        }
    }

    fn run_of(&self, id: u64) -> Option<(u64, u64, std::time::Instant)> {
        let (&first, &(last, since)) = self.0.range(..=id).next_back()?;
        (id <= last).then_some((first, last, since))
    }

    fn contains(&self, id: u64) -> bool {
        self.run_of(id).is_some()
    }

    /// Stops watching `id`, splitting its run.
    fn fill(&mut self, id: u64) {
        if let Some((first, last, since)) = self.run_of(id) {
            self.0.remove(&first);
            if first < id {
                self.0.insert(first, (id - 1, since));
            }
            if id < last {
                self.0.insert(id + 1, (last, since));
            }
        }
    }

    fn bounds(&self) -> Option<(u64, u64)> {
        let (&first, _) = self.0.first_key_value()?;
        let (_, &(last, _)) = self.0.last_key_value()?;
        Some((first, last))
    }

    fn len(&self) -> u64 {
        self.0
            .values()
            .zip(self.0.keys())
            .map(|((last, _), first)| last - first + 1)
            .sum()
    }

    /// Forgets runs first seen `patience` or more before `now`; returns how many ids they held.
    fn give_up(&mut self, now: std::time::Instant, patience: std::time::Duration) -> u64 {
        let before = self.len();
        self.0
            .retain(|_, (_, since)| now.duration_since(*since) < patience);
        before - self.len()
    }
}

impl Cursor {
    /// A cursor that has applied nothing yet, placed where the outbox is now. Ids among the
    /// newest `in_flight` below that point that are not there yet are watched as gaps: their
    /// transactions may still commit after the reader's initial load has read past them.
    pub async fn start(pool: &MySqlPool, in_flight: u64) -> Result<Self, AppError> {
        let newest: u64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS UNSIGNED) FROM catalogue_changes",
        )
        .fetch_one(pool)
        .await?;
        let from = newest.saturating_sub(in_flight);
        let present: Vec<u64> = sqlx::query_scalar(
            "SELECT id FROM catalogue_changes WHERE id > ? AND id <= ? ORDER BY id",
        )
        .bind(from)
        .bind(newest)
        .fetch_all(pool)
        .await?;
        let now = std::time::Instant::now();
        let mut cursor = Self {
            through: from,
            newest,
            gaps: Gaps::default(),
            given_up: 0,
        };
        // `present` is in id order: the runs between its ids are missing.
        let mut next = from + 1;
        for id in present {
            cursor.gaps.add(next, id.saturating_sub(1), now);
            next = id + 1;
        }
        cursor.gaps.add(next, newest, now);
        cursor.settle();
        Ok(cursor)
    }

    /// The records this cursor has not applied yet (new ones, and gaps that have since
    /// committed), as `(id, space_id)` in id order; `commit` them once applied.
    pub async fn pending(&self, pool: &MySqlPool) -> Result<Vec<Change>, AppError> {
        let mut rows: Vec<Change> = sqlx::query_as(
            "SELECT id, space_id, claims_only FROM catalogue_changes WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(self.newest)
        .bind(PAGE as u64)
        .fetch_all(pool)
        .await?;
        if let Some((first, last)) = self.gaps.bounds() {
            // One range read, filtered here: however many gaps, one statement of two bounds.
            let filled: Vec<Change> = sqlx::query_as(
                "SELECT id, space_id, claims_only FROM catalogue_changes WHERE id >= ? AND id <= ?",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?;
            rows.extend(
                filled
                    .into_iter()
                    .filter(|change| self.gaps.contains(change.id)),
            );
            rows.sort_unstable();
        }
        Ok(rows)
    }

    /// Marks `applied` (from `pending`) as done: ids skipped over become gaps, filled gaps are
    /// forgotten, and gaps older than `GAP_PATIENCE` are given up.
    pub fn commit(&mut self, applied: &[Change]) {
        self.commit_at(
            applied.iter().map(|change| change.id),
            std::time::Instant::now(),
        );
    }

    fn commit_at(&mut self, applied: impl IntoIterator<Item = u64>, now: std::time::Instant) {
        for id in applied {
            if id > self.newest {
                self.gaps.add(self.newest + 1, id - 1, now);
                self.newest = id;
            } else {
                self.gaps.fill(id);
            }
        }
        let given_up = self.gaps.give_up(now, GAP_PATIENCE);
        if given_up > 0 {
            // Rolled back, almost always; a transaction that commits its record later than this
            // is missed, which is why it is said.
            self.given_up += given_up;
            tracing::info!(
                outbox.gaps_given_up = given_up,
                outbox.gaps_given_up_total = self.given_up,
                "catalogue outbox ids never committed within the patience; taken as rolled back"
            );
        }
        self.settle();
    }

    fn settle(&mut self) {
        self.through = self
            .gaps
            .bounds()
            .map_or(self.newest, |(first, _)| first - 1);
    }

    /// Ids still watched for a late commit.
    pub fn gaps(&self) -> u64 {
        self.gaps.len()
    }

    /// Every id up to this one is applied or given up on.
    pub fn through(&self) -> u64 {
        self.through
    }
}

/// Forgets records older than `RETENTION_HOURS`; the sweep runs it.
pub async fn prune(pool: &MySqlPool, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM catalogue_changes WHERE created_at < ? LIMIT 10000")
            .bind(now - Duration::hours(RETENTION_HOURS))
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor::default()
    }

    #[test]
    fn ids_skipped_over_are_watched_until_they_commit() {
        let mut cursor = cursor();
        cursor.commit_at([1, 2, 5], std::time::Instant::now());
        assert_eq!(cursor.gaps(), 2, "3 and 4 may still commit");
        assert_eq!(cursor.through(), 2);
        cursor.commit_at([4], std::time::Instant::now());
        assert_eq!(cursor.through(), 2);
        cursor.commit_at([3, 6], std::time::Instant::now());
        assert_eq!(cursor.gaps(), 0);
        assert_eq!(cursor.through(), 6);
    }

    #[test]
    fn a_run_of_any_length_is_watched_and_split_as_its_ids_commit() {
        let mut cursor = cursor();
        // A host with 100,000 spaces renamed in a transaction still open.
        cursor.commit_at([1, 100_002], std::time::Instant::now());
        assert_eq!(cursor.gaps(), 100_000);
        assert_eq!(cursor.through(), 1);
        cursor.commit_at([2, 50_000], std::time::Instant::now());
        assert_eq!(cursor.gaps(), 99_998);
        assert_eq!(cursor.through(), 2);
        assert!(cursor.gaps.contains(49_999) && cursor.gaps.contains(50_001));
        assert!(!cursor.gaps.contains(50_000));
        cursor.commit_at(
            (3..100_002).filter(|id| *id != 50_000),
            std::time::Instant::now(),
        );
        assert_eq!(cursor.gaps(), 0);
        assert_eq!(cursor.through(), 100_002);
    }

    #[test]
    fn gaps_are_given_up_after_their_patience() {
        let mut cursor = cursor();
        cursor.commit_at([1, 3], std::time::Instant::now());
        assert_eq!(cursor.through(), 1);
        let later = std::time::Instant::now() + GAP_PATIENCE + std::time::Duration::from_secs(1);
        cursor.commit_at([], later);
        assert_eq!(cursor.gaps(), 0);
        assert_eq!(cursor.through(), 3);
    }
}
