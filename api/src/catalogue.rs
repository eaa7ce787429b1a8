//! The catalogue served from memory: each API process holds the public detail of every live
//! space, loaded at start-up and kept fresh by following the outbox (`catalogue_changes`),
//! woken through Redis when a writer announces a change and polling every 100 ms whether or not
//! it was (docs/catalogue.md). The list and the availability calendar still read MySQL.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use futures_util::{StreamExt, stream};
use spacecloud_common::{
    catalogue::Cursor,
    db::spaces::{self, SpaceDetail},
    error::AppError,
};
use sqlx::MySqlPool;

/// Ids below the outbox's newest at start-up that may still be in flight.
const IN_FLIGHT_AT_START: u64 = 10_000;
/// A process that could not read the outbox for this long says so in `/readyz`.
const STALE_AFTER: Duration = Duration::from_secs(5);

pub struct Catalogue {
    pool: MySqlPool,
    details: RwLock<HashMap<u64, Arc<SpaceDetail>>>,
    cursor: tokio::sync::Mutex<Cursor>,
    last_caught_up: std::sync::Mutex<Instant>,
    loaded_in: Duration,
}

/// What `/readyz` and the logs say of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueHealth {
    pub spaces: usize,
    /// Since the outbox was last read to its end.
    pub behind: Duration,
    pub fresh: bool,
}

impl Catalogue {
    /// Reads every live space's detail. The cursor is placed first, so a change committed
    /// while loading is applied again afterwards rather than missed.
    pub async fn load(pool: &MySqlPool) -> Result<Self, AppError> {
        let started = Instant::now();
        let cursor = Cursor::start(pool, IN_FLIGHT_AT_START).await?;
        let ids: Vec<u64> = sqlx::query_scalar("SELECT id FROM spaces WHERE deleted_at IS NULL")
            .fetch_all(pool)
            .await?;
        let loaded: Vec<Result<(u64, Option<SpaceDetail>), AppError>> = stream::iter(ids)
            .map(|id| async move { Ok((id, read(pool, id).await?)) })
            .buffer_unordered(8)
            .collect()
            .await;
        let mut details = HashMap::new();
        for entry in loaded {
            if let (id, Some(detail)) = entry? {
                details.insert(id, Arc::new(detail));
            }
        }
        let catalogue = Self {
            pool: pool.clone(),
            details: RwLock::new(details),
            cursor: tokio::sync::Mutex::new(cursor),
            last_caught_up: std::sync::Mutex::new(Instant::now()),
            loaded_in: started.elapsed(),
        };
        tracing::info!(
            catalogue.spaces = catalogue.len(),
            catalogue.load_ms = catalogue.loaded_in.as_millis() as u64,
            "catalogue loaded"
        );
        Ok(catalogue)
    }

    /// The public detail of a live space (`liked` is the viewer's and is not part of it).
    pub fn detail(&self, space_id: u64) -> Option<Arc<SpaceDetail>> {
        self.read_lock().get(&space_id).cloned()
    }

    pub fn len(&self) -> usize {
        self.read_lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn loaded_in(&self) -> Duration {
        self.loaded_in
    }

    /// Applies the changes recorded since the last call (at most `catalogue::PAGE` records):
    /// the spaces they name are read again. Returns how many records were applied.
    pub async fn catch_up(&self) -> Result<usize, AppError> {
        let mut cursor = self.cursor.lock().await;
        let pending = cursor.pending(&self.pool).await?;
        let changed: BTreeSet<u64> = pending.iter().map(|(_, space_id)| *space_id).collect();
        let pool = &self.pool;
        let mut reads =
            stream::iter(changed)
                .map(|space_id| async move {
                    Ok::<_, AppError>((space_id, read(pool, space_id).await?))
                })
                .buffer_unordered(8);
        while let Some(read) = reads.next().await {
            let (space_id, detail) = read?;
            let mut details = self.details.write().unwrap_or_else(|e| e.into_inner());
            match detail {
                Some(detail) => details.insert(space_id, Arc::new(detail)),
                None => details.remove(&space_id),
            };
        }
        cursor.commit(&pending);
        Ok(pending.len())
    }

    pub fn health(&self) -> CatalogueHealth {
        let behind = self
            .last_caught_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed();
        CatalogueHealth {
            spaces: self.len(),
            behind,
            fresh: behind < STALE_AFTER,
        }
    }

    /// Follows the outbox for the life of the process: at every wake-up on `channel` (when
    /// Redis answers) and every `poll` regardless. Only this loop vouches for freshness: it
    /// counts as caught up once a read found less than a full page.
    pub fn follow(self: Arc<Self>, redis_url: String, channel: String, poll: Duration) {
        let (woken, mut wake) = tokio::sync::mpsc::channel::<()>(1);
        tokio::spawn(listen(redis_url, channel, woken));
        tokio::spawn(async move {
            let mut reported = false;
            let mut backlog = false;
            loop {
                if !backlog {
                    let _ = tokio::time::timeout(poll, wake.recv()).await;
                }
                match self.catch_up().await {
                    Ok(applied) => {
                        reported = false;
                        backlog = applied >= spacecloud_common::catalogue::PAGE;
                        if !backlog {
                            *self
                                .last_caught_up
                                .lock()
                                .unwrap_or_else(|e| e.into_inner()) = Instant::now();
                        }
                    }
                    Err(err) if !reported => {
                        reported = true;
                        tracing::warn!(error = %err, "the catalogue cannot read its outbox; it is served as last read, and /readyz says so after 5 s");
                    }
                    Err(_) => {}
                }
            }
        });
    }

    fn read_lock(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, Arc<SpaceDetail>>> {
        self.details.read().unwrap_or_else(|e| e.into_inner())
    }
}

async fn read(pool: &MySqlPool, space_id: u64) -> Result<Option<SpaceDetail>, AppError> {
    let mut conn = pool.acquire().await?;
    let mut detail = spaces::detail(&mut conn, space_id, None).await?;
    if let Some(detail) = &mut detail {
        // Per viewer, looked up per request.
        detail.space.liked_flag = 0;
    }
    Ok(detail)
}

/// Forwards wake-ups published on `channel`; reconnects after Redis goes away. Missed
/// wake-ups cost at most one `POLL`.
async fn listen(redis_url: String, channel: String, woken: tokio::sync::mpsc::Sender<()>) {
    loop {
        let subscribed = async {
            let client = redis::Client::open(redis_url.as_str())?;
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            let mut messages = pubsub.on_message();
            while messages.next().await.is_some() {
                let _ = woken.try_send(());
            }
            Ok::<_, redis::RedisError>(())
        };
        if let Err(err) = subscribed.await {
            tracing::debug!(error = %err, "catalogue wake-ups unavailable; polling");
        }
        if woken.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
