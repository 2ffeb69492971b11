//! Audit middleware: after every successful write under `/api/v1/`, and
//! after every sign-in attempt on a known account, appends who did what to
//! which record (see [`glassbox_domain::audit::describe`]).
//!
//! Handlers and the [`crate::auth::Caller`] extractor leave what only they
//! know in the request's extensions: the acting user or key
//! ([`AuditActor`]), the accounts a failed sign-in tried
//! ([`FailedLogins`]), and extra facts ([`AuditDetail`]). The middleware sits
//! inside the idempotency layer, so a replayed answer (no second write) is
//! not logged twice. An entry that cannot be stored is logged as an error;
//! the write it describes has already committed.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, web};
use glassbox_domain::audit::{AuditEntry, describe};
use uuid::Uuid;

use crate::state::AppState;

/// Who acted: set by the `Caller` extractor and by sign-in.
#[derive(Debug, Clone, Copy)]
pub struct AuditActor {
    /// The org.
    pub org_id: Uuid,
    /// The user (for an API key: the admin it acts as).
    pub user_id: Uuid,
    /// The API key, if one was used.
    pub api_key_id: Option<Uuid>,
}

/// The (org, user) accounts a refused sign-in matched by email.
#[derive(Debug, Clone)]
pub struct FailedLogins(pub Vec<(Uuid, Uuid)>);

/// Extra facts of a write, as JSON.
#[derive(Debug, Clone)]
pub struct AuditDetail(pub serde_json::Value);

/// Leaves `value` for the audit middleware.
pub fn note<T: 'static>(req: &HttpRequest, value: T) {
    req.extensions_mut().insert(value);
}

/// The middleware (see the module doc).
///
/// # Errors
/// Whatever the wrapped service returns.
pub async fn audit(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let described = describe(req.method().as_str(), req.path());
    let res = next.call(req).await?;
    let Some((resource, path_id, action)) = described else {
        return Ok(res);
    };
    let status = res.status();
    let request = res.request();
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let (actor, failed, detail) = {
        let ext = request.extensions();
        (
            ext.get::<AuditActor>().copied(),
            ext.get::<FailedLogins>().cloned(),
            ext.get::<AuditDetail>().cloned(),
        )
    };
    let created = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse::<Uuid>().ok());
    let entry = |org_id: Uuid, user: Option<Uuid>, key: Option<Uuid>, action: &str, resource_id: Option<Uuid>| AuditEntry {
        id: Uuid::nil(),
        org_id,
        at: chrono::DateTime::UNIX_EPOCH,
        actor_user_id: user,
        api_key_id: key,
        action: action.to_owned(),
        resource: resource.clone(),
        resource_id,
        status: status.as_u16(),
        request_id: crate::request_id::current_request_id(),
        ip: request.peer_addr().map(|a| a.ip().to_string()),
        detail: detail.as_ref().map(|d| d.0.to_string()),
    };
    let mut entries = Vec::new();
    if status.is_success() {
        if let Some(a) = actor {
            let record = path_id.or(created).or((resource == "auth").then_some(a.user_id));
            entries.push(entry(a.org_id, Some(a.user_id), a.api_key_id, &action, record));
        }
    } else if action == "login" {
        for (org, user) in failed.map(|f| f.0).unwrap_or_default() {
            entries.push(entry(org, None, None, "login_failed", Some(user)));
        }
    }
    for e in entries {
        if let Err(err) = state.store.record_audit(e).await {
            tracing::error!(error = %err, "an audit log entry could not be stored");
        }
    }
    Ok(res)
}
