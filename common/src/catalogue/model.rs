//! The catalogue as an API process holds it in memory: for every live space its detail as
//! served, the fields the list filters and sorts by, and its claimed hours by date. Answers the
//! list, the detail and the calendar by the same rules as the SQL in `db::spaces`, which the
//! property tests hold it to. Snapshots are immutable: a change builds the next one, readers
//! keep the one they started with. See docs/catalogue.md.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    db::spaces::{self, DayAvailability, SpaceDetail, SpaceSummaryRow, day_availability},
    domain::{AvailabilityRange, Hours, Moment, Page, Slot, SpaceFilter, SpaceSort},
    error::AppError,
};

/// The hours of one date a space's claims hold: those kept until freed, and holds that run
/// out at their instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayClaims {
    kept: u32,
    expiring: Vec<(u8, DateTime<Utc>)>,
}

impl DayClaims {
    /// The hours claimed at `now`, as bits (hour `h` is bit `h`).
    fn at(&self, now: DateTime<Utc>) -> u32 {
        self.expiring
            .iter()
            .filter(|(_, expires_at)| *expires_at > now)
            .fold(self.kept, |mask, (hour, _)| mask | hour_bit(*hour))
    }
}

fn hour_bit(hour: u8) -> u32 {
    1u32.checked_shl(u32::from(hour)).unwrap_or(0)
}

/// Bits of `[hours.start(), hours.end())`.
fn hours_mask(start: u8, end: u8) -> u32 {
    (start..end).fold(0, |mask, hour| mask | hour_bit(hour))
}

/// One live space as the model holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// What `GET /spaces/:id` shows, without the viewer's `liked`.
    pub detail: Arc<SpaceDetail>,
    pub created_at: DateTime<Utc>,
    /// `spaces.search_text` as MySQL stored it: title, sub_title and address lower-cased.
    pub search_text: Vec<u8>,
    pub claims: BTreeMap<NaiveDate, DayClaims>,
}

impl Listed {
    fn summary(&self) -> &SpaceSummaryRow {
        &self.detail.space.summary
    }

    fn offers(&self, slot: Slot) -> bool {
        self.detail.options.iter().any(|option| option.slot == slot)
    }

    fn claimed(&self, date: NaiveDate, now: DateTime<Utc>) -> u32 {
        self.claims.get(&date).map_or(0, |day| day.at(now))
    }

    /// The calendar of `range`, as `db::spaces::availability` computes it from MySQL.
    pub fn availability(&self, range: AvailabilityRange, moment: Moment) -> Vec<DayAvailability> {
        let space = &self.detail.space;
        let opening = Hours::opening(space.open_hour, space.close_hour);
        range
            .days()
            .map(|date| {
                let claimed = self.claimed(date, moment.now);
                day_availability(
                    date,
                    |slot| self.offers(slot),
                    opening,
                    space.min_hours,
                    |hour| claimed & hour_bit(hour) != 0,
                    moment,
                )
            })
            .collect()
    }

    /// Bookable on `date` by the filter's `hours` or `slot` (or any offered option), as
    /// `db::spaces`' `push_bookable` asks MySQL.
    fn bookable(&self, filter: &SpaceFilter, date: NaiveDate, moment: Moment) -> bool {
        if date < moment.today {
            return false;
        }
        let space = &self.detail.space;
        let claimed = self.claimed(date, moment.now);
        let free = |start: u8, end: u8| claimed & hours_mask(start, end) == 0;
        let first_open = moment.first_open_hour(date);
        if let Some(hours) = filter.hours {
            return self.offers(Slot::Hourly)
                && space.open_hour <= hours.start()
                && space.close_hour >= hours.end()
                && space.min_hours <= hours.len()
                && hours.start() >= first_open
                && free(hours.start(), hours.end());
        }
        let asked = filter.slot.map(|slot| [slot]);
        let slots: &[Slot] = asked.as_ref().map_or(&Slot::EVERY, |slot| slot);
        slots.iter().any(|slot| {
            self.offers(*slot)
                && match slot.package_hours() {
                    Some(hours) => free(hours.start(), hours.end()),
                    None => (0..24u8).any(|start| {
                        let end = start + space.min_hours;
                        start >= space.open_hour
                            && start >= first_open
                            && end <= space.close_hour
                            && free(start, end)
                    }),
                }
        })
    }
}

/// The sort keys and cheap filters of a space, kept together so a list scan reads one small
/// array instead of following a pointer per space.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Keys {
    id: u64,
    district_id: u64,
    category_id: u64,
    min_count: u32,
    max_count: u32,
    min_price: i64,
    like_count: u32,
    rating_tenths: Option<i64>,
    created_at: DateTime<Utc>,
    /// Facilities 1–64 as bits; the others are looked up in the detail.
    facility_mask: u64,
}

impl Keys {
    fn of(listed: &Listed) -> Self {
        let summary = listed.summary();
        Self {
            id: summary.id,
            district_id: summary.district_id,
            category_id: summary.category_id,
            min_count: summary.min_count,
            max_count: summary.max_count,
            min_price: summary.min_price,
            like_count: summary.like_count,
            rating_tenths: summary.rating_tenths,
            created_at: listed.created_at,
            facility_mask: listed
                .detail
                .facilities
                .iter()
                .filter_map(|facility| spaces::facility_bit(facility.id))
                .fold(0, |mask, bit| mask | bit),
        }
    }

    fn same_order(&self, other: &Self) -> bool {
        self.like_count == other.like_count
            && self.min_price == other.min_price
            && self.rating_tenths == other.rating_tenths
            && self.created_at == other.created_at
    }

    /// The list's order for `sort`, as `db::spaces::list` orders it: ties by id, descending.
    fn compare(&self, other: &Self, sort: SpaceSort) -> std::cmp::Ordering {
        let primary = match sort {
            SpaceSort::Popular => other.like_count.cmp(&self.like_count),
            SpaceSort::PriceAsc => self.min_price.cmp(&other.min_price),
            SpaceSort::PriceDesc => other.min_price.cmp(&self.min_price),
            SpaceSort::Newest => other.created_at.cmp(&self.created_at),
            // NULLs last, then best first.
            SpaceSort::Rating => match (self.rating_tenths, other.rating_tenths) {
                (Some(mine), Some(theirs)) => theirs.cmp(&mine),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        primary.then(other.id.cmp(&self.id))
    }
}

const SORTS: [SpaceSort; 5] = [
    SpaceSort::Popular,
    SpaceSort::PriceAsc,
    SpaceSort::PriceDesc,
    SpaceSort::Newest,
    SpaceSort::Rating,
];

fn sort_index(sort: SpaceSort) -> usize {
    match sort {
        SpaceSort::Popular => 0,
        SpaceSort::PriceAsc => 1,
        SpaceSort::PriceDesc => 2,
        SpaceSort::Newest => 3,
        SpaceSort::Rating => 4,
    }
}

/// The keyword lower-cased exactly as MySQL lower-cases it under `utf8mb4_unicode_ci`: the
/// characters whose lower case differs, as the server itself answered at start-up.
#[derive(Debug, Clone, Default)]
pub struct Lowering(HashMap<char, char>);

impl Lowering {
    /// How many characters one question to the server carries.
    const CHUNK: u32 = 32_768;

    /// Asks the server for the lower case of every Unicode scalar value (about 70 statements,
    /// 4 MB in each direction). The server lowers one character into one character; if it did
    /// not, the load fails rather than match keywords differently from MySQL.
    pub async fn from_server(pool: &MySqlPool) -> Result<Self, AppError> {
        let mut mapping = HashMap::new();
        let mut start = 0u32;
        while start <= u32::from(char::MAX) {
            let end = (start + Self::CHUNK).min(u32::from(char::MAX) + 1);
            let asked: Vec<char> = (start..end).filter_map(char::from_u32).collect();
            start = end;
            if asked.is_empty() {
                continue;
            }
            let text: String = asked.iter().collect();
            let lowered: Vec<u8> = sqlx::query_scalar(
                "SELECT CAST(LOWER(CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci) AS BINARY)",
            )
            .bind(&text)
            .fetch_one(pool)
            .await?;
            let lowered = String::from_utf8(lowered).map_err(|_| {
                sqlx::Error::Protocol("the server lower-cased text into invalid UTF-8".into())
            })?;
            let lowered: Vec<char> = lowered.chars().collect();
            if lowered.len() != asked.len() {
                return Err(sqlx::Error::Protocol(
                    "the server's lower case is not one character per character".into(),
                )
                .into());
            }
            for (from, to) in asked.into_iter().zip(lowered) {
                if from != to {
                    mapping.insert(from, to);
                }
            }
        }
        Ok(Self(mapping))
    }

    pub fn lower(&self, text: &str) -> String {
        text.chars()
            .map(|c| self.0.get(&c).copied().unwrap_or(c))
            .collect()
    }
}

/// One immutable state of the catalogue.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    keys: Vec<Keys>,
    spaces: Vec<Arc<Listed>>,
    positions: Arc<HashMap<u64, usize>>,
    /// Per sort (`SORTS` order), positions in the list's order.
    orders: Arc<[Vec<u32>; 5]>,
}

impl Snapshot {
    pub fn new(spaces: impl IntoIterator<Item = Listed>) -> Self {
        Self::of(spaces.into_iter().map(Arc::new).collect())
    }

    fn of(spaces: Vec<Arc<Listed>>) -> Self {
        let keys = spaces.iter().map(|listed| Keys::of(listed)).collect();
        let mut snapshot = Self {
            keys,
            spaces,
            ..Self::default()
        };
        snapshot.index();
        snapshot
    }

    fn index(&mut self) {
        self.positions = Arc::new(
            self.keys
                .iter()
                .enumerate()
                .map(|(position, keys)| (keys.id, position))
                .collect(),
        );
        let unsorted: Vec<u32> = (0..self.keys.len() as u32).collect();
        self.orders = Arc::new(SORTS.map(|sort| {
            let mut order = unsorted.clone();
            order.sort_unstable_by(|a, b| {
                self.keys[*a as usize].compare(&self.keys[*b as usize], sort)
            });
            order
        }));
    }

    /// The next snapshot: each `(space_id, Some(listed))` replaces or adds the space, each
    /// `(space_id, None)` removes it (deleted, or never existed). Claims and details that
    /// keep every sort key reuse the orders as they are.
    pub fn apply(&self, changes: Vec<(u64, Option<Listed>)>) -> Self {
        let reshaped = changes
            .iter()
            .any(|(space_id, listed)| self.positions.contains_key(space_id) != listed.is_some());
        if reshaped {
            // Spaces came or went: index the new set from scratch.
            let mut by_id: BTreeMap<u64, Arc<Listed>> = self
                .spaces
                .iter()
                .map(|listed| (listed.summary().id, listed.clone()))
                .collect();
            for (space_id, listed) in changes {
                match listed {
                    Some(listed) => by_id.insert(space_id, Arc::new(listed)),
                    None => by_id.remove(&space_id),
                };
            }
            return Self::of(by_id.into_values().collect());
        }
        let mut next = self.clone();
        let mut reordered = false;
        for (space_id, listed) in changes {
            if let (Some(&position), Some(listed)) = (self.positions.get(&space_id), listed) {
                let keys = Keys::of(&listed);
                reordered |= !keys.same_order(&next.keys[position]);
                next.keys[position] = keys;
                next.spaces[position] = Arc::new(listed);
            }
        }
        if reordered {
            // Nearly sorted already: the sort finds the runs and costs about one pass.
            let mut orders = (*next.orders).clone();
            for (order, sort) in orders.iter_mut().zip(SORTS) {
                order.sort_by(|a, b| next.keys[*a as usize].compare(&next.keys[*b as usize], sort));
            }
            next.orders = Arc::new(orders);
        }
        next
    }

    pub fn len(&self) -> usize {
        self.spaces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spaces.is_empty()
    }

    pub fn get(&self, space_id: u64) -> Option<&Arc<Listed>> {
        self.positions
            .get(&space_id)
            .map(|position| &self.spaces[*position])
    }

    /// One page of the list and the number of matches, as `db::spaces::list` answers them.
    /// `keyword` is the filter's keyword already lowered by [`Lowering`].
    pub fn list(
        &self,
        filter: &SpaceFilter,
        keyword: Option<&str>,
        page: Page,
        moment: Moment,
    ) -> (Vec<SpaceSummaryRow>, u64) {
        let wanted_mask = filter
            .facility_ids
            .iter()
            .filter_map(|id| spaces::facility_bit(*id))
            .fold(0, |mask, bit| mask | bit);
        let unmasked: Vec<u64> = filter
            .facility_ids
            .iter()
            .copied()
            .filter(|id| spaces::facility_bit(*id).is_none())
            .collect();
        let finder = keyword.map(|keyword| memchr::memmem::Finder::new(keyword.as_bytes()));
        let headcount = filter.headcount.map(|headcount| headcount.get());
        let past = filter.date.is_some_and(|date| date < moment.today);
        let offset = page.offset();
        let end = offset + u64::from(page.per_page());
        let mut total = 0u64;
        let mut items = Vec::new();
        if past {
            return (items, total);
        }
        for &position in &self.orders[sort_index(filter.sort)] {
            let keys = &self.keys[position as usize];
            let cheap = filter.district_id.is_none_or(|id| keys.district_id == id)
                && filter.category_id.is_none_or(|id| keys.category_id == id)
                && headcount.is_none_or(|count| keys.min_count <= count && keys.max_count >= count)
                && filter
                    .price
                    .min
                    .is_none_or(|min| keys.min_price >= min.get())
                && filter
                    .price
                    .max
                    .is_none_or(|max| keys.min_price <= max.get())
                && keys.facility_mask & wanted_mask == wanted_mask;
            if !cheap {
                continue;
            }
            let listed = &self.spaces[position as usize];
            let matches = unmasked.iter().all(|id| {
                listed
                    .detail
                    .facilities
                    .iter()
                    .any(|facility| facility.id == *id)
            }) && finder
                .as_ref()
                .is_none_or(|finder| finder.find(&listed.search_text).is_some())
                && filter
                    .date
                    .is_none_or(|date| listed.bookable(filter, date, moment));
            if !matches {
                continue;
            }
            if (offset..end).contains(&total) {
                items.push(listed.summary().clone());
            }
            total += 1;
        }
        (items, total)
    }
}

/// Reads one space as the model holds it, `None` when it is not live. Claims dated before
/// `claims_from` are left out: no calendar or list shows them.
pub async fn read(
    conn: &mut MySqlConnection,
    space_id: u64,
    claims_from: NaiveDate,
) -> Result<Option<Listed>, AppError> {
    let Some(mut detail) = spaces::detail(conn, space_id, None).await? else {
        return Ok(None);
    };
    // Per viewer, looked up per request.
    detail.space.liked_flag = 0;
    let Some((created_at, search_text)) = sqlx::query_as::<_, (DateTime<Utc>, Vec<u8>)>(
        "SELECT created_at, search_text FROM spaces WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(space_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let rows: Vec<ClaimRow> = sqlx::query_as(
        "SELECT space_id, date, hour, expires_at FROM hour_claims \
         WHERE space_id = ? AND date >= ?",
    )
    .bind(space_id)
    .bind(claims_from)
    .fetch_all(&mut *conn)
    .await?;
    let mut claims = BTreeMap::new();
    for row in rows {
        row.add_to(&mut claims);
    }
    Ok(Some(Listed {
        detail: Arc::new(detail),
        created_at,
        search_text,
        claims,
    }))
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    space_id: u64,
    date: NaiveDate,
    hour: u8,
    expires_at: Option<DateTime<Utc>>,
}

impl ClaimRow {
    fn add_to(self, claims: &mut BTreeMap<NaiveDate, DayClaims>) {
        let day = claims.entry(self.date).or_default();
        match self.expires_at {
            None => day.kept |= hour_bit(self.hour),
            Some(expires_at) => day.expiring.push((self.hour, expires_at)),
        }
    }
}

/// The fields the detail does not carry, of every live space: one statement each.
pub async fn read_all_extras(
    pool: &MySqlPool,
    claims_from: NaiveDate,
) -> Result<
    (
        HashMap<u64, (DateTime<Utc>, Vec<u8>)>,
        HashMap<u64, BTreeMap<NaiveDate, DayClaims>>,
    ),
    AppError,
> {
    let rows: Vec<(u64, DateTime<Utc>, Vec<u8>)> =
        sqlx::query_as("SELECT id, created_at, search_text FROM spaces WHERE deleted_at IS NULL")
            .fetch_all(pool)
            .await?;
    let extras = rows
        .into_iter()
        .map(|(id, created_at, search_text)| (id, (created_at, search_text)))
        .collect();
    let rows: Vec<ClaimRow> =
        sqlx::query_as("SELECT space_id, date, hour, expires_at FROM hour_claims WHERE date >= ?")
            .bind(claims_from)
            .fetch_all(pool)
            .await?;
    let mut claims: HashMap<u64, BTreeMap<NaiveDate, DayClaims>> = HashMap::new();
    for row in rows {
        let of_space = claims.entry(row.space_id).or_default();
        row.add_to(of_space);
    }
    Ok((extras, claims))
}
