//! Black-box tests of the API over HTTP, one database per test.

mod approval;
mod blocks;
mod body_limits;
mod booking;
mod calendar_feed;
mod catalog;
mod catalogue;
mod engagement;
mod errors;
mod helpers;
mod hosting;
mod hourly;
mod identity;
mod list_model;
mod operations;
mod processes;
mod query_count;
mod refunds;
mod seed;
mod spaces;
mod telemetry;
