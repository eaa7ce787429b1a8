use std::sync::Arc;

use spacecloud_common::{
    auth::{JwtKeys, KakaoClient, sessions::SessionPolicy},
    booking::{BookingPolicy, payment::PointsProvider},
    clock::BusinessClock,
    config::Settings,
    domain::Moment,
    jobs::JobQueues,
};
use sqlx::MySqlPool;

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: MySqlPool,
    pub clock: BusinessClock,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub kakao: KakaoClient,
    pub jobs: JobQueues,
    pub booking: BookingPolicy,
    pub payments: PointsProvider,
    /// The spaces' public detail in memory; set once the server has loaded it (commands that
    /// do not serve never do).
    pub catalogue: Arc<std::sync::OnceLock<Arc<crate::catalogue::Catalogue>>>,
}

impl AppState {
    pub fn moment(&self) -> Moment {
        self.clock.moment_of(self.clock.now())
    }

    pub fn session_policy(&self) -> SessionPolicy<'_> {
        SessionPolicy {
            jwt: &self.jwt,
            refresh_ttl: chrono::Duration::days(i64::from(self.settings.refresh_token_ttl_days)),
            refresh_grace: chrono::Duration::seconds(i64::from(
                self.settings.refresh_reuse_grace_seconds,
            )),
            signup_points: self.settings.signup_points,
        }
    }

    /// After a request that recorded catalogue changes: this process shows them on its next
    /// request, and every other process is woken to read them.
    pub async fn catalogue_changed(&self) {
        let committed = std::time::Instant::now();
        if let Some(catalogue) = self.catalogue.get() {
            // Bounded: a large backlog (a host with thousands of spaces renamed) is the
            // follower's to work through, not a reason to hold this response.
            let caught_up = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                catalogue.catch_up_since(committed),
            );
            match caught_up.await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "the catalogue did not catch up with this request's change; its poll will");
                }
                Err(_) => {
                    tracing::warn!(
                        "the catalogue is still catching up; this request's change follows"
                    );
                }
            }
        }
        spacecloud_common::catalogue::announce(&self.jobs).await;
    }

    /// The catalogue's current state, when it answers from memory (loaded, and holding every
    /// live space).
    pub fn catalogue_view(&self) -> Option<crate::catalogue::View<'_>> {
        self.catalogue.get()?.view()
    }

    pub fn catalogue_channel(&self) -> String {
        spacecloud_common::catalogue::wake_channel(&self.settings.jobs.queue_prefix)
    }

    /// The public URL of a stored object.
    pub fn media_url(&self, key: &str) -> String {
        format!("{}/{key}", self.settings.media_base_url)
    }
}
