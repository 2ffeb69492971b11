//! The audit log: one append-only entry per write and per sign-in.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Id (UUIDv7, time-ordered).
    pub id: Uuid,
    /// The org it happened in.
    pub org_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The user who acted (for an API key: the admin it acts as); `None`
    /// for the org's own scheduled work.
    pub actor_user_id: Option<Uuid>,
    /// The API key used, if any.
    pub api_key_id: Option<Uuid>,
    /// What was done: `create`, `update`, `delete`, `login`,
    /// `login_failed`, `logout`, `token_refresh`, or a named action such as
    /// `deactivate`, `accept`, `complete`, `batch_upsert`.
    pub action: String,
    /// The kind of record, as its collection is named in the API
    /// (`opportunities`, `users`, `org`, `forecast-snapshots/schedule`, …).
    pub resource: String,
    /// The record, when one is named.
    pub resource_id: Option<Uuid>,
    /// The HTTP status answered.
    pub status: u16,
    /// The request id (`X-Request-Id`).
    pub request_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// Extra facts as JSON text (e.g. who a leaver's records went to).
    pub detail: Option<String>,
}

/// What a write request does, read from its method and path under
/// `/api/v1/`: `(resource, record id, action)`; `None` for reads and for
/// paths outside the API. The record id of a create is not in the path —
/// the caller takes it from the answer's `Location`.
///
/// - `POST /accounts` → (`accounts`, –, `create`); `POST /activities/batch`
///   → (`activities`, –, `batch_upsert`);
/// - `PATCH|PUT /teams/{id}` → `update`; `DELETE /teams/{id}` → `delete`;
/// - `POST /handoff-tasks/{id}/accept` → (`handoff-tasks`, id, `accept`);
/// - `PATCH /org` → (`org`, –, `update`); `PUT|DELETE
///   /forecast-snapshots/schedule` → (`forecast-snapshots/schedule`, –,
///   `update` | `delete`);
/// - `POST /auth/token|refresh|logout` → (`auth`, –, `login` |
///   `token_refresh` | `logout`).
pub fn describe(method: &str, path: &str) -> Option<(String, Option<Uuid>, String)> {
    let rest = path.strip_prefix("/api/v1/")?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let verb = match method {
        "POST" => "create",
        "PATCH" | "PUT" => "update",
        "DELETE" => "delete",
        _ => return None,
    };
    let own = |s: &str| s.to_owned();
    match parts.as_slice() {
        ["auth", what] => {
            let action = match *what {
                "token" => "login",
                "refresh" => "token_refresh",
                "logout" => "logout",
                other => other,
            };
            Some((own("auth"), None, own(action)))
        }
        [resource] => Some((own(resource), None, own(verb))),
        [resource, second] => match second.parse::<Uuid>() {
            Ok(id) => Some((own(resource), Some(id), own(verb))),
            Err(_) if *second == "batch" => Some((own(resource), None, own("batch_upsert"))),
            Err(_) => Some((format!("{resource}/{second}"), None, own(verb))),
        },
        [resource, id, action, ..] => Some((own(resource), id.parse().ok(), own(action))),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_named_by_resource_record_and_action() {
        let id = Uuid::from_u128(7);
        let d = |m: &str, p: &str| describe(m, p);
        assert_eq!(d("POST", "/api/v1/accounts"), Some(("accounts".into(), None, "create".into())));
        assert_eq!(
            d("PATCH", &format!("/api/v1/teams/{id}")),
            Some(("teams".into(), Some(id), "update".into()))
        );
        assert_eq!(
            d("DELETE", &format!("/api/v1/teams/{id}")),
            Some(("teams".into(), Some(id), "delete".into()))
        );
        assert_eq!(
            d("POST", &format!("/api/v1/users/{id}/deactivate")),
            Some(("users".into(), Some(id), "deactivate".into()))
        );
        assert_eq!(
            d("POST", "/api/v1/activities/batch"),
            Some(("activities".into(), None, "batch_upsert".into()))
        );
        assert_eq!(
            d("PUT", "/api/v1/forecast-snapshots/schedule"),
            Some(("forecast-snapshots/schedule".into(), None, "update".into()))
        );
        assert_eq!(d("POST", "/api/v1/auth/token"), Some(("auth".into(), None, "login".into())));
        assert_eq!(d("PATCH", "/api/v1/org"), Some(("org".into(), None, "update".into())));
        assert_eq!(d("GET", "/api/v1/accounts"), None);
        assert_eq!(d("POST", "/healthz"), None);
    }
}
