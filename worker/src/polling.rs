//! apalis-redis 1.0's own `poll_with_interval` can leave its timer unarmed, so an idle worker
//! only wakes at the next heartbeat (seconds). This strategy keeps a tokio interval armed at
//! every poll, so new jobs are picked up within one interval.

use std::{
    task::{Context, Poll},
    time::Duration,
};

use apalis::prelude::{PollSnapshot, PollStrategy};

pub struct EveryInterval(tokio::time::Interval);

impl EveryInterval {
    pub fn new(period: Duration) -> Self {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self(interval)
    }
}

impl PollStrategy for EveryInterval {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _: &PollSnapshot) -> Poll<Option<()>> {
        let mut fired = false;
        // Draining ready ticks leaves the interval's waker registered for the next one.
        while self.0.poll_tick(cx).is_ready() {
            fired = true;
        }
        if fired {
            Poll::Ready(Some(()))
        } else {
            Poll::Pending
        }
    }
}
