use std::sync::Arc;

use spacecloud_common::{clock::BusinessClock, config::Settings, db::spaces::Moment};
use sqlx::MySqlPool;

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: MySqlPool,
    pub redis: redis::Client,
    pub clock: BusinessClock,
    pub settings: Arc<Settings>,
}

impl AppState {
    pub fn moment(&self) -> Moment {
        let now = self.clock.now();
        Moment {
            now,
            today: self.clock.date_of(now),
        }
    }

    /// The public URL of a stored object.
    pub fn media_url(&self, key: &str) -> String {
        format!("{}/{key}", self.settings.media_base_url)
    }
}
