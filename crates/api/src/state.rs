//! Per-process state shared by every handler.

use chrono::Duration;
use glassbox_persistence::Store;

use crate::auth::jwt::JwtKeys;

/// Shared, immutable per-process state handed to handlers.
#[derive(Debug)]
pub struct AppState {
    /// Storage.
    pub store: Store,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
    /// Sign-in attempts per email and per client address.
    pub logins: crate::login_throttle::LoginThrottle,
}
