//! Charges the booker and completes the order (or, on a space without instant booking, hands
//! it to its host to decide), or fails it (`insufficient_points`).

use std::time::Duration;

use apalis::prelude::BoxDynError;
use spacecloud_common::{
    booking::{self, Settlement},
    jobs::SettlePayment,
};

use super::Handler;
use crate::JobContext;

impl Handler for SettlePayment {
    const TIMEOUT: Duration = Duration::from_secs(30);
    /// A settlement that keeps failing (a database outage) is given up after about a minute;
    /// the order stays `payment_pending` and the sweep enqueues it again once it has waited
    /// `STUCK_PAYMENT_SECONDS`.
    const ATTEMPTS: usize = 10;

    fn concurrency(context: &JobContext) -> usize {
        context.concurrency
    }

    async fn run(self, context: &JobContext, _attempt: usize) -> Result<(), BoxDynError> {
        let settlement = booking::settle_payment(
            &context.pool,
            &context.payments,
            self.order_id,
            &context.booking,
            &context.clock,
        )
        .await?;
        if settlement != Settlement::NothingToDo {
            // The order's claims were kept or freed: the API processes' calendars follow.
            spacecloud_common::catalogue::announce(&context.queues).await;
            tracing::info!(order.id = self.order_id, settlement = ?settlement, "payment settled");
        }
        Ok(())
    }
}
