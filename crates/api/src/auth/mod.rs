//! Authentication: access tokens (JWT), API keys, refresh tokens, password
//! hashing and the [`Caller`] extractor that turns a bearer token into a
//! [`Scope`].

pub mod api_key;
pub mod jwt;
pub mod password;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use glassbox_domain::{DomainError, Scope};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller. Extracting it validates the bearer token and
/// reloads the user, so a deactivated user's tokens stop working at the next
/// request and role changes apply at once.
#[derive(Debug, Clone)]
pub struct Caller(pub Scope);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // The scheme name is case-insensitive (RFC 9110 §11.1).
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            })
            .map(|t| t.trim().to_owned());
        let needed = glassbox_domain::api_key::required_scope(req.method().as_str(), req.path());
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| DomainError::Internal("application state missing".into()))?;
            let token = token.ok_or_else(|| DomainError::Unauthenticated("send Authorization: Bearer <access token>".into()))?;
            let (scope, api_key_id) = if token.starts_with(api_key::PREFIX) {
                api_key::caller(&state, &token, needed).await?
            } else {
                let claims = state.jwt.verify(&token, state.store.clock().now())?;
                (state.store.load_scope(claims.org, claims.sub).await?, None)
            };
            crate::audit::note(
                &req,
                crate::audit::AuditActor {
                    org_id: scope.org_id,
                    user_id: scope.user_id,
                    api_key_id,
                },
            );
            Ok(Caller(scope))
        })
    }
}
