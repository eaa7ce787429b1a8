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
    let (start, end) = (u32::from(start).min(32), u32::from(end).min(32));
    if start >= end {
        return 0;
    }
    ((1u64 << end) - (1u64 << start)) as u32
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
}

/// What the list orders spaces by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SortKeys {
    id: u64,
    like_count: u32,
    min_price: i64,
    rating_tenths: Option<i64>,
    created_at: DateTime<Utc>,
}

impl SortKeys {
    fn of(listed: &Listed) -> Self {
        let summary = listed.summary();
        Self {
            id: summary.id,
            like_count: summary.like_count,
            min_price: summary.min_price,
            rating_tenths: summary.rating_tenths,
            created_at: listed.created_at,
        }
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

/// What the list filters by, small and inline: a scan reads these in the list's order, one
/// array per sort, and follows a pointer only for a space that passed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    position: u32,
    /// Offered slots, one bit each (`slot_bit`).
    offers: u8,
    open_hour: u8,
    close_hour: u8,
    min_hours: u8,
    min_count: u32,
    max_count: u32,
    district_id: u64,
    category_id: u64,
    min_price: i64,
    /// Facilities 1–64 as bits; the others are looked up in the detail.
    facility_mask: u64,
}

impl Row {
    fn of(position: usize, listed: &Listed) -> Self {
        let space = &listed.detail.space;
        let summary = listed.summary();
        Self {
            position: position as u32,
            offers: listed
                .detail
                .options
                .iter()
                .fold(0, |bits, option| bits | slot_bit(option.slot)),
            open_hour: space.open_hour,
            close_hour: space.close_hour,
            min_hours: space.min_hours,
            min_count: summary.min_count,
            max_count: summary.max_count,
            district_id: summary.district_id,
            category_id: summary.category_id,
            min_price: summary.min_price,
            facility_mask: listed
                .detail
                .facilities
                .iter()
                .filter_map(|facility| spaces::facility_bit(facility.id))
                .fold(0, |mask, bit| mask | bit),
        }
    }

    fn offers(&self, slot: Slot) -> bool {
        self.offers & slot_bit(slot) != 0
    }

    /// Bookable on the filter's date (not past; hours before `first_open` have started) with
    /// `claimed` hours taken, by the filter's `hours` or
    /// `slot` (or any offered option), as `db::spaces`' `push_bookable` asks MySQL.
    fn bookable(&self, filter: &SpaceFilter, first_open: u8, claimed: u32) -> bool {
        let free = |start: u8, end: u8| claimed & hours_mask(start, end) == 0;
        if let Some(hours) = filter.hours {
            return self.offers(Slot::Hourly)
                && self.open_hour <= hours.start()
                && self.close_hour >= hours.end()
                && self.min_hours <= hours.len()
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
                        let end = start + self.min_hours;
                        start >= self.open_hour
                            && start >= first_open
                            && end <= self.close_hour
                            && free(start, end)
                    }),
                }
        })
    }
}

fn slot_bit(slot: Slot) -> u8 {
    match slot {
        Slot::Day => 1,
        Slot::Night => 2,
        Slot::All => 4,
        Slot::Hourly => 8,
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

/// The claims of one date, by position (ascending): what a list filtered by that date reads,
/// instead of each space's own map.
type DayIndex = Vec<(u32, DayClaims)>;

fn index_claims(spaces: &[Arc<Listed>]) -> HashMap<NaiveDate, Arc<DayIndex>> {
    let mut days: HashMap<NaiveDate, DayIndex> = HashMap::new();
    for (position, listed) in spaces.iter().enumerate() {
        for (date, claims) in &listed.claims {
            days.entry(*date)
                .or_default()
                .push((position as u32, claims.clone()));
        }
    }
    days.into_iter()
        .map(|(date, day)| (date, Arc::new(day)))
        .collect()
}

/// Replaces the claims of `position` in the index (those of `old`) by those of `new`.
fn reindex_claims(
    days: &mut HashMap<NaiveDate, Arc<DayIndex>>,
    position: usize,
    old: &Listed,
    new: &Listed,
) {
    let position = position as u32;
    let dates: std::collections::BTreeSet<NaiveDate> = old
        .claims
        .keys()
        .chain(new.claims.keys())
        .copied()
        .collect();
    for date in dates {
        let day = Arc::make_mut(days.entry(date).or_default());
        let at = day.partition_point(|(p, _)| *p < position);
        if day.get(at).is_some_and(|(p, _)| *p == position) {
            day.remove(at);
        }
        if let Some(claims) = new.claims.get(&date) {
            day.insert(at, (position, claims.clone()));
        }
        if day.is_empty() {
            days.remove(&date);
        }
    }
}

/// Every space's `search_text` in one buffer, separated by a newline (which no keyword holds),
/// so a keyword is one fast byte search over the whole catalogue instead of one per space.
#[derive(Debug, Clone, Default)]
struct SearchIndex {
    text: Vec<u8>,
    /// Where each position's text starts.
    starts: Vec<usize>,
}

impl SearchIndex {
    fn of(spaces: &[Arc<Listed>]) -> Self {
        let mut index = Self {
            text: Vec::with_capacity(spaces.iter().map(|l| l.search_text.len() + 1).sum()),
            starts: Vec::with_capacity(spaces.len()),
        };
        for listed in spaces {
            index.starts.push(index.text.len());
            index.text.extend_from_slice(&listed.search_text);
            index.text.push(b'\n');
        }
        index
    }

    /// The positions whose text holds `keyword`, as bits.
    fn matching(&self, keyword: &[u8]) -> Vec<u64> {
        let mut bits = vec![0u64; self.starts.len().div_ceil(64)];
        let finder = memchr::memmem::Finder::new(keyword);
        let mut from = 0;
        while let Some(found) = finder.find(&self.text[from..]) {
            let position = self.starts.partition_point(|start| *start <= from + found) - 1;
            bits[position / 64] |= 1 << (position % 64);
            // One match per space is enough: go on from the next space's text.
            match self.starts.get(position + 1) {
                Some(next) => from = *next,
                None => break,
            }
        }
        bits
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

/// One immutable state of the catalogue. Spaces have a position (their index in `spaces`);
/// the list orders are arrays of positions, with the filter rows copied in each order.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    spaces: Vec<Arc<Listed>>,
    sort_keys: Vec<SortKeys>,
    claims_by_day: Arc<HashMap<NaiveDate, Arc<DayIndex>>>,
    positions: Arc<HashMap<u64, usize>>,
    /// Per sort (`SORTS` order), positions in the list's order.
    orders: Arc<[Vec<u32>; 5]>,
    /// `orders` with each position's filter row.
    rows: Arc<[Vec<Row>; 5]>,
    search: Arc<SearchIndex>,
}

impl Snapshot {
    pub fn new(spaces: impl IntoIterator<Item = Listed>) -> Self {
        Self::of(spaces.into_iter().map(Arc::new).collect())
    }

    fn of(spaces: Vec<Arc<Listed>>) -> Self {
        let sort_keys: Vec<SortKeys> = spaces.iter().map(|listed| SortKeys::of(listed)).collect();
        let positions = spaces
            .iter()
            .enumerate()
            .map(|(position, listed)| (listed.summary().id, position))
            .collect();
        let unsorted: Vec<u32> = (0..spaces.len() as u32).collect();
        let orders = SORTS.map(|sort| {
            let mut order = unsorted.clone();
            order.sort_unstable_by(|a, b| {
                sort_keys[*a as usize].compare(&sort_keys[*b as usize], sort)
            });
            order
        });
        let mut snapshot = Self {
            claims_by_day: Arc::new(index_claims(&spaces)),
            search: Arc::new(SearchIndex::of(&spaces)),
            spaces,
            sort_keys,
            positions: Arc::new(positions),
            orders: Arc::new(orders),
            rows: Arc::default(),
        };
        snapshot.copy_rows();
        snapshot
    }

    fn copy_rows(&mut self) {
        let rows: Vec<Row> = self
            .spaces
            .iter()
            .enumerate()
            .map(|(position, listed)| Row::of(position, listed))
            .collect();
        self.rows = Arc::new(std::array::from_fn(|sort| {
            self.orders[sort]
                .iter()
                .map(|position| rows[*position as usize])
                .collect()
        }));
    }

    /// The next snapshot: each `(space_id, Some(listed))` replaces or adds the space, each
    /// `(space_id, None)` removes it (deleted, or never existed). What a change leaves as it
    /// was (the orders, the rows, the search text) is shared with this snapshot.
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
        let (mut reordered, mut refiltered, mut retexted) = (false, false, false);
        for (space_id, listed) in changes {
            let (Some(&position), Some(listed)) = (self.positions.get(&space_id), listed) else {
                continue;
            };
            let old = &self.spaces[position];
            let sort_keys = SortKeys::of(&listed);
            reordered |= sort_keys != next.sort_keys[position];
            refiltered |= Row::of(position, &listed) != Row::of(position, old);
            retexted |= listed.search_text != old.search_text;
            next.sort_keys[position] = sort_keys;
            if listed.claims != old.claims {
                reindex_claims(
                    Arc::make_mut(&mut next.claims_by_day),
                    position,
                    old,
                    &listed,
                );
            }
            next.spaces[position] = Arc::new(listed);
        }
        if reordered {
            // Nearly sorted already: the sort finds the runs and costs about one pass.
            let mut orders = (*next.orders).clone();
            for (order, sort) in orders.iter_mut().zip(SORTS) {
                order.sort_by(|a, b| {
                    next.sort_keys[*a as usize].compare(&next.sort_keys[*b as usize], sort)
                });
            }
            next.orders = Arc::new(orders);
        }
        if reordered || refiltered {
            next.copy_rows();
        }
        if retexted {
            next.search = Arc::new(SearchIndex::of(&next.spaces));
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
        let mut items = Vec::new();
        if filter.date.is_some_and(|date| date < moment.today) {
            // Past dates are never bookable.
            return (items, 0);
        }
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
        let matching = keyword.map(|keyword| self.search.matching(keyword.as_bytes()));
        let headcount = filter.headcount.map(|headcount| headcount.get());
        let (min_price, max_price) = (
            filter.price.min.map_or(i64::MIN, |min| min.get()),
            filter.price.max.map_or(i64::MAX, |max| max.get()),
        );
        // The date's claims at this moment, by position: one pass over that day's claims
        // instead of a lookup per space.
        let day = filter.date.map(|date| {
            let mut claimed = vec![0u32; self.spaces.len()];
            for (position, claims) in self
                .claims_by_day
                .get(&date)
                .iter()
                .flat_map(|day| day.iter())
            {
                claimed[*position as usize] = claims.at(moment.now);
            }
            (claimed, moment.first_open_hour(date))
        });
        let offset = page.offset();
        let end = offset + u64::from(page.per_page());
        let mut total = 0u64;
        for row in &self.rows[sort_index(filter.sort)] {
            let cheap = filter.district_id.is_none_or(|id| row.district_id == id)
                && filter.category_id.is_none_or(|id| row.category_id == id)
                && headcount.is_none_or(|count| row.min_count <= count && row.max_count >= count)
                && row.min_price >= min_price
                && row.min_price <= max_price
                && row.facility_mask & wanted_mask == wanted_mask;
            if !cheap {
                continue;
            }
            let position = row.position as usize;
            if let Some(bits) = &matching
                && bits[position / 64] & (1 << (position % 64)) == 0
            {
                continue;
            }
            if let Some((claimed, first_open)) = &day
                && !row.bookable(filter, *first_open, claimed[position])
            {
                continue;
            }
            if !unmasked.is_empty() {
                let facilities = &self.spaces[position].detail.facilities;
                if !unmasked
                    .iter()
                    .all(|id| facilities.iter().any(|facility| facility.id == *id))
                {
                    continue;
                }
            }
            if (offset..end).contains(&total) {
                items.push(self.spaces[position].summary().clone());
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
    Ok(Some(Listed {
        detail: Arc::new(detail),
        created_at,
        search_text,
        claims: read_claims(conn, space_id, claims_from).await?,
    }))
}

/// The claims of one space dated `claims_from` or later: one statement.
pub async fn read_claims(
    conn: &mut MySqlConnection,
    space_id: u64,
    claims_from: NaiveDate,
) -> Result<BTreeMap<NaiveDate, DayClaims>, AppError> {
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
    Ok(claims)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> SearchIndex {
        let mut index = SearchIndex::default();
        for text in texts {
            index.starts.push(index.text.len());
            index.text.extend_from_slice(text.as_bytes());
            index.text.push(b'\n');
        }
        index
    }

    fn positions(bits: &[u64]) -> Vec<usize> {
        (0..bits.len() * 64)
            .filter(|position| bits[position / 64] & (1 << (position % 64)) != 0)
            .collect()
    }

    #[test]
    fn a_keyword_matches_each_space_whose_text_holds_it_once() {
        let index = index(&["sunny loft\nseoul", "", "loft", "lo\nft", "파티룸 loft"]);
        assert_eq!(positions(&index.matching(b"loft")), vec![0, 2, 4]);
        // Fields are separated by a newline, which no keyword holds: no match spans two.
        assert_eq!(
            positions(&index.matching(b"loft seoul")),
            Vec::<usize>::new()
        );
        assert_eq!(positions(&index.matching("티룸".as_bytes())), vec![4]);
    }

    #[test]
    fn an_hours_mask_has_the_bits_of_its_hours() {
        for start in 0..=24u8 {
            for end in 0..=24u8 {
                let expected = (start..end).fold(0, |mask, hour| mask | hour_bit(hour));
                assert_eq!(hours_mask(start, end), expected, "{start}..{end}");
            }
        }
    }

    #[test]
    fn a_hold_stops_claiming_at_its_expiry() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let day = DayClaims {
            kept: hour_bit(9),
            expiring: vec![(10, now), (11, now + chrono::Duration::seconds(1))],
        };
        assert_eq!(day.at(now), hour_bit(9) | hour_bit(11));
    }
}
