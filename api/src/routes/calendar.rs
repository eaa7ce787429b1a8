//! Hosts' private calendar feeds: the URL (made on first use), its rotation, and the feed.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Json, PlainText},
};
use spacecloud_common::calendar;

use super::ApiTags;
use crate::{auth::BearerAuth, error::Problem, error_responses, state::AppState};

pub struct CalendarApi;

/// Where a calendar app subscribes to a space's bookings and blocks.
#[derive(Object, Debug)]
struct CalendarFeed {
    /// The private iCalendar feed: anyone with it reads the bookings' names and headcounts,
    /// so share it with calendar apps only; rotate it to cut everyone else off.
    url: String,
}

#[derive(ApiResponse)]
enum FeedResponse {
    /// The space's bookings (`payment_pending` and `awaiting_approval` as TENTATIVE,
    /// `completed` as CONFIRMED) and blocks from 30 days ago to 365 days ahead, one VEVENT each with a stable UID, in the
    /// business time zone (a VTIMEZONE is included).
    #[oai(status = 200, content_type = "text/calendar")]
    Feed(PlainText<String>, #[oai(header = "Cache-Control")] String),
}

error_responses!(
    /// Errors of reading or rotating a feed's URL.
    FeedUrlError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of reading a feed.
    FeedError {
        BadRequest = 400 "`malformed_request`: the id is not a number, or `token` is missing.",
        NotFound = 404 "`not_found`: no such space, or the token is not its feed's (a rotated one included).",
        Unavailable = 503 "`database_unavailable`.",
    }
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Hosting")]
impl CalendarApi {
    /// The private calendar feed URL of your space.
    ///
    /// Made on first use; the same URL until you rotate it.
    #[oai(
        path = "/me/spaces/:id/calendar",
        method = "get",
        operation_id = "getCalendarFeed"
    )]
    async fn url(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of one of your spaces.
        id: Path<u64>,
    ) -> Result<Json<CalendarFeed>, FeedUrlError> {
        let mut conn = state.pool.acquire().await?;
        let token = calendar::token(&mut conn, auth.user_id(), id.0, state.clock.now()).await?;
        Ok(Json(feed(&state, id.0, &token)))
    }

    /// Replace your space's calendar feed URL.
    ///
    /// The old URL answers 404 from now on.
    #[oai(
        path = "/me/spaces/:id/calendar/rotate",
        method = "post",
        operation_id = "rotateCalendarFeed"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of one of your spaces.
        id: Path<u64>,
    ) -> Result<Json<CalendarFeed>, FeedUrlError> {
        let mut conn = state.pool.acquire().await?;
        let token = calendar::rotate(&mut conn, auth.user_id(), id.0, state.clock.now()).await?;
        Ok(Json(feed(&state, id.0, &token)))
    }

    /// A space's private iCalendar feed (RFC 5545).
    ///
    /// Needs no bearer token: the secret `token` of the feed's URL is the credential.
    #[oai(
        path = "/spaces/:id/calendar.ics",
        method = "get",
        operation_id = "getCalendarIcs"
    )]
    async fn ics(
        &self,
        state: Data<&AppState>,
        /// The space's id.
        id: Path<u64>,
        /// The feed's secret, from its URL.
        token: Query<String>,
    ) -> Result<FeedResponse, FeedError> {
        let mut conn = state.pool.acquire().await?;
        let feed = calendar::feed(
            &mut conn,
            id.0,
            &token.0,
            state.settings.timezone,
            state.moment(),
        )
        .await?;
        match feed {
            Some(text) => Ok(FeedResponse::Feed(
                PlainText(text),
                "private, no-cache".to_owned(),
            )),
            None => Err(Problem::from(spacecloud_common::error::AppError::NotFound(
                "calendar feed",
            ))
            .into()),
        }
    }
}

fn feed(state: &AppState, space_id: u64, token: &str) -> CalendarFeed {
    CalendarFeed {
        url: calendar::feed_url(&state.settings.public_base_url, space_id, token),
    }
}
