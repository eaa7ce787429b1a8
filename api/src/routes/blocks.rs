//! Hosts block hours of their spaces' calendars.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use spacecloud_common::blocks::{self, BlockInput, BlockRow};

use super::{ApiTags, date::Date, json_body::JsonBody};
use crate::{auth::BearerAuth, error_responses, state::AppState};

pub struct BlocksApi;

/// Hours of one date closed to bookings; without hours, the whole day.
#[derive(Object, Debug)]
struct BlockRequest {
    date: Date,
    /// First blocked hour, 0–23 (default 0).
    start_hour: Option<i64>,
    /// The hour the block ends, 1–24, after `start_hour` (default 24).
    end_hour: Option<i64>,
    /// Shown to the host only, and in the calendar feed: at most 200 characters.
    reason: Option<String>,
}

/// Hours of one date on which the space cannot be booked.
#[derive(Object, Debug)]
struct Block {
    id: u64,
    date: Date,
    /// The first blocked hour (hour `h` is `h:00` to `h+1:00`, business time zone).
    start_hour: u8,
    /// The hour the block ends (exclusive).
    end_hour: u8,
    reason: String,
}

impl From<BlockRow> for Block {
    fn from(row: BlockRow) -> Self {
        Self {
            id: row.id,
            date: row.date.into(),
            start_hour: row.start_hour,
            end_hour: row.end_hour,
            reason: row.reason,
        }
    }
}

#[derive(ApiResponse)]
enum CreatedBlock {
    /// The block; its hours are closed to bookings from now on.
    #[oai(status = 201)]
    Created(Json<Block>),
}

#[derive(ApiResponse)]
enum DeletedBlock {
    /// Removed; its hours can be booked again.
    #[oai(status = 204)]
    NoContent,
}

error_responses!(
    /// Errors of blocking hours.
    CreateBlockError {
        BadRequest = 400 "`malformed_request`: the id is not a number, the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        Conflict = 409 "`slot_unavailable`: a booking (waiting with a running hold, payment_pending or completed) or another block holds some of those hours.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: a date in the past or over 365 days ahead, hours outside 0–24 or not running forward, or a reason over 200 characters.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of listing blocks.
    ListBlocksError {
        BadRequest = 400 "`malformed_request`: the id or a date does not parse.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        Unprocessable = 422 "`validation_failed`: `to` before `from`, or a range over 366 days.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of removing a block.
    DeleteBlockError {
        BadRequest = 400 "`malformed_request`: an id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space, or no such block of it.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Hosting")]
impl BlocksApi {
    /// Block hours of your space.
    ///
    /// Without `start_hour` and `end_hour`, the whole day. Refused with `slot_unavailable` when
    /// a booking or another block holds any of the hours; from then on, bookings of those
    /// hours are refused the same way, and the list, the availability calendar and the
    /// calendar feed show them as taken.
    #[oai(
        path = "/spaces/:id/blocks",
        method = "post",
        operation_id = "createBlock"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        body: JsonBody<BlockRequest>,
    ) -> Result<CreatedBlock, CreateBlockError> {
        let request = &body.0;
        let input = BlockInput {
            date: request.date.0,
            start_hour: request.start_hour,
            end_hour: request.end_hour,
            reason: request.reason.clone(),
        };
        let row = blocks::create(&state.pool, auth.user_id(), id.0, &input, &state.clock).await?;
        state.catalogue_changed().await;
        Ok(CreatedBlock::Created(Json(row.into())))
    }

    /// The blocks of your space in a range of dates.
    ///
    /// `from` defaults to today and `to` to 30 days after `from`; the range spans at most 366
    /// days. Ordered by date, then hour.
    #[oai(
        path = "/me/spaces/:id/blocks",
        method = "get",
        operation_id = "listSpaceBlocks"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of one of your spaces.
        id: Path<u64>,
        /// First date of the range (YYYY-MM-DD; default today).
        from: Query<Option<Date>>,
        /// Last date of the range, inclusive (default 30 days after `from`).
        to: Query<Option<Date>>,
    ) -> Result<Json<Vec<Block>>, ListBlocksError> {
        let today = state.clock.date_of(state.clock.now());
        let (from, to) =
            blocks::list_range(from.0.map(|date| date.0), to.0.map(|date| date.0), today)?;
        let mut conn = state.pool.acquire().await?;
        let rows = blocks::list(&mut conn, auth.user_id(), id.0, from, to).await?;
        Ok(Json(rows.into_iter().map(Block::from).collect()))
    }

    /// Remove a block of your space.
    ///
    /// Its hours can be booked again at once.
    #[oai(
        path = "/spaces/:id/blocks/:block_id",
        method = "delete",
        operation_id = "deleteBlock"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The space's id.
        id: Path<u64>,
        /// The block's id.
        block_id: Path<u64>,
    ) -> Result<DeletedBlock, DeleteBlockError> {
        blocks::delete(
            &state.pool,
            auth.user_id(),
            id.0,
            block_id.0,
            state.clock.now(),
        )
        .await?;
        state.catalogue_changed().await;
        Ok(DeletedBlock::NoContent)
    }
}
