use std::time::Duration;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    payload::{Json, PlainText},
};

use super::ApiTags;
use crate::state::AppState;

pub struct OpsApi;

/// Always `ok`: an answer at all is the news.
#[derive(poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
enum Liveness {
    Ok,
}

#[derive(Object)]
struct Health {
    status: Liveness,
}

#[derive(Object)]
struct Readiness {
    mysql: bool,
    redis: bool,
    /// The in-memory catalogue has read its outbox within the last 5 seconds (false while it
    /// cannot: the details it serves may be stale).
    catalogue: bool,
}

#[derive(ApiResponse)]
enum ReadyResponse {
    /// MySQL and Redis both answer, and the in-memory catalogue is following its outbox.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// A dependency does not answer, or the catalogue has fallen behind; the body says which.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[OpenApi(tag = "ApiTags::Operations")]
impl OpsApi {
    /// The process is alive.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: Liveness::Ok,
        })
    }

    /// Prometheus metrics.
    ///
    /// `http_requests_total` and `http_request_duration_seconds` by method and status class.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self) -> PlainText<String> {
        PlainText(crate::metrics::handle().render())
    }

    /// MySQL and Redis are reachable.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let (mysql, redis) = tokio::join!(mysql_answers(&state), redis_answers(&state));
        let catalogue = state
            .catalogue
            .get()
            .is_some_and(|catalogue| catalogue.health().fresh);
        let readiness = Readiness {
            mysql,
            redis,
            catalogue,
        };
        if mysql && redis && catalogue {
            ReadyResponse::Ready(Json(readiness))
        } else {
            ReadyResponse::NotReady(Json(readiness))
        }
    }
}

async fn mysql_answers(state: &AppState) -> bool {
    let ping = sqlx::query("SELECT 1").execute(&state.pool);
    matches!(tokio::time::timeout(PROBE_TIMEOUT, ping).await, Ok(Ok(_)))
}

async fn redis_answers(state: &AppState) -> bool {
    let ping = async {
        let mut conn = state.jobs.connection().await?;
        Ok::<_, spacecloud_common::error::AppError>(
            redis::cmd("PING").query_async::<String>(&mut conn).await?,
        )
    };
    matches!(tokio::time::timeout(PROBE_TIMEOUT, ping).await, Ok(Ok(_)))
}
