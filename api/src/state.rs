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

    /// The public URL of a stored object.
    pub fn media_url(&self, key: &str) -> String {
        format!("{}/{key}", self.settings.media_base_url)
    }
}
