//! What the API server and the worker share: configuration, domain rules, database access and
//! error types. Nothing in here knows about HTTP.

pub mod auth;
pub mod blocks;
pub mod booking;
pub mod calendar;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod engagement;
pub mod error;
pub mod hosting;
pub mod images;
pub mod jobs;
pub mod notifications;
pub mod rate_limit;
pub mod storage;
pub mod telemetry;
