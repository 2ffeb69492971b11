//! Glassbox HTTP API.
//!
//! `startup` builds the actix-web app from [`config::Settings`]; `routes` holds
//! one handler per file, registered through utoipa-actix-web so that
//! registering a route documents it; `dto` holds wire types; `error` is the
//! one place that turns failures into RFC 9457 problem+json.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dto;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod login_throttle;
pub mod middleware;
pub mod openapi;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod telemetry;
