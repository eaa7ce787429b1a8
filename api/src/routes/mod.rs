//! One module per resource; this file only merges them into one documented service.

/// Declares a list answer, `{items, page, per_page, total}`, under its own schema name (a
/// generic object would be named `Page_<Item>` in the spec and in every generated SDK).
/// The visibility given applies to its constructor.
macro_rules! page_of {
    ($vis:vis $name:ident, $item:ty) => {
        #[derive(poem_openapi::Object, Debug)]
        pub struct $name {
            items: Vec<$item>,
            page: u32,
            per_page: u32,
            total: u64,
        }

        impl $name {
            $vis fn new(
                items: Vec<$item>,
                page: spacecloud_common::domain::Page,
                total: u64,
            ) -> Self {
                Self {
                    items,
                    page: page.page(),
                    per_page: page.per_page(),
                    total,
                }
            }
        }
    };
}

mod auth;
mod blocks;
mod calendar;
mod catalog;
mod date;
mod engagement;
mod form_bool;
mod hosting;
mod json_body;
mod me;
mod notifications;
mod nullable;
mod ops;
mod orders;
mod spaces;
mod spec;

use poem_openapi::{OpenApiService, Tags};

#[derive(Tags)]
pub enum ApiTags {
    /// Reference data guests filter by.
    Catalog,
    /// Finding spaces and their calendars.
    Spaces,
    /// Hosts' spaces and photos.
    Hosting,
    /// Signing in with Kakao, refreshing and revoking tokens.
    Auth,
    /// The signed-in user's account.
    Me,
    /// Holding, paying and cancelling bookings.
    Orders,
    /// Liveness and readiness probes.
    Operations,
}

pub type Api = (
    catalog::CatalogApi,
    spaces::SpacesApi,
    engagement::EngagementApi,
    hosting::HostingApi,
    blocks::BlocksApi,
    calendar::CalendarApi,
    auth::AuthApi,
    me::MeApi,
    notifications::NotificationsApi,
    orders::OrdersApi,
    ops::OpsApi,
);

pub fn api_service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            catalog::CatalogApi,
            spaces::SpacesApi,
            engagement::EngagementApi,
            hosting::HostingApi,
            blocks::BlocksApi,
            calendar::CalendarApi,
            auth::AuthApi,
            me::MeApi,
            notifications::NotificationsApi,
            orders::OrdersApi,
            ops::OpsApi,
        ),
        "SpaceCloud API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Book party rooms, practice rooms, studios and meeting rooms by the day, the night or \
         the whole day. Errors are RFC 9457 problem details with a stable `code`.",
    )
    .server(
        poem_openapi::ServerObject::new("http://127.0.0.1:8080")
            .description("A local server started by scripts/start.sh"),
    )
    .contact(
        poem_openapi::ContactObject::new()
            .name("SpaceCloud backend team")
            .email("backend@spacecloud.example"),
    )
    .license(poem_openapi::LicenseObject::new("Proprietary"))
}

/// The table of operations, statuses and problem codes that `docs/api.md` carries.
pub fn operations_markdown() -> String {
    let document: serde_json::Value =
        serde_json::from_str(&spec_json()).expect("the spec is valid JSON");
    spec::operations_markdown(&document)
}

/// The OpenAPI document as served at `/openapi.json` and committed under
/// `openapi/openapi.json`: poem-openapi's, completed by [`spec::complete`] with what
/// poem-openapi cannot say itself.
pub fn spec_json() -> String {
    let mut document: serde_json::Value =
        serde_json::from_str(&api_service().spec()).expect("poem-openapi writes valid JSON");
    spec::complete(&mut document);
    // Sorted keys: serde_json's `preserve_order` would also reorder the idempotency
    // fingerprint's fixed serialisation.
    serde_json::to_string_pretty(&document).expect("a JSON value serialises")
}
