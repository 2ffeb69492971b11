//! API keys as bearer tokens: `gbx_` and 43 base64url characters (256
//! random bits), stored as their SHA-256.

use base64::Engine;
use glassbox_domain::DomainError;
use glassbox_domain::api_key::KeyScope;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use glassbox_domain::Scope;
use uuid::Uuid;

/// What every key starts with.
pub const PREFIX: &str = "gbx_";

/// A new secret and its hash.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&key);
    (key, hash)
}

/// SHA-256 hex digest of a presented key.
pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The scope a key stands for (its creator's) and the key's id, if the key is usable, allows
/// `needed`, and its creator is still an active member of the org.
///
/// # Errors
/// 401 for an unknown, revoked or expired key (or a deactivated creator);
/// 403 when the key lacks the scope or the endpoint takes no keys.
pub async fn caller(state: &AppState, token: &str, needed: Option<KeyScope>) -> Result<(Scope, Option<Uuid>), ApiError> {
    let key = state.store.authenticate_api_key(&hash(token)).await?;
    let needed = needed.ok_or_else(|| DomainError::Forbidden("API keys cannot call this endpoint; sign in as a user".into()))?;
    if !key.allows(&needed) {
        return Err(DomainError::Forbidden(format!("this API key lacks the {} scope", needed.label())).into());
    }
    let scope = state.store.load_scope(key.org_id, key.created_by).await?;
    Ok((scope, Some(key.id)))
}
