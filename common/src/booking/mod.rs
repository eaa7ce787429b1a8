//! The booking rules of API.md made true under concurrency: placing a hold, paying, settling,
//! cancelling and expiring. Every state change is guarded by the order's current state inside
//! a transaction that also writes the order's history, so retried or duplicated work changes
//! nothing the second time.

pub mod idempotency;
pub mod payment;

use std::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{FromRow, MySqlConnection, MySqlPool};

use crate::{
    clock::BusinessClock,
    db::orders::{self, ClaimKeys, NewOrder},
    domain::{
        BookerInput, BookingDate, Cancelable, Cancellation, ConflictCode, HourlyRules, Hours,
        OrderEventCause, OrderStatus, RefundPolicy, Slot, ValidBooker, booked_hours, validation,
    },
    error::{AppError, FieldError},
    jobs::{JobQueues, SettlePayment},
    notifications::{self, About, NotificationKind},
};
use idempotency::{IdempotencyKey, Reservation};
use payment::{Charge, PaymentProvider};

/// A guest's booking request as it arrived (ids and values not yet checked against the space).
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub space_id: u64,
    pub option_id: u64,
    pub date: NaiveDate,
    /// `[start_hour, end_hour)` of an hourly option; a package takes neither.
    pub start_hour: Option<i64>,
    pub end_hour: Option<i64>,
    pub headcount: i64,
    pub booker: BookerInput,
}

impl BookingRequest {
    /// What an `Idempotency-Key` is bound to: every field of the request under a fixed name,
    /// so the fingerprint changes only when the request does (not with a compiler, a `Debug`
    /// format or a renamed field).
    pub fn fingerprint(&self) -> Vec<u8> {
        let booker = &self.booker;
        let mut fingerprint = serde_json::json!({
            "space_id": self.space_id,
            "option_id": self.option_id,
            "date": self.date.to_string(),
            "headcount": self.headcount,
            "booker": {
                "name": booker.name,
                "phone": booker.phone,
                "email": booker.email,
                "purpose": booker.purpose,
                "request": booker.request,
            },
        });
        // Only when sent: a package request keeps the fingerprint it had before hours existed,
        // so keys stored then still replay.
        for (name, value) in [("start_hour", self.start_hour), ("end_hour", self.end_hour)] {
            if let Some(value) = value {
                fingerprint[name] = value.into();
            }
        }
        fingerprint.to_string().into_bytes()
    }
}

/// The booking rules that come from configuration; built once at start-up.
#[derive(Debug, Clone, Copy)]
pub struct BookingPolicy {
    /// How long a `waiting` order holds its slot (`ORDER_HOLD_MINUTES`).
    pub hold: Duration,
    /// How many running holds one user may have at once (`MAX_WAITING_HOLDS`): without a bound
    /// one account could keep a competitor's calendar closed at one request a second.
    pub max_waiting_holds: u32,
    /// How long a host has to decide on a request to book (`APPROVAL_HOURS`).
    pub approval: Duration,
}

impl BookingPolicy {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Self {
            hold: Duration::minutes(i64::from(settings.order_hold_minutes)),
            max_waiting_holds: settings.max_waiting_holds,
            approval: Duration::hours(i64::from(settings.approval_hours)),
        }
    }
}

/// The result of an operation that honours an idempotency key: the order it concerns, and
/// whether this answer replays an earlier request (with that request's recorded response).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub order_id: u64,
    pub replayed: bool,
    pub first_response: Option<(u16, Vec<u8>)>,
}

#[derive(FromRow)]
struct BookableOption {
    space_id: u64,
    slot: Slot,
    price: i64,
    min_count: u32,
    max_count: u32,
    open_hour: u8,
    close_hour: u8,
    min_hours: u8,
}

impl BookableOption {
    fn hourly_rules(&self) -> HourlyRules {
        HourlyRules {
            // The schema's CHECK keeps open < close <= 24.
            opening: Hours::opening(self.open_hour, self.close_hour),
            min_hours: self.min_hours,
        }
    }
}

/// Validates a booking and, in one transaction, claims its hours and creates the
/// `waiting` order. The loser of a race for the same slot gets `slot_unavailable`.
pub async fn place_order(
    pool: &MySqlPool,
    user_id: u64,
    request: &BookingRequest,
    key: Option<&IdempotencyKey>,
    policy: &BookingPolicy,
    clock: &BusinessClock,
) -> Result<Outcome, AppError> {
    let mut errors = Vec::new();
    let date = BookingDate::parse("date", request.date, clock.today()).map_err(|e| errors.push(e));
    let booker = ValidBooker::parse(request.booker.clone()).map_err(|e| errors.extend(e));
    let option: Option<BookableOption> = sqlx::query_as(
        "SELECT o.space_id, o.slot, o.price, s.min_count, s.max_count, s.open_hour, \
         s.close_hour, s.min_hours \
         FROM space_options o JOIN spaces s ON s.id = o.space_id \
         WHERE o.id = ? AND s.id = ? AND s.deleted_at IS NULL",
    )
    .bind(request.option_id)
    .bind(request.space_id)
    .fetch_optional(pool)
    .await?;
    let option = match option {
        Some(option) => option,
        None => {
            let space_exists: Option<u64> =
                sqlx::query_scalar("SELECT id FROM spaces WHERE id = ? AND deleted_at IS NULL")
                    .bind(request.space_id)
                    .fetch_optional(pool)
                    .await?;
            if space_exists.is_none() {
                return Err(AppError::NotFound("space"));
            }
            errors.push(FieldError::new(
                "option_id",
                "is not an option of this space",
            ));
            return Err(AppError::Validation(errors));
        }
    };
    if request.headcount < i64::from(option.min_count)
        || request.headcount > i64::from(option.max_count)
    {
        errors.push(FieldError::new(
            "headcount",
            format!(
                "must be between {} and {} for this space",
                option.min_count, option.max_count
            ),
        ));
    }
    let hours = booked_hours(
        option.slot,
        request.start_hour,
        request.end_hour,
        option.hourly_rules(),
        request.date,
        &clock.moment_of(clock.now()),
    )
    .map_err(|e| errors.extend(e));
    validation(errors)?;
    let (Ok(date), Ok(booker), Ok(hours)) = (date, booker, hours) else {
        unreachable!("errors were reported above");
    };
    let slot = option.slot;
    let amount = slot.cost(option.price, hours.len());
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        // The hold's clock starts once the transaction has its connection: a request that
        // waited for the pool neither loses minutes of its hold nor judges other holds stale
        // by an instant that has long passed.
        let now = clock.now();
        // Judged again at the instant the hold starts: a request that waited (for the pool, a
        // lock, a retry) past the turn of the hour must not book an hour that has started.
        if slot == Slot::Hourly && hours.start() < clock.moment_of(now).first_open_hour(date.get())
        {
            return Err(AppError::invalid(
                "start_hour",
                "that hour has started; book from the next full hour",
            ));
        }
        let mut order = NewOrder {
            user_id,
            space_id: option.space_id,
            option_id: request.option_id,
            slot,
            price: option.price,
            amount,
            date: date.get(),
            hours,
            headcount: request.headcount as u32,
            status: OrderStatus::Waiting,
            hold_expires_at: now + policy.hold,
            // Read below, under the space's lock: the terms the order is placed under.
            refund_policy: RefundPolicy::default(),
            instant_booking: true,
            approval_deadline: None,
            booker: booker.clone(),
            created_at: now,
        };
        // The space's row first, exclusively: every transaction that locks a space and a user
        // (likes, reviews, this one through its foreign keys) takes the space first, a host's
        // PATCH or delete waits for the holds in flight, and holds of one space take their
        // claims one after another. Concurrent multi-row claim inserts into one range could
        // otherwise deadlock: a first inserter that rolls back on a later hour leaves two
        // waiters each granted a shared duplicate-key lock, each then wanting to insert.
        let space: Option<(i64, u64, RefundPolicy, bool)> = sqlx::query_as(
            "SELECT deleted_at IS NULL, host_id, refund_policy, instant_booking FROM spaces \
             WHERE id = ? FOR UPDATE",
        )
        .bind(order.space_id)
        .fetch_optional(&mut *tx)
        .await?;
        // The user's row, exclusively, after the space's and before the idempotency key (whose
        // foreign key would share-lock it; two holds upgrading that to exclusive would
        // deadlock): one user's holds are counted and placed one at a time, so two at once
        // cannot both pass the bound.
        sqlx::query("SELECT id FROM users WHERE id = ? FOR UPDATE")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if let Some(key) = key {
            match idempotency::reserve(&mut tx, key, now).await? {
                Reservation::Reserved => {}
                Reservation::Replay(replay) => {
                    return Ok(Outcome {
                        order_id: replay.order_id,
                        replayed: true,
                        first_response: replay.first_response,
                    });
                }
            }
        }
        let host_id = match space {
            Some((1, host_id, refund_policy, instant_booking)) => {
                order.refund_policy = refund_policy;
                order.instant_booking = instant_booking;
                host_id
            }
            _ => return Err(AppError::NotFound("space")),
        };
        if host_id == user_id {
            return Err(AppError::OwnSpace("book"));
        }
        let holding: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE user_id = ? AND status = ? AND hold_expires_at > ?",
        )
        .bind(user_id)
        .bind(OrderStatus::Waiting)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if holding >= i64::from(policy.max_waiting_holds) {
            return Err(AppError::Conflict {
                code: ConflictCode::TooManyHolds,
                detail: format!(
                    "you already hold {holding} unpaid bookings; pay or cancel one first"
                ),
            });
        }
        let order_id = orders::insert(&mut tx, &order, OrderEventCause::Booked).await?;
        if let Some(key) = key {
            idempotency::complete(&mut tx, key, order_id).await?;
        }
        tx.commit().await?;
        Ok(Outcome {
            order_id,
            replayed: false,
            first_response: None,
        })
    })
    .await
}

#[derive(FromRow)]
struct LockedOrder {
    user_id: u64,
    space_id: u64,
    status: OrderStatus,
    hold_expires_at: DateTime<Utc>,
    amount: i64,
    date: NaiveDate,
    start_hour: u8,
    end_hour: u8,
    refund_policy: RefundPolicy,
    instant_booking: bool,
    approval_deadline: Option<DateTime<Utc>>,
}

impl LockedOrder {
    fn cancelable(&self) -> Cancelable {
        Cancelable {
            status: self.status,
            policy: self.refund_policy,
            amount: self.amount,
            date: self.date,
            start_hour: self.start_hour,
        }
    }

    fn claim_keys(&self) -> Result<ClaimKeys, AppError> {
        let hours = Hours::of_row(self.start_hour, self.end_hour)?;
        Ok(ClaimKeys {
            space_id: self.space_id,
            date: self.date,
            hours,
        })
    }
}

/// The space of a locked order as its transitions need it: who decides, what notifications
/// call it. A plain read, not a lock: the
/// space's row is never locked after an order's (docs/locking.md).
#[derive(FromRow)]
struct SpaceOfOrder {
    host_id: u64,
    title: String,
}

async fn space_of(
    conn: &mut MySqlConnection,
    order: &LockedOrder,
) -> Result<SpaceOfOrder, AppError> {
    Ok(
        sqlx::query_as("SELECT host_id, title FROM spaces WHERE id = ?")
            .bind(order.space_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

impl LockedOrder {
    fn about(&self, order_id: u64, space: &SpaceOfOrder) -> About {
        About {
            order_id,
            space_id: self.space_id,
            space_title: space.title.clone(),
            date: self.date,
            start_hour: self.start_hour,
            end_hour: self.end_hour,
        }
    }
}

/// Writes the notification of `kind` about `about` to `user_id`.
async fn tell(
    conn: &mut MySqlConnection,
    user_id: u64,
    kind: NotificationKind,
    about: &About,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let message = notifications::message(kind, about, detail);
    notifications::notify(conn, user_id, kind, about, message, now).await
}

async fn lock_order(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Option<LockedOrder>, AppError> {
    Ok(sqlx::query_as(
        "SELECT user_id, space_id, status, hold_expires_at, amount, date, start_hour, end_hour, \
         refund_policy, instant_booking, approval_deadline FROM orders WHERE id = ? FOR UPDATE",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Moves a held order of `user_id` to `payment_pending`; the caller then enqueues the
/// settlement job. Only a `waiting` order whose hold is still running, and whose claims are
/// all still its own, can be paid.
pub async fn request_payment(
    pool: &MySqlPool,
    user_id: u64,
    order_id: u64,
    key: Option<&IdempotencyKey>,
    clock: &BusinessClock,
) -> Result<Outcome, AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        // The order row before the key: the key's insert share-locks the user row (foreign
        // key), and settlement locks order then user; one order everywhere (docs/locking.md).
        let order = lock_order(&mut tx, order_id)
            .await?
            .filter(|order| order.user_id == user_id)
            .ok_or(AppError::NotFound("order"))?;
        // Expiry is judged now, with the order locked, not when the request arrived.
        let now = clock.now();
        if let Some(key) = key
            && let Reservation::Replay(replay) = idempotency::reserve(&mut tx, key, now).await?
        {
            return Ok(Outcome {
                order_id,
                replayed: true,
                first_response: replay.first_response,
            });
        }
        match order.status {
            OrderStatus::Waiting if order.hold_expires_at > now => {}
            OrderStatus::Waiting => return Err(hold_expired()),
            other => {
                return Err(AppError::Conflict {
                    code: ConflictCode::OrderNotPayable,
                    detail: format!("an order that is {} cannot be paid", other.as_str()),
                });
            }
        }
        // From now on only the settlement decides; the hold's clock no longer frees the slot.
        // A booking whose clock saw this hold as run out may already have taken some of its
        // claims: then this order is not paid, whatever this process's clock says.
        let keys = order.claim_keys()?;
        if orders::keep_claims(&mut tx, order_id, keys, now).await? != u64::from(keys.hours.len()) {
            return Err(hold_expired());
        }
        transition(
            &mut tx,
            order_id,
            OrderStatus::Waiting,
            OrderStatus::PaymentPending,
            OrderEventCause::PaymentRequested,
            now,
        )
        .await?;
        if let Some(key) = key {
            idempotency::complete(&mut tx, key, order_id).await?;
        }
        tx.commit().await?;
        Ok(Outcome {
            order_id,
            replayed: false,
            first_response: None,
        })
    })
    .await
}

fn hold_expired() -> AppError {
    AppError::Conflict {
        code: ConflictCode::HoldExpired,
        detail: "the hold on this slot has run out; book again".into(),
    }
}

/// Requests payment and hands the settlement to the worker: the one place that decides what
/// happens when the job cannot be enqueued. The state change commits first; if Redis then
/// refuses the job, the order is still `payment_pending` and the sweep re-enqueues its
/// settlement once it has waited `STUCK_PAYMENT_SECONDS`, so the request still succeeds.
pub async fn pay(
    pool: &MySqlPool,
    queues: &JobQueues,
    user_id: u64,
    order_id: u64,
    key: Option<&IdempotencyKey>,
    clock: &BusinessClock,
) -> Result<Outcome, AppError> {
    let outcome = request_payment(pool, user_id, order_id, key, clock).await?;
    if !outcome.replayed
        && let Err(err) = queues.enqueue(SettlePayment { order_id }).await
    {
        tracing::warn!(order.id = order_id, error = %err, "settlement not enqueued; the sweep will retry");
    }
    Ok(outcome)
}

/// What the settlement of one order did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Completed,
    /// Paid; the host decides by the order's `approval_deadline`.
    AwaitingApproval,
    /// Paid for a request to book whose first hour had already begun: declined and refunded.
    Declined,
    Failed,
    /// The order was not `payment_pending` (already settled, cancelled…): nothing changed.
    NothingToDo,
}

/// Charges the booker and completes the order (on a space without instant booking: moves it
/// to `awaiting_approval` and tells the host), or fails it and frees its hours. The charge,
/// the state change and the notification commit together, guarded by the order's state, so
/// running this twice for the same order charges and notifies once.
pub async fn settle_payment<P: PaymentProvider>(
    pool: &MySqlPool,
    provider: &P,
    order_id: u64,
    policy: &BookingPolicy,
    clock: &BusinessClock,
) -> Result<Settlement, AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        let Some(order) = lock_order(&mut tx, order_id).await? else {
            return Ok(Settlement::NothingToDo);
        };
        let now = clock.now();
        if order.status != OrderStatus::PaymentPending {
            return Ok(Settlement::NothingToDo);
        }
        let settlement = match provider
            .charge(&mut tx, order.user_id, order.amount)
            .await?
        {
            Charge::Paid if order.instant_booking => {
                transition(
                    &mut tx,
                    order_id,
                    OrderStatus::PaymentPending,
                    OrderStatus::Completed,
                    OrderEventCause::PaymentSettled,
                    now,
                )
                .await?;
                Settlement::Completed
            }
            Charge::Paid => {
                transition(
                    &mut tx,
                    order_id,
                    OrderStatus::PaymentPending,
                    OrderStatus::AwaitingApproval,
                    OrderEventCause::PaymentSettled,
                    now,
                )
                .await?;
                let space = space_of(&mut tx, &order).await?;
                let about = order.about(order_id, &space);
                // Nobody decides after the booked time has begun: the deadline is the earlier
                // of the approval window's end and the first booked hour.
                let starts = clock.instant_of(order.date, order.start_hour);
                let deadline = (now + policy.approval).min(starts);
                if deadline <= now {
                    // Settled after its first hour began (its job waited that long): there is
                    // nothing left for the host to decide, so it is declined as unanswered.
                    decline(
                        &mut tx,
                        provider,
                        order_id,
                        &order,
                        APPROVAL_TIMEOUT_REASON,
                        OrderEventCause::ApprovalTimeout,
                        now,
                    )
                    .await?;
                    tell(
                        &mut tx,
                        order.user_id,
                        NotificationKind::ApprovalTimeout,
                        &about,
                        None,
                        now,
                    )
                    .await?;
                    Settlement::Declined
                } else {
                    sqlx::query("UPDATE orders SET approval_deadline = ? WHERE id = ?")
                        .bind(deadline)
                        .bind(order_id)
                        .execute(&mut *tx)
                        .await?;
                    let deadline_text = clock.local_text(deadline);
                    tell(
                        &mut tx,
                        space.host_id,
                        NotificationKind::ApprovalRequested,
                        &about,
                        Some(&deadline_text),
                        now,
                    )
                    .await?;
                    Settlement::AwaitingApproval
                }
            }
            Charge::Declined(reason) => {
                sqlx::query("UPDATE orders SET failure_reason = ? WHERE id = ?")
                    .bind(reason)
                    .bind(order_id)
                    .execute(&mut *tx)
                    .await?;
                transition(
                    &mut tx,
                    order_id,
                    OrderStatus::PaymentPending,
                    OrderStatus::Failed,
                    reason.cause(),
                    now,
                )
                .await?;
                orders::release_claims(&mut tx, order_id, order.claim_keys()?, now).await?;
                Settlement::Failed
            }
        };
        tx.commit().await?;
        Ok(settlement)
    })
    .await
}

/// Cancels an order of `user_id`: a held order at any time, one awaiting approval with a full
/// refund, a completed one until its first hour starts, refunded by the policy it was placed
/// under. The refund, the state change and the notifications commit together.
pub async fn cancel<P: PaymentProvider>(
    pool: &MySqlPool,
    provider: &P,
    user_id: u64,
    order_id: u64,
    clock: &BusinessClock,
) -> Result<(), AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        let order = lock_order(&mut tx, order_id)
            .await?
            .filter(|order| order.user_id == user_id)
            .ok_or(AppError::NotFound("order"))?;
        let now = clock.now();
        let cancellation = order
            .cancelable()
            .cancel(&clock.moment_of(now))
            .map_err(|code| AppError::Conflict {
                code,
                detail: match code {
                    ConflictCode::OrderStarted => {
                        "the booked time has started; it can no longer be canceled".into()
                    }
                    _ => format!(
                        "an order that is {} cannot be canceled",
                        order.status.as_str()
                    ),
                },
            })?;
        // The booker's row before the claims, as a hold takes them (docs/locking.md).
        if let Cancellation::Refund(points) = cancellation {
            give_back(provider, &mut tx, order_id, order.user_id, points).await?;
        }
        transition(
            &mut tx,
            order_id,
            order.status,
            OrderStatus::Canceled,
            OrderEventCause::CanceledByGuest,
            now,
        )
        .await?;
        orders::release_claims(&mut tx, order_id, order.claim_keys()?, now).await?;
        if let Cancellation::Refund(points) = cancellation {
            // The host saw this booking (to decide on it, or as confirmed); a hold they did not.
            let space = space_of(&mut tx, &order).await?;
            let about = order.about(order_id, &space);
            tell(
                &mut tx,
                space.host_id,
                NotificationKind::CanceledByGuest,
                &about,
                None,
                now,
            )
            .await?;
            if points > 0 {
                tell(
                    &mut tx,
                    order.user_id,
                    NotificationKind::Refunded,
                    &about,
                    Some(&points.to_string()),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Refunds `points` to the booker and records them on the order.
async fn give_back<P: PaymentProvider>(
    provider: &P,
    conn: &mut MySqlConnection,
    order_id: u64,
    user_id: u64,
    points: i64,
) -> Result<(), AppError> {
    if points > 0 {
        provider.refund(conn, user_id, points).await?;
    }
    sqlx::query("UPDATE orders SET refunded_points = ? WHERE id = ?")
        .bind(points)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A host's answer to a request to book.
#[derive(Debug, Clone)]
pub enum Decision {
    Approve,
    /// Declined with the host's reason, as sent (checked once the caller is known to be the
    /// host, so nobody else learns anything from a 422).
    Decline(String),
}

/// The longest reason a host may give for declining.
pub const MAX_DECLINE_REASON_CHARS: usize = 500;

/// A host's reason for declining, trimmed: 1 to 500 characters.
pub fn decline_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars == 0 || chars > MAX_DECLINE_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            format!("must be 1 to {MAX_DECLINE_REASON_CHARS} characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// The host of the order's space approves or declines it while it is `awaiting_approval`
/// and its deadline has not passed. Declining refunds the amount in full and frees the hours.
/// The booker gets 403; anyone else is told the order does not exist.
pub async fn decide<P: PaymentProvider>(
    pool: &MySqlPool,
    provider: &P,
    user_id: u64,
    order_id: u64,
    decision: &Decision,
    clock: &BusinessClock,
) -> Result<(), AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        let order = lock_order(&mut tx, order_id)
            .await?
            .ok_or(AppError::NotFound("order"))?;
        let space = space_of(&mut tx, &order).await?;
        if space.host_id != user_id {
            return Err(if order.user_id == user_id {
                AppError::Forbidden("only the space's host approves or declines its bookings")
            } else {
                AppError::NotFound("order")
            });
        }
        let reason = match decision {
            Decision::Approve => None,
            Decision::Decline(reason) => Some(decline_reason(reason)?),
        };
        let now = clock.now();
        let open = order.status == OrderStatus::AwaitingApproval
            && order
                .approval_deadline
                .is_some_and(|deadline| now < deadline);
        if !open {
            return Err(AppError::Conflict {
                code: ConflictCode::OrderNotAwaitingApproval,
                detail: if order.status == OrderStatus::AwaitingApproval {
                    "the approval deadline has passed; the request is being declined".into()
                } else {
                    format!(
                        "the order is {}, not awaiting approval",
                        order.status.as_str()
                    )
                },
            });
        }
        let about = order.about(order_id, &space);
        match reason {
            None => {
                transition(
                    &mut tx,
                    order_id,
                    OrderStatus::AwaitingApproval,
                    OrderStatus::Completed,
                    OrderEventCause::ApprovedByHost,
                    now,
                )
                .await?;
                tell(
                    &mut tx,
                    order.user_id,
                    NotificationKind::Approved,
                    &about,
                    None,
                    now,
                )
                .await?;
            }
            Some(reason) => {
                decline(
                    &mut tx,
                    provider,
                    order_id,
                    &order,
                    &reason,
                    OrderEventCause::DeclinedByHost,
                    now,
                )
                .await?;
                tell(
                    &mut tx,
                    order.user_id,
                    NotificationKind::Declined,
                    &about,
                    Some(&reason),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Declines an order awaiting approval: full refund, the reason kept, the hours freed.
async fn decline<P: PaymentProvider>(
    conn: &mut MySqlConnection,
    provider: &P,
    order_id: u64,
    order: &LockedOrder,
    reason: &str,
    cause: OrderEventCause,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    transition(
        conn,
        order_id,
        OrderStatus::AwaitingApproval,
        OrderStatus::Declined,
        cause,
        now,
    )
    .await?;
    sqlx::query("UPDATE orders SET decline_reason = ? WHERE id = ?")
        .bind(reason)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    give_back(provider, conn, order_id, order.user_id, order.amount).await?;
    orders::release_claims(conn, order_id, order.claim_keys()?, now).await?;
    Ok(())
}

/// The reason recorded on a request nobody decided by its deadline.
pub const APPROVAL_TIMEOUT_REASON: &str = "approval_timeout";

/// Declines the requests to book whose `approval_deadline` has passed; several workers may run
/// this at once (each change is guarded by the order's status, one order per transaction, as
/// for holds). Returns how many it declined.
pub async fn decline_overdue<P: PaymentProvider>(
    pool: &MySqlPool,
    provider: &P,
    clock: &BusinessClock,
) -> Result<u64, AppError> {
    sweep_due(
        pool,
        OrderStatus::AwaitingApproval,
        Deadline::Approval,
        clock,
        |order_id| decline_if_overdue(pool, provider, order_id, clock),
    )
    .await
}

/// The column that says until when an order may stay in its status.
#[derive(Clone, Copy)]
enum Deadline {
    Hold,
    Approval,
}

impl Deadline {
    fn column(self) -> &'static str {
        match self {
            Self::Hold => "hold_expires_at",
            Self::Approval => "approval_deadline",
        }
    }
}

/// Runs `settle` on each order of `status` whose `deadline` has passed, oldest first, one
/// order per call (its own transaction). An order that fails (a row that does not decode, a
/// database that keeps timing out) is logged and skipped: it must not keep every later one
/// waiting. Returns how many `settle` changed.
async fn sweep_due<F, Fut>(
    pool: &MySqlPool,
    status: OrderStatus,
    deadline: Deadline,
    clock: &BusinessClock,
    mut settle: F,
) -> Result<u64, AppError>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<bool, AppError>>,
{
    const BATCH: u32 = 200;
    let column = deadline.column();
    // Composed only of the constant column names above.
    let due_query = format!(
        "SELECT id FROM orders WHERE status = ? AND {column} <= ? ORDER BY {column} LIMIT ?"
    );
    let mut settled = 0;
    loop {
        let due: Vec<u64> = sqlx::query_scalar(sqlx::AssertSqlSafe(due_query.as_str()))
            .bind(status)
            .bind(clock.now())
            .bind(BATCH)
            .fetch_all(pool)
            .await?;
        let mut settled_now = 0;
        for &order_id in &due {
            match settle(order_id).await {
                Ok(true) => settled_now += 1,
                Ok(false) => {}
                Err(err) => {
                    tracing::error!(order.id = order_id, order.status = status.as_str(), error = %err, "an overdue order could not be settled; the next sweep retries it");
                }
            }
        }
        settled += settled_now;
        if due.len() < BATCH as usize || settled_now == 0 {
            return Ok(settled);
        }
    }
}

async fn decline_if_overdue<P: PaymentProvider>(
    pool: &MySqlPool,
    provider: &P,
    order_id: u64,
    clock: &BusinessClock,
) -> Result<bool, AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        let Some(order) = lock_order(&mut tx, order_id).await? else {
            return Ok(false);
        };
        let now = clock.now();
        let overdue = order.status == OrderStatus::AwaitingApproval
            && order
                .approval_deadline
                .is_some_and(|deadline| deadline <= now);
        if !overdue {
            return Ok(false);
        }
        decline(
            &mut tx,
            provider,
            order_id,
            &order,
            APPROVAL_TIMEOUT_REASON,
            OrderEventCause::ApprovalTimeout,
            now,
        )
        .await?;
        let space = space_of(&mut tx, &order).await?;
        tell(
            &mut tx,
            order.user_id,
            NotificationKind::ApprovalTimeout,
            &order.about(order_id, &space),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    })
    .await
}

/// Expires `waiting` orders whose hold has run out; several workers may run this at once
/// (each change is guarded by the order's status). Returns how many orders it expired.
///
/// One order per transaction: a transaction that held the claims of two orders while
/// waiting for a third could close a cycle with a booking that takes over stale claims in
/// the claims' key order (docs/locking.md).
pub async fn expire_holds(pool: &MySqlPool, clock: &BusinessClock) -> Result<u64, AppError> {
    sweep_due(
        pool,
        OrderStatus::Waiting,
        Deadline::Hold,
        clock,
        |order_id| expire_hold(pool, order_id, clock),
    )
    .await
}

/// Expires one order if it is still a `waiting` order whose hold has run out.
async fn expire_hold(
    pool: &MySqlPool,
    order_id: u64,
    clock: &BusinessClock,
) -> Result<bool, AppError> {
    retry_on_deadlock(|| async {
        let mut tx = pool.begin().await?;
        let Some(order) = lock_order(&mut tx, order_id).await? else {
            return Ok(false);
        };
        let now = clock.now();
        if order.status != OrderStatus::Waiting || order.hold_expires_at > now {
            return Ok(false);
        }
        transition(
            &mut tx,
            order_id,
            OrderStatus::Waiting,
            OrderStatus::Expired,
            OrderEventCause::HoldExpired,
            now,
        )
        .await?;
        orders::release_claims(&mut tx, order_id, order.claim_keys()?, now).await?;
        tx.commit().await?;
        Ok(true)
    })
    .await
}

/// Orders stuck in `payment_pending` for longer than `older_than`: their settlement job was
/// lost (Redis flushed, a worker killed before it acknowledged). The caller re-enqueues them;
/// settlement is idempotent, so a job that was merely slow does no harm.
pub async fn stuck_payments(
    pool: &MySqlPool,
    now: DateTime<Utc>,
    older_than: Duration,
) -> Result<Vec<u64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM orders WHERE status = ? AND updated_at <= ? \
         ORDER BY updated_at LIMIT 1000",
    )
    .bind(OrderStatus::PaymentPending)
    .bind(now - older_than)
    .fetch_all(pool)
    .await?)
}

/// Changes an order's status if it still is `from`, and records why. A lost race (the status
/// moved on) is a conflict, so the caller's transaction rolls back.
async fn transition(
    conn: &mut MySqlConnection,
    order_id: u64,
    from: OrderStatus,
    to: OrderStatus,
    cause: OrderEventCause,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let changed =
        sqlx::query("UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?")
            .bind(to)
            .bind(now)
            .bind(order_id)
            .bind(from)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict {
            code: ConflictCode::OrderStateChanged,
            detail: "the order changed meanwhile; reload it".into(),
        });
    }
    sqlx::query(
        "INSERT INTO order_events (order_id, from_status, to_status, cause, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(order_id)
    .bind(from)
    .bind(to)
    .bind(cause)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

static DEADLOCK_RETRIES: AtomicU64 = AtomicU64::new(0);

/// How many transactions this process has retried after a deadlock or a lock wait timeout.
/// The booking path is built so that this stays 0; the metric
/// `db_transaction_retries_total` exports the same count.
pub fn deadlock_retries() -> u64 {
    DEADLOCK_RETRIES.load(Ordering::Relaxed)
}

/// Runs a transaction again when MySQL chose it as a deadlock victim (or a lock wait timed
/// out), so clients never see those errors. Each attempt must be a whole transaction.
pub async fn retry_on_deadlock<T, F, Fut>(mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    const ATTEMPTS: u32 = 5;
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(AppError::Database(err)) if tries < ATTEMPTS && is_retryable(&err) => {
                DEADLOCK_RETRIES.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("db_transaction_retries_total").increment(1);
                tracing::warn!(attempt = tries, error = %crate::error::loggable(&err), "transaction retried after a deadlock or lock wait timeout");
                let jitter = rand::random_range(1..=10u64) * u64::from(tries);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
}

fn is_retryable(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|db| matches!(db.number(), 1213 | 1205))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> BookingRequest {
        BookingRequest {
            space_id: 7,
            option_id: 21,
            date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            start_hour: None,
            end_hour: None,
            headcount: 4,
            booker: BookerInput {
                name: "김민지".into(),
                phone: "010-1234-5678".into(),
                email: "minji@example.com".into(),
                purpose: Some("birthday".into()),
                request: None,
            },
        }
    }

    #[test]
    fn the_fingerprint_is_a_fixed_serialisation_of_every_field() {
        // Stored fingerprints outlive deployments: this text must not change.
        let expected = r#"{"booker":{"email":"minji@example.com","name":"김민지","phone":"010-1234-5678","purpose":"birthday","request":null},"date":"2026-12-24","headcount":4,"option_id":21,"space_id":7}"#;
        assert_eq!(
            String::from_utf8(request().fingerprint()).unwrap(),
            expected
        );
        let mut other = request();
        other.booker.request = Some("quiet please".into());
        assert_ne!(other.fingerprint(), request().fingerprint());
        let mut other = request();
        other.headcount = 5;
        assert_ne!(other.fingerprint(), request().fingerprint());
        // Hours are part of an hourly request's fingerprint.
        let mut hourly = request();
        hourly.start_hour = Some(14);
        hourly.end_hour = Some(17);
        let mut later = hourly.clone();
        later.end_hour = Some(18);
        assert_ne!(hourly.fingerprint(), request().fingerprint());
        assert_ne!(hourly.fingerprint(), later.fingerprint());
    }
}
