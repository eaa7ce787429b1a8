use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use spacecloud_common::{
    db::spaces::{self, DayAvailability, SpaceDetail as DetailRows, SpaceSummaryRow},
    domain::{
        AvailabilityRange, ImageStatus, RefundPolicy, Slot, SpaceFilter, SpaceListParams, SpaceSort,
    },
    error::AppError,
};

use super::ApiTags;
use super::date::Date;
use super::hosting;
use super::json_body::JsonBody;
use super::nullable::Nullable;
use crate::{
    auth::{BearerAuth, MaybeAuth},
    error_responses,
    state::AppState,
};

pub struct SpacesApi;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "Slot", rename_all = "snake_case")]
pub enum SlotDto {
    Day,
    Night,
    All,
    Hourly,
}

impl From<SlotDto> for Slot {
    fn from(slot: SlotDto) -> Self {
        match slot {
            SlotDto::Day => Slot::Day,
            SlotDto::Night => Slot::Night,
            SlotDto::All => Slot::All,
            SlotDto::Hourly => Slot::Hourly,
        }
    }
}

impl From<Slot> for SlotDto {
    fn from(slot: Slot) -> Self {
        match slot {
            Slot::Day => SlotDto::Day,
            Slot::Night => SlotDto::Night,
            Slot::All => SlotDto::All,
            Slot::Hourly => SlotDto::Hourly,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "SpaceSort", rename_all = "snake_case")]
pub enum SortDto {
    Popular,
    PriceAsc,
    PriceDesc,
    Newest,
    Rating,
}

impl From<SortDto> for SpaceSort {
    fn from(sort: SortDto) -> Self {
        match sort {
            SortDto::Popular => SpaceSort::Popular,
            SortDto::PriceAsc => SpaceSort::PriceAsc,
            SortDto::PriceDesc => SpaceSort::PriceDesc,
            SortDto::Newest => SpaceSort::Newest,
            SortDto::Rating => SpaceSort::Rating,
        }
    }
}

/// An id with its display name.
#[derive(Object, Debug)]
pub struct NamedRef {
    pub id: u64,
    pub name: String,
}

#[derive(Object, Debug)]
pub struct SpaceSummary {
    pub id: u64,
    pub title: String,
    pub sub_title: String,
    pub address: String,
    pub district: NamedRef,
    pub category: NamedRef,
    pub min_count: u32,
    pub max_count: u32,
    /// The cheapest offered slot's price, in won.
    pub min_price: i64,
    pub like_count: u32,
    /// Average grade, one decimal; null until the first review.
    pub rating: Nullable<f64>,
    pub review_count: u32,
    /// The first ready image's thumbnail; null while the space has none.
    pub thumbnail_url: Nullable<String>,
}

page_of!(pub SpacePage, SpaceSummary);

#[derive(Object, Debug)]
pub struct Host {
    pub id: u64,
    pub nickname: String,
}

#[derive(Object, Debug)]
pub struct SpaceImage {
    pub id: u64,
    /// Web-sized version (longest side 1600 px); null until the image is ready.
    pub url: Nullable<String>,
    pub thumbnail_url: Nullable<String>,
    pub width: Nullable<u32>,
    pub height: Nullable<u32>,
    #[oai(skip_serializing_if_is_none)]
    pub status: Option<ImageStatus>,
    /// Why processing failed, for a `failed` image.
    #[oai(skip_serializing_if_is_none)]
    pub failure_reason: Option<String>,
}

impl SpaceImage {
    /// An image as its host sees it: every status, URLs once ready.
    pub fn for_host(state: &AppState, image: spacecloud_common::db::images::ImageRow) -> Self {
        let ready = image.status == ImageStatus::Ready;
        Self {
            id: image.id,
            url: ready
                .then(|| image.web_key.as_deref().map(|key| state.media_url(key)))
                .flatten()
                .into(),
            thumbnail_url: ready
                .then(|| {
                    image
                        .thumbnail_key
                        .as_deref()
                        .map(|key| state.media_url(key))
                })
                .flatten()
                .into(),
            width: image.width.into(),
            height: image.height.into(),
            status: Some(image.status),
            failure_reason: image.failure_reason,
        }
    }
}

/// A bookable slot and its price in won.
#[derive(Object, Debug)]
pub struct SpaceOption {
    pub id: u64,
    pub slot: SlotDto,
    pub price: i64,
}

#[derive(Object, Debug)]
pub struct Facility {
    pub id: u64,
    pub name: String,
    pub image_url: Nullable<String>,
}

#[derive(Object, Debug)]
pub struct SpaceDetail {
    #[oai(flatten)]
    pub summary: SpaceSummary,
    pub description: String,
    pub latitude: Nullable<f64>,
    pub longitude: Nullable<f64>,
    pub host: Host,
    /// Ready images only, in the host's order.
    pub images: Vec<SpaceImage>,
    /// The packages and the hourly option offered; an `hourly` option's price is per hour.
    pub options: Vec<SpaceOption>,
    /// When an hourly booking may start (0–23, business time zone).
    pub open_hour: u8,
    /// When an hourly booking must have ended (1–24).
    pub close_hour: u8,
    /// The fewest hours of one hourly booking.
    pub min_hours: u8,
    /// False: the host approves each paid booking (`awaiting_approval`) before it is confirmed.
    pub instant_booking: bool,
    // What a guest who cancels a confirmed booking gets back. (A plain comment: a described
    // object field becomes an `allOf` that generators turn into a class of its own.)
    pub refund_policy: RefundPolicyDetail,
    pub facilities: Vec<Facility>,
    /// Whether the caller likes the space; present only for an authenticated caller.
    #[oai(skip_serializing_if_is_none)]
    pub liked: Option<bool>,
}

/// A cancellation policy and its schedule.
#[derive(Object, Debug)]
pub struct RefundPolicyDetail {
    pub name: RefundPolicy,
    /// Most days first, ending with the 0 % tier: cancelling `days_before` or more calendar
    /// days (business time zone) before the booked date refunds `percent` of the amount,
    /// rounded down, unless an earlier tier applies.
    pub tiers: Vec<RefundTierDetail>,
}

#[derive(Object, Debug)]
pub struct RefundTierDetail {
    pub days_before: u16,
    pub percent: u8,
}

impl From<RefundPolicy> for RefundPolicyDetail {
    fn from(policy: RefundPolicy) -> Self {
        Self {
            name: policy,
            tiers: policy
                .tiers()
                .iter()
                .map(|tier| RefundTierDetail {
                    days_before: tier.days_before,
                    percent: tier.percent,
                })
                .collect(),
        }
    }
}

/// Per option, whether it can be booked now.
#[derive(Object, Debug)]
pub struct SlotAvailability {
    pub day: bool,
    pub night: bool,
    pub all: bool,
    /// The hourly option has `min_hours` consecutive hours in `free_hours`.
    pub hourly: bool,
}

#[derive(Object, Debug)]
pub struct AvailabilityDay {
    pub date: Date,
    pub slots: SlotAvailability,
    /// The hours an hourly booking can cover that day: inside the opening hours, not started,
    /// not booked or blocked (hour `h` is `h:00` to `h+1:00`). Empty without an hourly option.
    pub free_hours: Vec<u8>,
}

#[derive(Object, Debug)]
pub struct Availability {
    pub space_id: u64,
    pub days: Vec<AvailabilityDay>,
}

error_responses!(ListSpacesError {
    BadRequest = 400 "`malformed_request`: a parameter does not parse (a number, a date, an unknown `slot` or `sort`).",
    Invalid = 422 "`validation_failed`: a parameter breaks its rule (range, page size, price bounds, keyword length).",
    Unavailable = 503 "`database_unavailable`.",
});

error_responses!(GetSpaceError {
    BadRequest = 400 "`malformed_request`: the id is not a number.",
    NotFound = 404 "`not_found`: no such space, or it was deleted.",
    Unavailable = 503 "`database_unavailable`.",
});

error_responses!(AvailabilityError {
    BadRequest = 400 "`malformed_request`: the id or a date does not parse.",
    NotFound = 404 "`not_found`: no such space, or it was deleted.",
    Invalid = 422 "`validation_failed`: `to` before `from`, or a range over 92 days.",
    Unavailable = 503 "`database_unavailable`.",
});

#[OpenApi(prefix_path = "/api/v1")]
impl SpacesApi {
    /// Search spaces.
    ///
    /// Every filter is optional and they combine. `date` keeps spaces bookable that day (any
    /// offered option free, or `slot` free when given, or the hourly option able to book
    /// `start_hour`–`end_hour`; past dates and started hours match nothing). Ties in every
    /// sort break by id descending, so pages never overlap.
    #[oai(
        path = "/spaces",
        method = "get",
        operation_id = "listSpaces",
        tag = "ApiTags::Spaces"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per documented query parameter"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Only spaces in this district.
        district_id: Query<Option<u64>>,
        /// Only spaces of this category.
        category_id: Query<Option<u64>>,
        /// Spaces whose min_count ≤ headcount ≤ max_count.
        headcount: Query<Option<i64>>,
        /// Only spaces bookable on this date (YYYY-MM-DD, business time zone).
        date: Query<Option<Date>>,
        /// With `date`: only spaces where this option is free (`day` 9–18, `night` 18–24, `all`
        /// 9–24; `hourly`: `min_hours` consecutive free hours).
        slot: Query<Option<SlotDto>>,
        /// With `date` and `end_hour`, instead of `slot`: only spaces whose hourly option can
        /// book `[start_hour, end_hour)` that day (0–23).
        start_hour: Query<Option<i64>>,
        /// The hour the wanted run ends (1–24, after `start_hour`).
        end_hour: Query<Option<i64>>,
        /// Repeatable: the space has every one of these facilities.
        facility_id: Query<Option<Vec<u64>>>,
        /// Keyword in title, sub_title or address: case-insensitive and literal (`%` and `_` are
        /// plain characters), at most 100 characters, no control characters.
        q: Query<Option<String>>,
        /// Lower bound (inclusive) of the cheapest slot price.
        min_price: Query<Option<i64>>,
        /// Upper bound (inclusive) of the cheapest slot price.
        max_price: Query<Option<i64>>,
        /// Order of the results (default `popular`); ties break by id descending.
        sort: Query<Option<SortDto>>,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<SpacePage>, ListSpacesError> {
        let (filter, page) = SpaceFilter::parse(SpaceListParams {
            district_id: district_id.0,
            category_id: category_id.0,
            headcount: headcount.0,
            date: date.0.map(|date| date.0),
            slot: slot.0.map(Slot::from),
            start_hour: start_hour.0,
            end_hour: end_hour.0,
            facility_ids: facility_id.0.unwrap_or_default(),
            q: q.0,
            min_price: min_price.0,
            max_price: max_price.0,
            sort: sort.0.map(SpaceSort::from),
            page: page.0,
            per_page: per_page.0,
        })?;
        let moment = state.moment();
        let (rows, total) = match state.catalogue_view() {
            Some(catalogue) => catalogue.list(&filter, page, moment),
            None => {
                let mut conn = state.pool.acquire().await?;
                spaces::list(&mut conn, &filter, page, moment).await?
            }
        };
        Ok(Json(SpacePage::new(
            rows.into_iter().map(|row| summary(&state, row)).collect(),
            page,
            total,
        )))
    }

    /// Register a space with its photos.
    ///
    /// For hosts. Answers as soon as the photos are queued; each becomes `ready` (or `failed`,
    /// with a reason) in `GET /me/spaces`.
    #[oai(
        path = "/spaces",
        method = "post",
        operation_id = "createSpace",
        tag = "ApiTags::Hosting"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: hosting::SpaceForm,
    ) -> Result<hosting::CreatedSpace, hosting::CreateSpaceError> {
        hosting::create_space(&state, auth, form).await
    }

    /// Remove one of your spaces.
    ///
    /// It leaves every public list; its orders stay; its photos are deleted from storage in
    /// the background.
    #[oai(
        path = "/spaces/:id",
        method = "delete",
        operation_id = "deleteSpace",
        tag = "ApiTags::Hosting"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
    ) -> Result<hosting::Deleted, hosting::DeleteError> {
        hosting::delete_space(&state, auth, id.0).await
    }

    /// Change one of your spaces.
    ///
    /// Send only the fields to change. Prices set or change a slot's price; `facility_id`
    /// replaces the set.
    #[oai(
        path = "/spaces/:id",
        method = "patch",
        operation_id = "updateSpace",
        tag = "ApiTags::Hosting"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        body: JsonBody<spacecloud_common::hosting::SpacePatch>,
    ) -> Result<Json<SpaceDetail>, hosting::UpdateSpaceError> {
        spacecloud_common::hosting::update_space(
            &state.pool,
            auth.user_id(),
            id.0,
            body.0,
            state.clock.now(),
        )
        .await?;
        state.catalogue_changed().await;
        let mut conn = state.pool.acquire().await?;
        let rows = spaces::detail(&mut conn, id.0, Some(auth.user_id()))
            .await?
            .ok_or(AppError::NotFound("space"))?;
        Ok(Json(detail(&state, rows, true)))
    }

    /// One space with its images, options and facilities.
    ///
    /// With a valid access token, `liked` says whether the caller likes it.
    #[oai(
        path = "/spaces/:id",
        method = "get",
        operation_id = "getSpace",
        tag = "ApiTags::Spaces"
    )]
    async fn detail(
        &self,
        state: Data<&AppState>,
        /// The space's id.
        id: Path<u64>,
        caller: MaybeAuth,
    ) -> Result<Json<SpaceDetail>, GetSpaceError> {
        let viewer = caller.user_id();
        // From memory (no statement at all for an anonymous caller); `liked` is looked up.
        if let Some(catalogue) = state.catalogue_view() {
            let cached = catalogue.detail(id.0).ok_or(AppError::NotFound("space"))?;
            let mut rows = DetailRows::clone(&cached);
            if let Some(viewer) = viewer {
                rows.space.liked_flag = spaces::liked(&state.pool, viewer, id.0).await?.into();
            }
            return Ok(Json(detail(&state, rows, viewer.is_some())));
        }
        let mut conn = state.pool.acquire().await?;
        let rows = spaces::detail(&mut conn, id.0, viewer)
            .await?
            .ok_or(AppError::NotFound("space"))?;
        Ok(Json(detail(&state, rows, viewer.is_some())))
    }

    /// Which slots of a space can be booked on each day of a range.
    ///
    /// `from` defaults to today and `to` to 29 days after `from`; the range spans at most 92
    /// days.
    #[oai(
        path = "/spaces/:id/availability",
        method = "get",
        operation_id = "getSpaceAvailability",
        tag = "ApiTags::Spaces"
    )]
    async fn availability(
        &self,
        state: Data<&AppState>,
        /// The space's id.
        id: Path<u64>,
        /// First day of the range (YYYY-MM-DD, business time zone; default today).
        from: Query<Option<Date>>,
        /// Last day of the range, inclusive (default 29 days after `from`).
        to: Query<Option<Date>>,
    ) -> Result<Json<Availability>, AvailabilityError> {
        let moment = state.moment();
        let range = AvailabilityRange::parse(
            from.0.map(|date| date.0),
            to.0.map(|date| date.0),
            moment.today,
        )?;
        let days = match state.catalogue_view() {
            Some(catalogue) => catalogue.availability(id.0, range, moment),
            None => {
                let mut conn = state.pool.acquire().await?;
                spaces::availability(&mut conn, id.0, range, moment).await?
            }
        }
        .ok_or(AppError::NotFound("space"))?;
        Ok(Json(Availability {
            space_id: id.0,
            days: days.into_iter().map(availability_day).collect(),
        }))
    }
}

pub fn summary(state: &AppState, row: SpaceSummaryRow) -> SpaceSummary {
    SpaceSummary {
        rating: row.rating().into(),
        thumbnail_url: row
            .thumbnail_key
            .as_deref()
            .map(|key| state.media_url(key))
            .into(),
        id: row.id,
        title: row.title,
        sub_title: row.sub_title,
        address: row.address,
        district: NamedRef {
            id: row.district_id,
            name: row.district_name,
        },
        category: NamedRef {
            id: row.category_id,
            name: row.category_name,
        },
        min_count: row.min_count,
        max_count: row.max_count,
        min_price: row.min_price,
        like_count: row.like_count,
        review_count: row.review_count,
    }
}

pub fn detail(state: &AppState, rows: DetailRows, authenticated: bool) -> SpaceDetail {
    let liked = authenticated.then(|| rows.space.liked());
    let space = rows.space;
    SpaceDetail {
        summary: summary(state, space.summary),
        description: space.description,
        latitude: space.latitude.into(),
        longitude: space.longitude.into(),
        host: Host {
            id: space.host_id,
            nickname: space.host_nickname,
        },
        open_hour: space.open_hour,
        close_hour: space.close_hour,
        min_hours: space.min_hours,
        instant_booking: space.instant_booking,
        refund_policy: space.refund_policy.into(),
        images: rows
            .images
            .into_iter()
            .map(|image| SpaceImage {
                id: image.id,
                url: image
                    .web_key
                    .as_deref()
                    .map(|key| state.media_url(key))
                    .into(),
                thumbnail_url: image
                    .thumbnail_key
                    .as_deref()
                    .map(|key| state.media_url(key))
                    .into(),
                width: image.width.into(),
                height: image.height.into(),
                status: None,
                failure_reason: None,
            })
            .collect(),
        options: rows
            .options
            .into_iter()
            .map(|option| SpaceOption {
                id: option.id,
                slot: option.slot.into(),
                price: option.price,
            })
            .collect(),
        facilities: rows
            .facilities
            .into_iter()
            .map(|facility| Facility {
                id: facility.id,
                name: facility.name,
                image_url: facility.image_url.into(),
            })
            .collect(),
        liked,
    }
}

fn availability_day(day: DayAvailability) -> AvailabilityDay {
    AvailabilityDay {
        date: day.date.into(),
        slots: SlotAvailability {
            day: day.day,
            night: day.night,
            all: day.all,
            hourly: day.hourly,
        },
        free_hours: day.free_hours,
    }
}
