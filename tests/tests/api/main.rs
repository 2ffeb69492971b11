//! Black-box HTTP tests: one binary, a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod activities;
mod activity_batch;
mod analytics;
mod analytics_sample;
mod api_keys;
mod audit;
mod auth;
mod concurrency;
mod errors;
mod forecast_model;
mod forecasts;
mod handoff_metrics;
mod handoffs;
mod idempotency;
mod import;
mod migrations;
mod offboarding;
mod openapi;
mod opportunities;
mod opportunity_lists;
mod org;
mod pipelines;
mod quotas;
mod rate_limit;
mod rollups;
mod sync;
mod sync_feeds;
mod system;
mod teams;
mod timeline;
mod users;
mod visibility;
