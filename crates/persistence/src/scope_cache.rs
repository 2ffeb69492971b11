//! A per-process cache of callers' scopes, so an authenticated read costs
//! one database round trip (its own query) instead of two or three.
//!
//! Correctness rule: a cached scope is used only while no write to users,
//! teams or memberships has committed in this process since it was loaded,
//! and for at most the TTL. Every such write calls [`ScopeCache::invalidate`]
//! after its commit, which advances an epoch; an entry remembers the epoch
//! read *before* its rows were loaded, so a load that raced with a write is
//! never reused. Within one process a deactivation or a role or team change
//! therefore applies to the very next request; another process sharing the
//! database sees it after at most the TTL (`GLASSBOX_SCOPE_CACHE_MS`, 0
//! turns the cache off).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use glassbox_domain::Scope;
use uuid::Uuid;

/// Most entries kept; the map is emptied when it would grow past this.
const CAPACITY: usize = 10_000;

struct Entry {
    scope: Scope,
    epoch: u64,
    loaded: Instant,
}

/// Scopes by (org, user); see the module documentation.
pub(crate) struct ScopeCache {
    ttl: Duration,
    epoch: AtomicU64,
    entries: Mutex<HashMap<(Uuid, Uuid), Entry>>,
}

impl std::fmt::Debug for ScopeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl ScopeCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            epoch: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The epoch to pass to [`ScopeCache::put`]; read it before loading.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A still valid scope of `user_id` in `org_id`.
    pub(crate) fn get(&self, org_id: Uuid, user_id: Uuid) -> Option<Scope> {
        if self.ttl.is_zero() {
            return None;
        }
        let epoch = self.epoch();
        let entries = self.entries.lock().ok()?;
        entries
            .get(&(org_id, user_id))
            .filter(|e| e.epoch == epoch && e.loaded.elapsed() < self.ttl)
            .map(|e| e.scope.clone())
    }

    /// Remembers `scope`, loaded after reading `epoch`.
    pub(crate) fn put(&self, scope: &Scope, epoch: u64) {
        if self.ttl.is_zero() || epoch != self.epoch() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                (scope.org_id, scope.user_id),
                Entry {
                    scope: scope.clone(),
                    epoch,
                    loaded: Instant::now(),
                },
            );
        }
    }

    /// Forgets every scope; call after committing a write to users, teams
    /// or memberships.
    pub(crate) fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glassbox_domain::user::Role;

    fn scope() -> Scope {
        Scope {
            org_id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            role: Role::Rep,
            visible_team_ids: vec![],
        }
    }

    #[test]
    fn a_write_or_the_ttl_ends_an_entry() {
        let cache = ScopeCache::new(Duration::from_secs(60));
        let s = scope();
        cache.put(&s, cache.epoch());
        assert_eq!(cache.get(s.org_id, s.user_id), Some(s.clone()));
        cache.invalidate();
        assert_eq!(cache.get(s.org_id, s.user_id), None);

        let short = ScopeCache::new(Duration::from_millis(1));
        short.put(&s, short.epoch());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.get(s.org_id, s.user_id), None);
    }

    #[test]
    fn a_load_that_raced_with_a_write_is_not_kept() {
        let cache = ScopeCache::new(Duration::from_secs(60));
        let s = scope();
        let before_load = cache.epoch();
        cache.invalidate(); // a write commits while the scope is being loaded
        cache.put(&s, before_load);
        assert_eq!(cache.get(s.org_id, s.user_id), None);
    }

    #[test]
    fn a_zero_ttl_turns_the_cache_off() {
        let cache = ScopeCache::new(Duration::ZERO);
        let s = scope();
        cache.put(&s, cache.epoch());
        assert_eq!(cache.get(s.org_id, s.user_id), None);
    }
}
