//! `POST /api/v1/auth/token`: one handler.
use actix_web::{HttpRequest, HttpResponse, post, web};
use glassbox_domain::DomainError;
use glassbox_domain::user::Email;

use super::{new_refresh_token, no_store, refresh_expiry, token_response};
use crate::auth::password;
use crate::dto::auth::{TokenRequest, TokenResponse};
use crate::error::ApiError;
use crate::error::responses::AuthProblems;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Signs in with email and password; returns an access token and a
/// single-use refresh token. Unknown emails take as long as wrong passwords.
/// Attempts are throttled per email (known or not) and per client address
/// (`GLASSBOX_LOGIN_ATTEMPTS_PER_MINUTE`, default 10): over it, 429 with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body = TokenRequest,
    responses((status = 200, description = "Signed in", body = TokenResponse), AuthProblems)
)]
#[post("/auth/token")]
pub async fn create_token(state: web::Data<AppState>, http: HttpRequest, body: JsonBody<TokenRequest>) -> Result<HttpResponse, ApiError> {
    let req = body.0;
    let peer = http.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    state.logins.check(&req.email, &peer)?;
    let candidates = match Email::parse("email", &req.email) {
        Ok(email) => state.store.find_credentials(email.as_str()).await?,
        Err(_) => Vec::new(),
    };
    let candidates: Vec<_> = candidates
        .into_iter()
        .filter(|c| c.active && req.org_id.is_none_or(|org| org == c.org_id))
        .collect();
    let tried: Vec<(uuid::Uuid, uuid::Uuid)> = candidates.iter().map(|c| (c.org_id, c.user_id)).collect();
    let pw = req.password.clone();
    let matches = password::off_thread(move || {
        if candidates.is_empty() {
            password::verify(&pw, password::dummy_hash());
            return Vec::new();
        }
        candidates
            .into_iter()
            .filter(|c| password::verify(&pw, &c.password_hash))
            .collect::<Vec<_>>()
    })
    .await?;
    let user = match matches.as_slice() {
        [one] => one,
        [] => {
            crate::audit::note(&http, crate::audit::FailedLogins(tried));
            return Err(DomainError::Unauthenticated("invalid email or password".into()).into());
        }
        _ => {
            return Err(ApiError::field(
                "org_id",
                "ambiguous_org",
                "this email signs in to several orgs; send org_id to choose one",
            ));
        }
    };
    let (refresh, digest) = new_refresh_token();
    state
        .store
        .start_refresh_family(user.org_id, user.user_id, digest, refresh_expiry(&state))
        .await?;
    crate::audit::note(
        &http,
        crate::audit::AuditActor {
            org_id: user.org_id,
            user_id: user.user_id,
            api_key_id: None,
        },
    );
    Ok(no_store(token_response(&state, user.org_id, user.user_id, refresh)?))
}
