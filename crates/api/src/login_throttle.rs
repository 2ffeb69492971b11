//! The sign-in throttle, with the `governor` crate (GCRA) as the request
//! rate limits in [`crate::rate_limit`].

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;

/// Sign-in throttle: at most N attempts a minute per submitted email (known
/// or not, so the answer reveals nothing) and per client address, in
/// bursts of N (`GLASSBOX_LOGIN_ATTEMPTS_PER_MINUTE`, default 10; 0 off).
pub struct LoginThrottle {
    limiter: Option<RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle").field("on", &self.limiter.is_some()).finish()
    }
}

impl LoginThrottle {
    /// `per_minute` attempts per email and per address; 0: no throttle.
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n).allow_burst(n)));
        Self {
            limiter,
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt for `email` (compared case-insensitively) from
    /// `peer`.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] with the seconds to wait when either has
    /// used up its attempts.
    pub fn check(&self, email: &str, peer: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        for key in [format!("email:{}", email.trim().to_lowercase()), format!("ip:{peer}")] {
            if let Err(not_until) = limiter.check_key(&key) {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return Err(ApiError::RateLimited {
                    retry_after: seconds.max(1),
                });
            }
        }
        Ok(())
    }

    /// Forgets keys back at a full burst.
    pub fn shrink(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_are_counted_per_email_across_addresses_and_per_address() {
        let t = LoginThrottle::new(2);
        assert!(t.check("ana@acme.test", "10.0.0.1").is_ok());
        assert!(t.check(" ANA@acme.test", "10.0.0.2").is_ok());
        assert!(
            matches!(t.check("ana@acme.test", "10.0.0.3"), Err(ApiError::RateLimited { retry_after }) if (1..=30).contains(&retry_after))
        );
        assert!(t.check("bob@acme.test", "10.0.0.4").is_ok());
        assert!(t.check("carl@acme.test", "10.0.0.4").is_ok());
        assert!(t.check("dora@acme.test", "10.0.0.4").is_err());
        assert!(LoginThrottle::new(0).check("ana@acme.test", "10.0.0.1").is_ok());
    }
}
