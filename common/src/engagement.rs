//! Likes and reviews: what guests say about spaces, and the counters on `spaces` that the list
//! sorts by. Each counter changes in the same transaction as the row it counts, after locking
//! the space's row, so concurrent toggles and reviews keep the counters exact.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, MySqlConnection, MySqlPool};

use crate::{
    booking::retry_on_deadlock,
    domain::{ConflictCode, ImageStatus, Moment, OrderStatus},
    error::{AppError, FieldError, violated_unique_index},
    hosting::CheckedImage,
    jobs::{JobQueues, ProcessReviewImage},
};

/// Locks a live space's row; returns its host.
async fn lock_live_space(conn: &mut MySqlConnection, space_id: u64) -> Result<u64, AppError> {
    sqlx::query_scalar::<_, u64>(
        "SELECT host_id FROM spaces WHERE id = ? AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(space_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound("space"))
}

/// Records that `user_id` likes the space; liking twice changes nothing.
pub async fn like(
    pool: &MySqlPool,
    user_id: u64,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        lock_live_space(&mut tx, space_id).await?;
        let inserted =
            sqlx::query("INSERT INTO likes (user_id, space_id, created_at) VALUES (?, ?, ?)")
                .bind(user_id)
                .bind(space_id)
                .bind(now)
                .execute(&mut *tx)
                .await;
        match inserted {
            Ok(_) => {
                sqlx::query("UPDATE spaces SET like_count = like_count + 1 WHERE id = ?")
                    .bind(space_id)
                    .execute(&mut *tx)
                    .await?;
                crate::catalogue::record(&mut tx, space_id, now).await?;
            }
            Err(err) if violated_unique_index(&err, &["PRIMARY"]).is_some() => {}
            Err(err) => return Err(err.into()),
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Removes a like; unliking a space one does not like changes nothing.
pub async fn unlike(
    pool: &MySqlPool,
    user_id: u64,
    space_id: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        lock_live_space(&mut tx, space_id).await?;
        let removed = sqlx::query("DELETE FROM likes WHERE user_id = ? AND space_id = ?")
            .bind(user_id)
            .bind(space_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 1 {
            sqlx::query("UPDATE spaces SET like_count = like_count - 1 WHERE id = ?")
                .bind(space_id)
                .execute(&mut *tx)
                .await?;
            crate::catalogue::record(&mut tx, space_id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// A review's grade: 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grade(u8);

impl Grade {
    pub fn parse(value: i64) -> Result<Self, FieldError> {
        u8::try_from(value)
            .ok()
            .filter(|grade| (1..=5).contains(grade))
            .map(Self)
            .ok_or_else(|| FieldError::new("grade", "must be an integer from 1 to 5"))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A review's text: 1 to 2000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewText(String);

impl ReviewText {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let trimmed = value.trim();
        let chars = trimmed.chars().count();
        if (1..=2000).contains(&chars) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(FieldError::new("content", "must be 1 to 2000 characters"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(FromRow)]
struct CandidateOrder {
    id: u64,
    status: OrderStatus,
    date: NaiveDate,
    end_hour: u8,
    reviewed: i64,
}

impl CandidateOrder {
    /// The booked hours are over: the order's date has passed, or it is today and its last
    /// hour has ended (`end_hour` at or before the current hour).
    fn ended(&self, moment: &Moment) -> bool {
        self.date < moment.today || (self.date == moment.today && self.end_hour <= moment.hour)
    }
}

/// Writes a review for the caller's most recent completed stay at the space that has no review
/// yet. Refusals say why: `no_order`, `order_not_completed`, `stay_not_started`,
/// `already_reviewed`.
/// A review as the guest submitted it, checked.
pub struct NewReview {
    pub user_id: u64,
    pub space_id: u64,
    pub grade: Grade,
    pub text: ReviewText,
    pub photo: Option<CheckedImage>,
}

pub async fn review(
    pool: &MySqlPool,
    queues: &JobQueues,
    review: &NewReview,
    moment: Moment,
) -> Result<u64, AppError> {
    let now = moment.now;
    let NewReview {
        user_id,
        space_id,
        grade,
        ref text,
        ref photo,
    } = *review;
    // The photo's bytes go to Redis before the transaction, which then only renames them.
    let staged = match photo {
        Some(photo) => {
            crate::hosting::check_pending_photos(pool, user_id, 1).await?;
            Some(queues.stage_upload(&photo.bytes).await?)
        }
        None => None,
    };
    let reviewed = retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        if lock_live_space(&mut tx, space_id).await? == user_id {
            return Err(AppError::OwnSpace("review"));
        }
        let orders: Vec<CandidateOrder> = sqlx::query_as(
            "SELECT o.id, o.status, o.date, o.end_hour, \
             CAST(EXISTS (SELECT 1 FROM reviews r WHERE r.order_id = o.id) AS SIGNED) AS reviewed \
             FROM orders o WHERE o.user_id = ? AND o.space_id = ? ORDER BY o.date DESC, o.id DESC",
        )
        .bind(user_id)
        .bind(space_id)
        .fetch_all(&mut *tx)
        .await?;
        let completed: Vec<&CandidateOrder> = orders
            .iter()
            .filter(|o| o.status == OrderStatus::Completed)
            .collect();
        let refuse = |code: ConflictCode, detail: &str| AppError::Conflict {
            code,
            detail: detail.to_owned(),
        };
        if orders.is_empty() {
            return Err(refuse(
                ConflictCode::NoOrder,
                "only guests who booked this space can review it",
            ));
        }
        if completed.is_empty() {
            return Err(refuse(
                ConflictCode::OrderNotCompleted,
                "only a paid (completed) booking can be reviewed",
            ));
        }
        let started: Vec<&&CandidateOrder> =
            completed.iter().filter(|o| o.ended(&moment)).collect();
        if started.is_empty() {
            return Err(refuse(
                ConflictCode::StayNotStarted,
                "a booking can be reviewed once its booked hours have ended",
            ));
        }
        let Some(order) = started.iter().find(|o| o.reviewed == 0) else {
            return Err(refuse(
                ConflictCode::AlreadyReviewed,
                "every stay here is already reviewed",
            ));
        };
        let inserted = sqlx::query(
            "INSERT INTO reviews (order_id, space_id, user_id, grade, content, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(order.id)
        .bind(space_id)
        .bind(user_id)
        .bind(grade.get())
        .bind(text.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await;
        let review_id = match inserted {
            Ok(done) => done.last_insert_id(),
            Err(err) if violated_unique_index(&err, &["reviews_order_unique"]).is_some() => {
                return Err(refuse(
                    ConflictCode::AlreadyReviewed,
                    "this stay is already reviewed",
                ));
            }
            Err(err) => return Err(err.into()),
        };
        if let Some(photo) = photo {
            let folder = format!("reviews/{review_id}/{}", uuid::Uuid::new_v4().simple());
            sqlx::query(
                "UPDATE reviews SET image_status = ?, image_original_key = ?, \
                 image_web_key = ?, image_thumbnail_key = ? WHERE id = ?",
            )
            .bind(ImageStatus::Processing)
            .bind(format!("{folder}/original.{}", photo.kind.extension()))
            .bind(format!("{folder}/web.jpg"))
            .bind(format!("{folder}/thumb.jpg"))
            .bind(review_id)
            .execute(&mut *tx)
            .await?;
            // Handed over and queued before the commit: a Redis failure leaves no review
            // behind, and a job whose review never committed finds nothing to do.
            if let Some(staged) = &staged {
                queues.adopt_review_image(staged, review_id).await?;
            }
            queues.enqueue(ProcessReviewImage { review_id }).await?;
        }
        sqlx::query(
            "UPDATE spaces SET review_count = review_count + 1, rating_sum = rating_sum + ? \
             WHERE id = ?",
        )
        .bind(grade.get())
        .bind(space_id)
        .execute(&mut *tx)
        .await?;
        crate::catalogue::record(&mut tx, space_id, now).await?;
        tx.commit().await?;
        Ok(review_id)
    })
    .await;
    if reviewed.is_err()
        && let Some(staged) = staged
    {
        queues.discard(&[staged]).await;
    }
    reviewed
}

#[derive(Debug, Clone, FromRow)]
pub struct ReviewRow {
    pub id: u64,
    pub user_id: u64,
    pub nickname: String,
    pub grade: u8,
    pub content: String,
    pub image_web_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A page of a live space's reviews, newest first, and the total; `None` if no such space.
pub async fn reviews_of(
    conn: &mut MySqlConnection,
    space_id: u64,
    limit: u32,
    offset: u64,
) -> Result<Option<(Vec<ReviewRow>, u64)>, AppError> {
    let count: Option<i64> = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM reviews r WHERE r.space_id = s.id) FROM spaces s \
         WHERE s.id = ? AND s.deleted_at IS NULL",
    )
    .bind(space_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(total) = count else {
        return Ok(None);
    };
    let rows = sqlx::query_as(
        "SELECT r.id, r.user_id, u.nickname, r.grade, r.content, \
         CASE WHEN r.image_status = ? THEN r.image_web_key END AS image_web_key, r.created_at \
         FROM reviews r JOIN users u ON u.id = r.user_id WHERE r.space_id = ? \
         ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
    )
    .bind(ImageStatus::Ready)
    .bind(space_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((rows, total as u64)))
}

/// A review's photo as the worker needs it: status and object keys.
#[derive(Debug, Clone, FromRow)]
pub struct ReviewPhotoRow {
    pub image_status: Option<ImageStatus>,
    pub image_original_key: Option<String>,
    pub image_web_key: Option<String>,
    pub image_thumbnail_key: Option<String>,
}

pub async fn review_photo(
    conn: &mut MySqlConnection,
    review_id: u64,
) -> Result<Option<ReviewPhotoRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT image_status, image_original_key, image_web_key, \
         image_thumbnail_key FROM reviews WHERE id = ?",
    )
    .bind(review_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Reviews whose photo is still `processing` since before `before` (at most 1,000).
pub async fn stuck_review_photos(
    conn: &mut MySqlConnection,
    before: DateTime<Utc>,
) -> Result<Vec<u64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM reviews WHERE image_status = ? AND created_at <= ? \
         ORDER BY created_at LIMIT 1000",
    )
    .bind(ImageStatus::Processing)
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

/// Records the outcome of a review photo's processing; only a `processing` photo changes.
/// Returns whether it did.
pub async fn finish_review_photo(
    conn: &mut MySqlConnection,
    review_id: u64,
    size: Option<(u32, u32)>,
) -> Result<bool, sqlx::Error> {
    let (status, width, height) = match size {
        Some((width, height)) => (ImageStatus::Ready, Some(width), Some(height)),
        None => (ImageStatus::Failed, None, None),
    };
    let changed = sqlx::query(
        "UPDATE reviews SET image_status = ?, image_width = ?, image_height = ? \
         WHERE id = ? AND image_status = ?",
    )
    .bind(status)
    .bind(width)
    .bind(height)
    .bind(review_id)
    .bind(ImageStatus::Processing)
    .execute(&mut *conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn grades_are_one_to_five(value in any::<i64>()) {
            prop_assert_eq!(Grade::parse(value).is_ok(), (1..=5).contains(&value));
        }

        #[test]
        fn review_text_is_trimmed_and_bounded(value in "\\PC{0,2100}") {
            if let Ok(text) = ReviewText::parse(&value) {
                prop_assert!((1..=2000).contains(&text.as_str().chars().count()));
                prop_assert_eq!(text.as_str(), text.as_str().trim());
            }
        }
    }
}
