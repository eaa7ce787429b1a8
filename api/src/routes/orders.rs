//! Booking: holds, payment requests, cancellation and the order pages of guests and hosts.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::{ParseFromJSON, ToJSON},
};
use spacecloud_common::{
    booking::{
        self, BookingRequest, Decision,
        idempotency::{self, IdempotencyKey},
    },
    db::orders::{self, OrderEventRow, OrderOwner, OrderRow},
    domain::{BookerInput, FailureReason, OrderEventCause, OrderStatus, Page, RefundPolicy},
    error::AppError,
    hosting,
};

use super::date::Date;
use super::json_body::JsonBody;
use super::nullable::Nullable;
use super::{ApiTags, spaces::SlotDto};
use crate::{auth::BearerAuth, error_responses, state::AppState};

pub struct OrdersApi;

#[derive(Object, Debug)]
struct OrderRequest {
    space_id: u64,
    option_id: u64,
    /// The day booked (YYYY-MM-DD, business time zone): today up to 365 days ahead.
    date: Date,
    /// For an `hourly` option only: the first hour booked (0–23); the hours run to `end_hour`.
    start_hour: Option<i64>,
    /// For an `hourly` option only: the hour the booking ends (1–24); at least `min_hours`
    /// after `start_hour`, inside the opening hours.
    end_hour: Option<i64>,
    /// Within the space's min_count..=max_count.
    headcount: i64,
    booker: BookerInput,
}

#[derive(Object, Debug)]
struct OrderSpace {
    id: u64,
    title: String,
    thumbnail_url: Nullable<String>,
}

#[derive(Object, Debug)]
struct OrderOption {
    id: u64,
    slot: SlotDto,
    price: i64,
}

/// One status change of an order; `from` is absent on the first entry (the order's creation).
#[derive(Object, Debug)]
struct OrderEvent {
    #[oai(skip_serializing_if_is_none)]
    from: Option<OrderStatus>,
    to: OrderStatus,
    cause: OrderEventCause,
    at: DateTime<Utc>,
}

#[derive(Object, Debug)]
struct Order {
    id: u64,
    status: OrderStatus,
    space: OrderSpace,
    option: OrderOption,
    date: Date,
    /// The first hour booked (a package's: `day` 9, `night` 18, `all` 9).
    start_hour: u8,
    /// The hour the booking ends (a package's: `day` 18, `night` and `all` 24).
    end_hour: u8,
    headcount: u32,
    /// What the order costs, in won.
    amount: i64,
    /// Until when a `waiting` order holds its slot unpaid.
    hold_expires_at: DateTime<Utc>,
    booker: BookerInput,
    #[oai(skip_serializing_if_is_none)]
    failure_reason: Option<FailureReason>,
    /// Points given back by a cancellation or a decline; null until then.
    refunded_points: Nullable<i64>,
    // The space's refund policy when the order was placed: a cancellation is refunded by it.
    // (A plain comment: a described enum field becomes an `allOf` that Python clients drop.)
    refund_policy: RefundPolicy,
    /// For a request to book (`awaiting_approval`): until when the host may approve or decline
    /// it; then the worker declines it. Null for an order that never waited for its host.
    approval_deadline: Nullable<DateTime<Utc>>,
    /// Why a `declined` order was declined: the host's reason, or `approval_timeout`.
    decline_reason: Nullable<String>,
    /// True once the order's date is before today (business time zone).
    is_past: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Every status change, oldest first (only on `GET /orders/{id}`).
    #[oai(skip_serializing_if_is_none)]
    history: Option<Vec<OrderEvent>>,
}

page_of!(OrderPage, Order);

#[derive(Object, Debug)]
struct DeclineRequest {
    /// Why the host declines, shown to the guest: 1 to 500 characters.
    reason: String,
}

#[derive(Object, Debug)]
struct PaymentAccepted {
    id: u64,
    status: OrderStatus,
}

#[derive(ApiResponse)]
enum CreatedOrder {
    /// The slot is held for you until `hold_expires_at`; pay before then.
    #[oai(status = 201)]
    Created(Json<Order>),
}

#[derive(ApiResponse)]
enum PaymentResponse {
    /// Payment is being settled in the background; poll the order.
    #[oai(status = 202)]
    Accepted(Json<PaymentAccepted>),
}

error_responses!(
    /// Errors of placing an order.
    CreateOrderError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`own_space`: the space is the caller's own.",
        NotFound = 404 "`not_found`: no such space.",
        Conflict = 409 "`slot_unavailable`: the slot is taken that day; `too_many_holds`: the caller already holds `MAX_WAITING_HOLDS` unpaid orders; `idempotency_key_in_use`: a request with the same `Idempotency-Key` is in flight.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: a date, headcount, option or booker field breaks its rule, or the `Idempotency-Key` is malformed or was used with another body.",
        TooManyRequests = 429 "`rate_limited`: over the caller's booking budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of paying for an order.
    PayOrderError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        NotFound = 404 "`not_found`: no such order of the caller's.",
        Conflict = 409 "`order_not_payable`: the order is not `waiting`; `hold_expired`: its hold ran out; `order_state_changed`: it changed meanwhile; `idempotency_key_in_use`: a request with the same `Idempotency-Key` is in flight.",
        Unprocessable = 422 "`validation_failed`: the `Idempotency-Key` is malformed or was used for another request.",
        TooManyRequests = 429 "`rate_limited`: over the caller's booking budget; see `Retry-After`.",
        Unavailable = 503 "`database_unavailable` or `queue_unavailable`.",
    }
);

error_responses!(
    /// Errors of cancelling an order.
    CancelOrderError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        NotFound = 404 "`not_found`: no such order of the caller's.",
        Conflict = 409 "`order_not_cancelable`: the order is not `waiting`, `awaiting_approval` or `completed`; `order_started`: its first booked hour has started; `order_state_changed`: it changed meanwhile.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of approving a request to book.
    ApproveOrderError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the caller booked this order; only the space's host decides.",
        NotFound = 404 "`not_found`: no such order of one of the caller's spaces.",
        Conflict = 409 "`order_not_awaiting_approval`: the order is not waiting for a decision, or its deadline has passed; `order_state_changed`: it changed meanwhile.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of declining a request to book.
    DeclineOrderError {
        BadRequest = 400 "`malformed_request`: the id is not a number, or the body is not JSON or has a field of the wrong type.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the caller booked this order; only the space's host decides.",
        NotFound = 404 "`not_found`: no such order of one of the caller's spaces.",
        Conflict = 409 "`order_not_awaiting_approval`: the order is not waiting for a decision, or its deadline has passed; `order_state_changed`: it changed meanwhile.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: the reason is empty or over 500 characters (judged once the caller is known to be the host).",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of reading one order.
    GetOrderError {
        BadRequest = 400 "`malformed_request`: the id is not a number.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        NotFound = 404 "`not_found`: no such order visible to the caller (its booker or the space's host).",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of listing the caller's orders.
    ListMyOrdersError {
        BadRequest = 400 "`malformed_request`: a parameter does not parse (an unknown `status`, a page that is not a number).",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of listing a space's orders.
    ListMySpaceOrdersError {
        BadRequest = 400 "`malformed_request`: a parameter does not parse.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Forbidden = 403 "`forbidden`: the space is not the caller's.",
        NotFound = 404 "`not_found`: no such space.",
        Unprocessable = 422 "`validation_failed`: `page` or `per_page` out of range.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

fn order_dto(state: &AppState, row: OrderRow, history: Option<Vec<OrderEventRow>>) -> Order {
    Order {
        id: row.id,
        status: row.status,
        space: OrderSpace {
            id: row.space_id,
            title: row.space_title,
            thumbnail_url: row.thumbnail_key.map(|key| state.media_url(&key)).into(),
        },
        option: OrderOption {
            id: row.option_id,
            slot: row.slot.into(),
            price: row.price,
        },
        date: row.date.into(),
        start_hour: row.start_hour,
        end_hour: row.end_hour,
        headcount: row.headcount,
        amount: row.amount,
        hold_expires_at: row.hold_expires_at,
        booker: BookerInput {
            name: row.booker_name,
            phone: row.booker_phone,
            email: row.booker_email,
            purpose: row.booker_purpose,
            request: row.booker_request,
        },
        failure_reason: row.failure_reason,
        refunded_points: row.refunded_points.into(),
        refund_policy: row.refund_policy,
        approval_deadline: row.approval_deadline.into(),
        decline_reason: row.decline_reason.into(),
        is_past: row.date < state.clock.today(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        history: history.map(|events| {
            events
                .into_iter()
                .map(|event| OrderEvent {
                    from: event.from_status,
                    to: event.to_status,
                    cause: event.cause,
                    at: event.created_at,
                })
                .collect()
        }),
    }
}

async fn load_order(state: &AppState, order_id: u64, viewer: u64) -> Result<OrderRow, AppError> {
    let mut conn = state.pool.acquire().await?;
    orders::find_visible(&mut conn, order_id, viewer)
        .await?
        .ok_or(AppError::NotFound("order"))
}

async fn order_page(
    state: &AppState,
    conn: &mut sqlx::MySqlConnection,
    owner: OrderOwner,
    status: Option<OrderStatus>,
    page: Page,
) -> Result<OrderPage, AppError> {
    let (rows, total) = orders::list(conn, owner, status, page.per_page(), page.offset()).await?;
    Ok(OrderPage::new(
        rows.into_iter()
            .map(|row| order_dto(state, row, None))
            .collect(),
        page,
        total,
    ))
}

async fn decide(
    state: &AppState,
    auth: &BearerAuth,
    order_id: u64,
    decision: Decision,
) -> Result<Json<Order>, AppError> {
    booking::decide(
        &state.pool,
        &state.payments,
        auth.user_id(),
        order_id,
        &decision,
        &state.clock,
    )
    .await?;
    state.catalogue_changed().await;
    let row = load_order(state, order_id, auth.user_id()).await?;
    Ok(Json(order_dto(state, row, None)))
}

fn idempotency_key(
    user_id: u64,
    scope: String,
    header: Option<&str>,
    request: &[u8],
) -> Result<Option<IdempotencyKey>, AppError> {
    header
        .map(|key| IdempotencyKey::parse(user_id, scope, key, request))
        .transpose()
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Hold a slot: creates a `waiting` order that blocks the slot until `hold_expires_at`.
    ///
    /// With an `Idempotency-Key`, repeating the same request within 24 hours answers the same
    /// order again instead of booking twice; the same key with a different body is 422.
    #[oai(path = "/orders", method = "post", operation_id = "createOrder")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<OrderRequest>,
        /// 1 to 255 characters unique to this attempt (a UUID, say): repeating the request with the
        /// same key and body within 24 hours answers the first result again.
        #[oai(name = "Idempotency-Key")]
        key: Header<Option<String>>,
    ) -> Result<CreatedOrder, CreateOrderError> {
        let request = BookingRequest {
            space_id: body.space_id,
            option_id: body.option_id,
            date: body.date.0,
            start_hour: body.start_hour,
            end_hour: body.end_hour,
            headcount: body.headcount,
            booker: body.0.booker,
        };
        let key = idempotency_key(
            auth.user_id(),
            "create_order".into(),
            key.0.as_deref(),
            &request.fingerprint(),
        )?;
        let outcome = booking::place_order(
            &state.pool,
            auth.user_id(),
            &request,
            key.as_ref(),
            &state.booking,
            &state.clock,
        )
        .await?;
        if !outcome.replayed {
            state.catalogue_changed().await;
        }
        // A replay answers what the first request was answered, even if the order moved on.
        if let Some(order) = outcome
            .first_response
            .as_ref()
            .and_then(|(_, body)| serde_json::from_slice(body).ok())
            .and_then(|body| Order::parse_from_json(Some(body)).ok())
        {
            return Ok(CreatedOrder::Created(Json(order)));
        }
        let row = load_order(&state, outcome.order_id, auth.user_id()).await?;
        let order = order_dto(&state, row, None);
        if let (Some(key), false) = (&key, outcome.replayed) {
            let body = order.to_json().unwrap_or_default().to_string();
            if let Err(err) =
                idempotency::remember_response(&state.pool, key, 201, body.as_bytes()).await
            {
                tracing::warn!(order.id = outcome.order_id, error = %err, "first response not recorded; a replay shows the order as it is then");
            }
        }
        Ok(CreatedOrder::Created(Json(order)))
    }

    /// One order, with its history.
    ///
    /// Visible to its booker and to the space's host only; to anyone else it does not exist.
    #[oai(path = "/orders/:id", method = "get", operation_id = "getOrder")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order's id.
        id: Path<u64>,
    ) -> Result<Json<Order>, GetOrderError> {
        let mut conn = state.pool.acquire().await?;
        let row = orders::find_visible(&mut conn, id.0, auth.user_id())
            .await?
            .ok_or(AppError::NotFound("order"))?;
        let history = orders::history(&mut conn, row.id).await?;
        Ok(Json(order_dto(&state, row, Some(history))))
    }

    /// Pay a held order with points.
    ///
    /// Answers at once with `payment_pending`; the worker settles it to `completed`, or
    /// `failed` with `insufficient_points`.
    #[oai(
        path = "/orders/:id/payment",
        method = "post",
        operation_id = "payOrder"
    )]
    async fn pay(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order's id.
        id: Path<u64>,
        /// 1 to 255 characters unique to this attempt (a UUID, say): repeating the request with the
        /// same key and body within 24 hours answers the first result again.
        #[oai(name = "Idempotency-Key")]
        key: Header<Option<String>>,
    ) -> Result<PaymentResponse, PayOrderError> {
        let key = idempotency_key(
            auth.user_id(),
            format!("pay_order:{}", id.0),
            key.0.as_deref(),
            id.0.to_string().as_bytes(),
        )?;
        booking::pay(
            &state.pool,
            &state.jobs,
            auth.user_id(),
            id.0,
            key.as_ref(),
            &state.clock,
        )
        .await?;
        state.catalogue_changed().await;
        Ok(PaymentResponse::Accepted(Json(PaymentAccepted {
            id: id.0,
            status: OrderStatus::PaymentPending,
        })))
    }

    /// Cancel an order.
    ///
    /// A held (`waiting`) order at any time, with nothing to refund; one `awaiting_approval`,
    /// refunded in full; a `completed` one until its first booked hour starts, refunded by the
    /// refund policy it was placed under (`refunded_points`).
    #[oai(
        path = "/orders/:id/cancel",
        method = "post",
        operation_id = "cancelOrder"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order's id.
        id: Path<u64>,
    ) -> Result<Json<Order>, CancelOrderError> {
        booking::cancel(
            &state.pool,
            &state.payments,
            auth.user_id(),
            id.0,
            &state.clock,
        )
        .await?;
        state.catalogue_changed().await;
        let row = load_order(&state, id.0, auth.user_id()).await?;
        Ok(Json(order_dto(&state, row, None)))
    }

    /// Approve a request to book (the space's host).
    ///
    /// The order, `awaiting_approval` until its `approval_deadline`, becomes `completed`.
    #[oai(
        path = "/orders/:id/approve",
        method = "post",
        operation_id = "approveOrder"
    )]
    async fn approve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order's id.
        id: Path<u64>,
    ) -> Result<Json<Order>, ApproveOrderError> {
        Ok(decide(&state, &auth, id.0, Decision::Approve).await?)
    }

    /// Decline a request to book (the space's host).
    ///
    /// The order becomes `declined`: its amount is refunded in full and its hours are free again.
    #[oai(
        path = "/orders/:id/decline",
        method = "post",
        operation_id = "declineOrder"
    )]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The order's id.
        id: Path<u64>,
        body: JsonBody<DeclineRequest>,
    ) -> Result<Json<Order>, DeclineOrderError> {
        let decision = Decision::Decline(body.0.reason);
        Ok(decide(&state, &auth, id.0, decision).await?)
    }

    /// The caller's orders, newest date first.
    #[oai(path = "/me/orders", method = "get", operation_id = "listMyOrders")]
    async fn my_orders(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only orders in this status.
        status: Query<Option<OrderStatus>>,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<OrderPage>, ListMyOrdersError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let owner = OrderOwner::Booker(auth.user_id());
        Ok(Json(
            order_page(&state, &mut conn, owner, status.0, page).await?,
        ))
    }

    /// The orders of one of the caller's spaces, newest date first; with
    /// `status=awaiting_approval`, the requests waiting for a decision, oldest deadline first.
    #[oai(
        path = "/me/spaces/:id/orders",
        method = "get",
        operation_id = "listMySpaceOrders"
    )]
    async fn space_orders(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of one of your spaces.
        id: Path<u64>,
        /// Only orders in this status.
        status: Query<Option<OrderStatus>>,
        /// Page number, from 1.
        page: Query<Option<i64>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<i64>>,
    ) -> Result<Json<OrderPage>, ListMySpaceOrdersError> {
        let page = Page::parse(page.0, per_page.0).map_err(AppError::Validation)?;
        let mut conn = state.pool.acquire().await?;
        let space = hosting::owned_space(&mut conn, auth.user_id(), id.0).await?;
        let owner = OrderOwner::Space(space.id());
        Ok(Json(
            order_page(&state, &mut conn, owner, status.0, page).await?,
        ))
    }
}
