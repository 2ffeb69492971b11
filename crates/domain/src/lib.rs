//! Glassbox sales domain.
//!
//! Entities as plain Rust types, their invariants (parse, don't validate) and the
//! pure rules of the sales process. This crate has no web framework, no ORM and
//! no I/O: `cargo tree -p glassbox-domain -e normal` shows neither actix-web,
//! sea-orm, sqlx, tokio, utoipa nor jsonwebtoken, and CI checks that.

pub mod account;
pub mod activity;
pub mod analytics;
pub mod api_key;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod forecast;
pub mod handoff;
pub mod id;
pub mod import;
pub mod money;
pub mod opportunity;
pub mod org;
pub mod page;
pub mod pipeline;
pub mod scope;
pub mod stats;
pub mod team;
pub mod user;
pub mod window;

pub use clock::{Clock, FixedClock, OffsetClock, SystemClock};
pub use error::{DomainError, FieldError};
pub use scope::Scope;
