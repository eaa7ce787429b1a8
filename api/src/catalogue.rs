//! The catalogue served from memory: each API process holds the public detail of every live
//! space, loaded at start-up and kept fresh by following the outbox (`catalogue_changes`),
//! woken through Redis when a writer announces a change and polling every 100 ms whether or not
//! it was (docs/catalogue.md). The list and the availability calendar still read MySQL.

use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use chrono::{DateTime, Days, Duration as ChronoDuration, NaiveDate, Utc};
use futures_util::{StreamExt, stream};
use spacecloud_common::{
    catalogue::{
        self, Cursor,
        model::{self, Listed, Lowering, Snapshot},
    },
    clock::BusinessClock,
    db::spaces::{self, DayAvailability, SpaceDetail, SpaceSummaryRow},
    domain::{AvailabilityRange, Moment, Page, SpaceFilter},
    error::AppError,
};
use sqlx::MySqlPool;

/// Ids below the outbox's newest at start-up that may still be in flight.
const IN_FLIGHT_AT_START: u64 = 10_000;
/// A process that could not read the outbox for this long says so in `/readyz`.
const STALE_AFTER: Duration = Duration::from_secs(5);
/// How many spaces are read from MySQL at once while loading or catching up.
const READS_AT_ONCE: usize = 8;

pub struct Catalogue {
    pool: MySqlPool,
    clock: BusinessClock,
    lowering: Lowering,
    max_spaces: usize,
    /// `None` while the live spaces outnumber `max_spaces`: the routes read MySQL then.
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    cursor: tokio::sync::Mutex<Reader>,
    last_caught_up: std::sync::Mutex<Instant>,
}

/// The outbox cursor, and when the last completed read of the outbox began: a change
/// committed before that instant is already applied.
struct Reader {
    cursor: Cursor,
    read_from: Instant,
    /// When (business clock) the outbox was last read: a reader that has not read it for
    /// nearly its retention may have missed records the sweep pruned.
    last_read: DateTime<Utc>,
}

/// One state of the catalogue, as a request reads it.
pub struct View<'a> {
    snapshot: Arc<Snapshot>,
    lowering: &'a Lowering,
}

impl View<'_> {
    /// The public detail of a live space (`liked` is the viewer's and is not part of it).
    pub fn detail(&self, space_id: u64) -> Option<Arc<SpaceDetail>> {
        self.snapshot
            .get(space_id)
            .map(|listed| listed.detail.clone())
    }

    /// One page of the list and the number of matches, as MySQL would answer them.
    pub fn list(
        &self,
        filter: &SpaceFilter,
        page: Page,
        moment: Moment,
    ) -> (Vec<SpaceSummaryRow>, u64) {
        let keyword = filter
            .keyword
            .as_ref()
            .map(|keyword| self.lowering.lower(keyword.as_str()));
        self.snapshot.list(filter, keyword.as_deref(), page, moment)
    }

    /// The calendar of a live space over `range`; `None` when there is no such space.
    pub fn availability(
        &self,
        space_id: u64,
        range: AvailabilityRange,
        moment: Moment,
    ) -> Option<Vec<DayAvailability>> {
        self.snapshot
            .get(space_id)
            .map(|listed| listed.availability(range, moment))
    }
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
    /// Reads every live space; the process is not ready until it has. Past `max_spaces` live
    /// spaces it holds none, says so (log, `/readyz`) and leaves the routes to MySQL.
    pub async fn load(
        pool: &MySqlPool,
        clock: &BusinessClock,
        max_spaces: usize,
    ) -> Result<Self, AppError> {
        let started = Instant::now();
        let lowering = Lowering::from_server(pool).await?;
        let (cursor, snapshot) = read_everything(pool, clock, max_spaces).await?;
        let catalogue = Self {
            pool: pool.clone(),
            clock: clock.clone(),
            lowering,
            max_spaces,
            snapshot: RwLock::new(snapshot.map(Arc::new)),
            cursor: tokio::sync::Mutex::new(Reader {
                cursor,
                read_from: started,
                last_read: clock.now(),
            }),
            last_caught_up: std::sync::Mutex::new(Instant::now()),
        };
        if catalogue.serving() {
            tracing::info!(
                catalogue.spaces = catalogue.len(),
                catalogue.load_ms = started.elapsed().as_millis() as u64,
                "catalogue loaded"
            );
        }
        Ok(catalogue)
    }

    /// Whether the routes are answered from memory: false once the live spaces outnumber
    /// `CATALOGUE_MAX_SPACES` (MySQL answers them then, and `/readyz` says so).
    pub fn serving(&self) -> bool {
        self.view().is_some()
    }

    /// The current state, for one request to read consistently; `None` when the routes
    /// must read MySQL.
    pub fn view(&self) -> Option<View<'_>> {
        let snapshot = self
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        Some(View {
            snapshot,
            lowering: &self.lowering,
        })
    }

    pub fn len(&self) -> usize {
        self.view().map_or(0, |view| view.snapshot.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies the changes recorded since the last call (at most `catalogue::PAGE` records):
    /// the spaces they name are read again. Returns how many records were applied.
    pub async fn catch_up(&self) -> Result<usize, AppError> {
        let mut reader = self.cursor.lock().await;
        self.read_outbox(&mut reader).await
    }

    /// Makes sure a change committed before `committed` is applied: a read of the outbox
    /// that began after it (another request's, the follower's) has applied it already, so
    /// concurrent writers share one read instead of queueing one each.
    pub async fn catch_up_since(&self, committed: Instant) -> Result<usize, AppError> {
        let mut reader = self.cursor.lock().await;
        if reader.read_from >= committed {
            return Ok(0);
        }
        self.read_outbox(&mut reader).await
    }

    async fn read_outbox(&self, reader: &mut Reader) -> Result<usize, AppError> {
        let read_from = Instant::now();
        let Some(current) = self.view().map(|view| view.snapshot) else {
            return Ok(0);
        };
        let now = self.clock.now();
        if now - reader.last_read > ChronoDuration::hours(catalogue::RETENTION_HOURS - 1) {
            // Not read for nearly the outbox's retention (MySQL was out of reach): records
            // this process never read may be pruned, so only reading everything is exact.
            tracing::error!(
                "the catalogue has not read its outbox for nearly its retention; reloading every space"
            );
            let (cursor, snapshot) =
                read_everything(&self.pool, &self.clock, self.max_spaces).await?;
            self.replace(snapshot);
            *reader = Reader {
                cursor,
                read_from,
                last_read: now,
            };
            return Ok(0);
        }
        let pending = reader.cursor.pending(&self.pool).await?;
        // Per space: whether every record of it says only its claims changed.
        let mut changed: BTreeMap<u64, bool> = BTreeMap::new();
        for change in &pending {
            *changed.entry(change.space_id).or_insert(true) &= change.claims_only;
        }
        if !changed.is_empty() {
            let pool = &self.pool;
            let claims_from = claims_from(&self.clock);
            let current = &current;
            let reads: Vec<Result<(u64, Option<Listed>), AppError>> = stream::iter(changed)
                .map(|(space_id, claims_only)| async move {
                    let mut conn = pool.acquire().await?;
                    let held = current.get(space_id).filter(|_| claims_only);
                    let listed = match held {
                        Some(held) => Some(Listed {
                            claims: model::read_claims(&mut conn, space_id, claims_from).await?,
                            ..Listed::clone(held)
                        }),
                        None => model::read(&mut conn, space_id, claims_from).await?,
                    };
                    Ok((space_id, listed))
                })
                .buffer_unordered(READS_AT_ONCE)
                .collect()
                .await;
            let changes = reads.into_iter().collect::<Result<Vec<_>, _>>()?;
            let next = current.apply(changes);
            let fits = next.len() <= self.max_spaces;
            self.replace(fits.then_some(next));
        }
        reader.cursor.commit(&pending);
        reader.last_read = now;
        if pending.len() < spacecloud_common::catalogue::PAGE {
            // Read to the end: every record committed before `read_from` is applied.
            reader.read_from = read_from;
        }
        Ok(pending.len())
    }

    /// Swaps in `snapshot`, or, for `None` (more spaces than `CATALOGUE_MAX_SPACES`), stops
    /// serving from memory: the same swap, so no request sees an empty catalogue.
    fn replace(&self, snapshot: Option<Snapshot>) {
        let over = snapshot.is_none();
        let was = std::mem::replace(
            &mut *self.snapshot.write().unwrap_or_else(|e| e.into_inner()),
            snapshot.map(Arc::new),
        );
        if over && was.is_some() {
            tracing::error!(
                catalogue.max_spaces = self.max_spaces,
                "more live spaces than the catalogue may hold; the list, detail and calendar are read from MySQL and /readyz says the catalogue is not ready"
            );
        }
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
            fresh: behind < STALE_AFTER && self.serving(),
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
}

/// A cursor placed at the outbox's end, then every live space (a change committed while
/// reading is applied again afterwards rather than missed); `None` past `max_spaces`.
async fn read_everything(
    pool: &MySqlPool,
    clock: &BusinessClock,
    max_spaces: usize,
) -> Result<(Cursor, Option<Snapshot>), AppError> {
    let cursor = Cursor::start(pool, IN_FLIGHT_AT_START).await?;
    let claims_from = claims_from(clock);
    let ids: Vec<u64> = sqlx::query_scalar("SELECT id FROM spaces WHERE deleted_at IS NULL")
        .fetch_all(pool)
        .await?;
    if ids.len() > max_spaces {
        tracing::error!(
            catalogue.spaces = ids.len(),
            catalogue.max_spaces = max_spaces,
            "more live spaces than the catalogue may hold; the list, detail and calendar are read from MySQL and /readyz says the catalogue is not ready"
        );
        return Ok((cursor, None));
    }
    let (mut extras, mut claims) = model::read_all_extras(pool, claims_from).await?;
    let details: Vec<Result<(u64, Option<SpaceDetail>), AppError>> = stream::iter(ids)
        .map(|id| async move {
            let mut conn = pool.acquire().await?;
            Ok((id, spaces::detail(&mut conn, id, None).await?))
        })
        .buffer_unordered(READS_AT_ONCE)
        .collect()
        .await;
    let mut listed = Vec::with_capacity(details.len());
    for entry in details {
        let (id, Some(mut detail)) = entry? else {
            continue;
        };
        // Created after the extras were read: the outbox brings it.
        let Some((created_at, search_text)) = extras.remove(&id) else {
            continue;
        };
        // Per viewer, looked up per request.
        detail.space.liked_flag = 0;
        listed.push(Listed {
            detail: Arc::new(detail),
            created_at,
            search_text,
            claims: claims.remove(&id).unwrap_or_default(),
        });
    }
    Ok((cursor, Some(Snapshot::new(listed))))
}

/// Claims of dates before this are never shown (yesterday, in case the business day turned
/// between a request's moment and the read).
fn claims_from(clock: &BusinessClock) -> NaiveDate {
    let today = clock.date_of(clock.now());
    today.checked_sub_days(Days::new(1)).unwrap_or(today)
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
