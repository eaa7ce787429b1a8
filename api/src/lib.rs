//! The SpaceCloud HTTP API: poem + poem-openapi over the shared `spacecloud-common` crate.

pub mod auth;
pub mod body_limit;
pub mod catalogue;
pub mod error;
pub mod metrics;
pub mod rate_limit;
pub mod request_log;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod state;

pub use startup::Application;
