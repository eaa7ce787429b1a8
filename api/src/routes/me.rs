//! The signed-in user's own account.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use spacecloud_common::{
    db::users::{self, UserRow},
    domain::Nickname,
};

use super::ApiTags;
use super::json_body::JsonBody;
use super::nullable::Nullable;
use crate::{auth::BearerAuth, error_responses, state::AppState};

pub struct MeApi;

#[derive(Object, Debug)]
pub struct Me {
    pub id: u64,
    pub nickname: String,
    /// Null when the user did not consent to share it with us on Kakao.
    pub email: Nullable<String>,
    pub profile_image_url: Nullable<String>,
    /// Points available to pay for bookings.
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for Me {
    fn from(user: UserRow) -> Self {
        Self {
            id: user.id,
            nickname: user.nickname,
            email: user.email.into(),
            profile_image_url: user.profile_image_url.into(),
            points: user.points,
            created_at: user.created_at,
        }
    }
}

#[derive(Object)]
struct MeChanges {
    /// 1–30 characters after trimming.
    nickname: String,
}

error_responses!(
    /// Errors of reading the account.
    GetMeError {
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

error_responses!(
    /// Errors of changing the account.
    UpdateMeError {
        BadRequest = 400 "`malformed_request`: the body is not JSON or a field has the wrong type.",
        Unauthorized = 401 "`unauthorized`, `invalid_token`, `token_expired` or `token_revoked`.",
        TooLarge = 413 "`payload_too_large`: the body is over 64 KiB.",
        Unsupported = 415 "`unsupported_media_type`: the body is not `application/json`.",
        Unprocessable = 422 "`validation_failed`: the nickname is empty or over 30 characters.",
        Unavailable = 503 "`database_unavailable`.",
    }
);

#[OpenApi(prefix_path = "/api/v1/me", tag = "ApiTags::Me")]
impl MeApi {
    /// The signed-in user.
    #[oai(path = "/", method = "get", operation_id = "getMe")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<Me>, GetMeError> {
        Ok(Json(auth.0.into()))
    }

    /// Change the signed-in user's nickname.
    #[oai(path = "/", method = "patch", operation_id = "updateMe")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<MeChanges>,
    ) -> Result<Json<Me>, UpdateMeError> {
        let nickname = Nickname::parse("nickname", &body.nickname)?;
        let mut conn = state.pool.acquire().await?;
        let user = users::rename(&mut conn, auth.user_id(), &nickname, state.clock.now()).await?;
        state.catalogue_changed().await;
        Ok(Json(user.into()))
    }
}
