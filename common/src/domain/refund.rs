//! What a cancelling guest gets back: the space's refund policy (as it was when the order was
//! placed) applied to the calendar days left before the booked date.

use chrono::NaiveDate;

use super::{
    ConflictCode, Moment, OrderStatus,
    column::{named_enum, text_column},
};

/// A space's cancellation policy (default `flexible`), a fixed schedule of tiers; an order is
/// refunded by the policy its space had when it was placed. `flexible`: 1 day or more before
/// 100 %, on the day 0 %. `standard`: 7+ days 100 %, 3–6 days 50 %, 1–2 days 20 %, on the day
/// 0 %. `strict`: 8+ days 100 %, then 90, 80, 70, 60 and 50 % from 7 down to 3 days, fewer 0 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
pub enum RefundPolicy {
    #[default]
    Flexible,
    Standard,
    Strict,
}

/// From `days_before` calendar days before the booked date on, `percent` of the amount is
/// refunded (until a tier with more days applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundTier {
    pub days_before: u16,
    pub percent: u8,
}

const fn tier(days_before: u16, percent: u8) -> RefundTier {
    RefundTier {
        days_before,
        percent,
    }
}

const FLEXIBLE: [RefundTier; 2] = [tier(1, 100), tier(0, 0)];
const STANDARD: [RefundTier; 4] = [tier(7, 100), tier(3, 50), tier(1, 20), tier(0, 0)];
const STRICT: [RefundTier; 7] = [
    tier(8, 100),
    tier(7, 90),
    tier(6, 80),
    tier(5, 70),
    tier(4, 60),
    tier(3, 50),
    tier(0, 0),
];

impl RefundPolicy {
    pub const EVERY: [RefundPolicy; 3] = [Self::Flexible, Self::Standard, Self::Strict];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flexible => "flexible",
            Self::Standard => "standard",
            Self::Strict => "strict",
        }
    }

    /// The schedule, most days first, ending with the 0 % tier.
    pub fn tiers(self) -> &'static [RefundTier] {
        match self {
            Self::Flexible => &FLEXIBLE,
            Self::Standard => &STANDARD,
            Self::Strict => &STRICT,
        }
    }

    /// The percent refunded `days_before` calendar days before the date: the first tier whose
    /// `days_before` is not more than that (none: 0 %).
    pub fn percent(self, days_before: i64) -> u8 {
        self.tiers()
            .iter()
            .find(|tier| i64::from(tier.days_before) <= days_before)
            .map_or(0, |tier| tier.percent)
    }

    /// `floor(amount × percent / 100)`; amounts are never negative.
    pub fn refund(self, amount: i64, days_before: i64) -> i64 {
        amount * i64::from(self.percent(days_before)) / 100
    }
}

named_enum!(RefundPolicy, "refund policy");
text_column!(RefundPolicy);

/// What cancelling an order gives back, decided from its state and the moment of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// A hold nobody paid for: nothing to give back.
    Unpaid,
    /// Paid and refunded this many points (possibly 0).
    Refund(i64),
}

/// The order as far as cancelling it is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Cancelable {
    pub status: OrderStatus,
    pub policy: RefundPolicy,
    pub amount: i64,
    pub date: NaiveDate,
    pub start_hour: u8,
}

impl Cancelable {
    /// A `waiting` order cancels for nothing, an `awaiting_approval` one is refunded in full
    /// (the host never confirmed it), and a `completed` one until its first hour starts, at
    /// its policy's percent for the calendar days from today to its date.
    pub fn cancel(&self, at: &Moment) -> Result<Cancellation, ConflictCode> {
        match self.status {
            OrderStatus::Waiting => Ok(Cancellation::Unpaid),
            OrderStatus::AwaitingApproval => Ok(Cancellation::Refund(self.amount)),
            OrderStatus::Completed if self.start_hour < at.first_open_hour(self.date) => {
                Err(ConflictCode::OrderStarted)
            }
            OrderStatus::Completed => {
                let days_before = (self.date - at.today).num_days();
                Ok(Cancellation::Refund(
                    self.policy.refund(self.amount, days_before),
                ))
            }
            _ => Err(ConflictCode::OrderNotCancelable),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn moment(today: NaiveDate, hour: u8) -> Moment {
        Moment {
            now: Utc.timestamp_opt(0, 0).unwrap(),
            today,
            hour,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_tier_boundary_of_every_policy() {
        use RefundPolicy::*;
        // (policy, calendar days before the date, percent)
        let table = [
            (Flexible, 365, 100),
            (Flexible, 1, 100),
            (Flexible, 0, 0),
            (Standard, 8, 100),
            (Standard, 7, 100),
            (Standard, 6, 50),
            (Standard, 3, 50),
            (Standard, 2, 20),
            (Standard, 1, 20),
            (Standard, 0, 0),
            (Strict, 9, 100),
            (Strict, 8, 100),
            (Strict, 7, 90),
            (Strict, 6, 80),
            (Strict, 5, 70),
            (Strict, 4, 60),
            (Strict, 3, 50),
            (Strict, 2, 0),
            (Strict, 1, 0),
            (Strict, 0, 0),
        ];
        for (policy, days, percent) in table {
            assert_eq!(policy.percent(days), percent, "{policy} {days} days before");
        }
    }

    #[test]
    fn tiers_run_from_most_days_down_to_the_zero_tier() {
        for policy in RefundPolicy::EVERY {
            let tiers = policy.tiers();
            assert!(
                tiers
                    .windows(2)
                    .all(|w| w[0].days_before > w[1].days_before)
            );
            assert!(tiers.windows(2).all(|w| w[0].percent > w[1].percent));
            assert_eq!(tiers.last(), Some(&tier(0, 0)), "{policy}");
            assert_eq!(policy.as_str().parse::<RefundPolicy>().unwrap(), policy);
        }
    }

    #[test]
    fn the_refund_is_rounded_down() {
        assert_eq!(RefundPolicy::Standard.refund(33_333, 2), 6_666);
        assert_eq!(RefundPolicy::Strict.refund(10_001, 7), 9_000);
        assert_eq!(RefundPolicy::Flexible.refund(10_001, 1), 10_001);
    }

    fn completed(policy: RefundPolicy, on: NaiveDate, start_hour: u8) -> Cancelable {
        Cancelable {
            status: OrderStatus::Completed,
            policy,
            amount: 50_000,
            date: on,
            start_hour,
        }
    }

    #[test]
    fn calendar_days_count_across_a_month_boundary() {
        let jan_31 = date(2027, 1, 31);
        let order = completed(RefundPolicy::Standard, date(2027, 2, 3), 9);
        // Late on the 31st: three calendar days before the 3rd, whatever the hour.
        assert_eq!(
            order.cancel(&moment(jan_31, 23)),
            Ok(Cancellation::Refund(25_000))
        );
        let order = completed(RefundPolicy::Strict, date(2027, 3, 1), 9);
        assert_eq!(
            order.cancel(&moment(date(2027, 2, 28), 12)),
            Ok(Cancellation::Refund(0)),
            "1 day before under strict"
        );
    }

    #[test]
    fn a_completed_order_cancels_until_its_first_hour_starts() {
        let today = date(2026, 12, 5);
        let order = completed(RefundPolicy::Flexible, today, 14);
        // 13:xx is the last hour before 14:00: still cancelable, on the day (0 %).
        assert_eq!(
            order.cancel(&moment(today, 13)),
            Ok(Cancellation::Refund(0))
        );
        assert_eq!(
            order.cancel(&moment(today, 14)),
            Err(ConflictCode::OrderStarted)
        );
        assert_eq!(
            order.cancel(&moment(date(2026, 12, 6), 0)),
            Err(ConflictCode::OrderStarted)
        );
    }

    #[test]
    fn unpaid_and_unconfirmed_orders_and_finished_ones() {
        let today = date(2026, 12, 5);
        let mut order = completed(RefundPolicy::Strict, today, 20);
        order.status = OrderStatus::Waiting;
        assert_eq!(order.cancel(&moment(today, 10)), Ok(Cancellation::Unpaid));
        order.status = OrderStatus::AwaitingApproval;
        assert_eq!(
            order.cancel(&moment(today, 10)),
            Ok(Cancellation::Refund(50_000))
        );
        for status in [
            OrderStatus::PaymentPending,
            OrderStatus::Failed,
            OrderStatus::Expired,
            OrderStatus::Canceled,
            OrderStatus::Declined,
        ] {
            order.status = status;
            assert_eq!(
                order.cancel(&moment(today, 10)),
                Err(ConflictCode::OrderNotCancelable),
                "{status}"
            );
        }
    }
}
