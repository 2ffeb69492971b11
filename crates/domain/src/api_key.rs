//! API keys for integrations: a secret shown once, stored hashed, limited
//! to scopes of the form `resource:read` or `resource:write`, acting as the
//! admin who created it (so deactivating that admin ends it too).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::DomainError;

/// Every resource a key can be scoped to: the first path segment after
/// `/api/v1/`.
pub const RESOURCES: [&str; 16] = [
    "accounts",
    "activities",
    "analytics",
    "contacts",
    "exchange-rates",
    "forecast-adjustments",
    "forecasts",
    "handoff-rules",
    "handoff-tasks",
    "opportunities",
    "org",
    "pipelines",
    "products",
    "quotas",
    "teams",
    "users",
];

/// Read (GET) or write (everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyAction {
    /// GET and HEAD.
    Read,
    /// POST, PATCH, PUT, DELETE.
    Write,
}

/// One scope: `opportunities:read`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyScope {
    /// A member of [`RESOURCES`].
    pub resource: String,
    /// What it allows.
    pub action: KeyAction,
}

impl KeyScope {
    /// Parses `resource:read` or `resource:write`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `invalid_scope`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                field,
                "invalid_scope",
                format!(
                    "must be resource:read or resource:write with a resource of {}",
                    RESOURCES.join(", ")
                ),
            )
        };
        let (resource, action) = raw.split_once(':').ok_or_else(bad)?;
        let action = match action {
            "read" => KeyAction::Read,
            "write" => KeyAction::Write,
            _ => return Err(bad()),
        };
        if !RESOURCES.contains(&resource) {
            return Err(bad());
        }
        Ok(Self {
            resource: resource.to_owned(),
            action,
        })
    }

    /// The text form.
    pub fn label(&self) -> String {
        let action = match self.action {
            KeyAction::Read => "read",
            KeyAction::Write => "write",
        };
        format!("{}:{action}", self.resource)
    }
}

/// The scope a request needs: the resource named by the first path segment
/// after `/api/v1/`, read for GET/HEAD and write otherwise; `None` for
/// paths no key may use (sign-in, `/me`, API keys themselves).
pub fn required_scope(method: &str, path: &str) -> Option<KeyScope> {
    let resource = path.strip_prefix("/api/v1/")?.split('/').next()?;
    if !RESOURCES.contains(&resource) {
        return None;
    }
    let action = if matches!(method, "GET" | "HEAD") {
        KeyAction::Read
    } else {
        KeyAction::Write
    };
    Some(KeyScope {
        resource: resource.to_owned(),
        action,
    })
}

/// A stored key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: Uuid,
    /// Owning org.
    pub org_id: Uuid,
    /// What it is for.
    pub name: String,
    /// The first characters of the secret after `gbx_`, to recognise it.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<KeyScope>,
    /// The admin it acts as.
    pub created_by: Uuid,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last successful use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl ApiKey {
    /// Whether it may be used at `now`.
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }

    /// Whether its scopes allow `needed`.
    pub fn allows(&self, needed: &KeyScope) -> bool {
        self.scopes.contains(needed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_strictly_and_requests_map_to_them() {
        assert_eq!(
            KeyScope::parse("s", "opportunities:read").map(|s| s.label()).ok().as_deref(),
            Some("opportunities:read")
        );
        for bad in [
            "opportunities",
            "opportunities:delete",
            "secrets:read",
            ":read",
            "activities:write:x",
        ] {
            assert!(KeyScope::parse("s", bad).is_err(), "{bad}");
        }
        let read = required_scope("GET", "/api/v1/opportunities/0190/history").map(|s| s.label());
        assert_eq!(read.as_deref(), Some("opportunities:read"));
        assert_eq!(
            required_scope("POST", "/api/v1/activities/batch").map(|s| s.label()).as_deref(),
            Some("activities:write")
        );
        assert_eq!(required_scope("GET", "/api/v1/me"), None);
        assert_eq!(required_scope("POST", "/api/v1/api-keys"), None);
        assert_eq!(required_scope("GET", "/healthz"), None);
    }
}
