//! An order's life and the problem codes of its conflicts.

use chrono::{DateTime, Utc};

use super::column::{named_enum, text_column};

/// Where an order is in its life: `waiting` (until its hold expires), `payment_pending`,
/// `awaiting_approval` (paid, the host has not decided yet) and `completed` block their hours;
/// the rest free them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum OrderStatus {
    Waiting,
    PaymentPending,
    Completed,
    Failed,
    Expired,
    Canceled,
    AwaitingApproval,
    Declined,
}

impl OrderStatus {
    pub const EVERY: [OrderStatus; 8] = [
        Self::Waiting,
        Self::PaymentPending,
        Self::Completed,
        Self::Failed,
        Self::Expired,
        Self::Canceled,
        Self::AwaitingApproval,
        Self::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::PaymentPending => "payment_pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Declined => "declined",
        }
    }

    /// Whether an order in this status holds claims on its hours.
    pub fn claims_slot(self) -> bool {
        matches!(
            self,
            Self::Waiting | Self::PaymentPending | Self::AwaitingApproval | Self::Completed
        )
    }

    /// Until when a claim of an order in this status blocks: the hold's end for a waiting
    /// order, forever (`None`) once payment has started.
    pub fn claim_expiry(self, hold_expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self == Self::Waiting).then_some(hold_expires_at)
    }
}

named_enum!(OrderStatus, "order status");
text_column!(OrderStatus);

/// Why an order moved from one status to another: its history's `cause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum OrderEventCause {
    /// Written by `seed --bulk` (demo and benchmark data).
    #[cfg_attr(feature = "openapi", oai(rename = "seed"))]
    Seeded,
    Booked,
    PaymentRequested,
    PaymentSettled,
    InsufficientPoints,
    HoldExpired,
    CanceledByGuest,
    ApprovedByHost,
    DeclinedByHost,
    /// Nobody decided a request to book by its `approval_deadline`: the worker declined it.
    ApprovalTimeout,
}

impl OrderEventCause {
    pub const EVERY: [OrderEventCause; 10] = [
        Self::Seeded,
        Self::Booked,
        Self::PaymentRequested,
        Self::PaymentSettled,
        Self::InsufficientPoints,
        Self::HoldExpired,
        Self::CanceledByGuest,
        Self::ApprovedByHost,
        Self::DeclinedByHost,
        Self::ApprovalTimeout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seeded => "seed",
            Self::Booked => "booked",
            Self::PaymentRequested => "payment_requested",
            Self::PaymentSettled => "payment_settled",
            Self::InsufficientPoints => "insufficient_points",
            Self::HoldExpired => "hold_expired",
            Self::CanceledByGuest => "canceled_by_guest",
            Self::ApprovedByHost => "approved_by_host",
            Self::DeclinedByHost => "declined_by_host",
            Self::ApprovalTimeout => "approval_timeout",
        }
    }
}

named_enum!(OrderEventCause, "order event cause");
text_column!(OrderEventCause);

/// Why a payment was declined: the order's `failure_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum FailureReason {
    InsufficientPoints,
}

impl FailureReason {
    pub const EVERY: [FailureReason; 1] = [Self::InsufficientPoints];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientPoints => "insufficient_points",
        }
    }

    /// The history entry of the failure.
    pub fn cause(self) -> OrderEventCause {
        match self {
            Self::InsufficientPoints => OrderEventCause::InsufficientPoints,
        }
    }
}

named_enum!(FailureReason, "failure reason");
text_column!(FailureReason);

/// Why a request could not be carried out although it was well-formed: each is answered 409
/// with this `code`, and the spec lists the ones each operation can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictCode {
    /// Another blocking order or hold has the slot (or one of its halves).
    SlotUnavailable,
    /// The hold ran out (or a booking took over its claims) before payment.
    HoldExpired,
    OrderNotPayable,
    OrderNotCancelable,
    /// A completed order's first booked hour has started: too late to cancel.
    OrderStarted,
    /// Approve or decline of an order that is not waiting for a decision (or whose deadline
    /// has passed).
    OrderNotAwaitingApproval,
    /// The order changed while this request was deciding; reload it.
    OrderStateChanged,
    /// A request with the same `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse,
    /// The user already holds `MAX_WAITING_HOLDS` unpaid orders.
    TooManyHolds,
    /// Too many of the user's photos still wait to be processed.
    UploadsPending,
    /// The caller never booked the space (reviews).
    NoOrder,
    OrderNotCompleted,
    StayNotStarted,
    AlreadyReviewed,
}

impl ConflictCode {
    pub const EVERY: [ConflictCode; 14] = [
        Self::SlotUnavailable,
        Self::HoldExpired,
        Self::OrderNotPayable,
        Self::OrderNotCancelable,
        Self::OrderStarted,
        Self::OrderNotAwaitingApproval,
        Self::OrderStateChanged,
        Self::IdempotencyKeyInUse,
        Self::TooManyHolds,
        Self::UploadsPending,
        Self::NoOrder,
        Self::OrderNotCompleted,
        Self::StayNotStarted,
        Self::AlreadyReviewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SlotUnavailable => "slot_unavailable",
            Self::HoldExpired => "hold_expired",
            Self::OrderNotPayable => "order_not_payable",
            Self::OrderNotCancelable => "order_not_cancelable",
            Self::OrderStarted => "order_started",
            Self::OrderNotAwaitingApproval => "order_not_awaiting_approval",
            Self::OrderStateChanged => "order_state_changed",
            Self::IdempotencyKeyInUse => "idempotency_key_in_use",
            Self::TooManyHolds => "too_many_holds",
            Self::UploadsPending => "uploads_pending",
            Self::NoOrder => "no_order",
            Self::OrderNotCompleted => "order_not_completed",
            Self::StayNotStarted => "stay_not_started",
            Self::AlreadyReviewed => "already_reviewed",
        }
    }
}

named_enum!(ConflictCode, "conflict code");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_unknown_names_are_refused() {
        for status in OrderStatus::EVERY {
            assert_eq!(status.as_str().parse::<OrderStatus>().unwrap(), status);
        }
        for code in ConflictCode::EVERY {
            assert_eq!(code.as_str().parse::<ConflictCode>().unwrap(), code);
        }
        for cause in OrderEventCause::EVERY {
            assert_eq!(cause.as_str().parse::<OrderEventCause>().unwrap(), cause);
        }
        for reason in FailureReason::EVERY {
            assert_eq!(reason.as_str().parse::<FailureReason>().unwrap(), reason);
            assert_eq!(reason.as_str(), reason.cause().as_str());
        }
        assert!("paid".parse::<OrderStatus>().is_err());
        assert!("".parse::<OrderStatus>().is_err());
    }
}
