//! Business outcomes that are not success.
//!
//! The API crate turns each variant into exactly one HTTP status in one table
//! (`glassbox_api::error`), matching exhaustively, so a new variant forces an
//! HTTP decision.

/// One invalid input field: `field` is the wire name (dotted for nested
/// fields, e.g. `business_hours.start`), `code` a stable snake_case reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Wire name of the offending field.
    pub field: String,
    /// Stable machine-readable reason, e.g. `too_short`, `unknown_currency`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Every way a domain operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input broke an invariant; one entry per offending field.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// The record does not exist, belongs to another org, or is outside the
    /// caller's visibility (deliberately indistinguishable).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The write collides with existing state (e.g. a duplicate email).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("version {expected} is stale; current version is {current}")]
    StaleVersion {
        /// The version the client sent.
        expected: i64,
        /// The version stored now.
        current: i64,
    },
    /// Credentials or token missing, wrong, expired or revoked.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Authenticated, but the role may not perform this action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// What the request points at existed once and is gone for good (such
    /// as a sync cursor older than the change log's retention window); the
    /// message says what to do instead.
    #[error("gone: {0}")]
    Gone(String),
    /// The store is momentarily contended (a lock wait ran out, a deadlock
    /// victim); the same request may succeed when retried. The message is
    /// for logs only.
    #[error("busy: {0}")]
    Busy(String),
    /// Storage or another dependency failed; the message is for logs only.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl DomainError {
    /// A validation error about a single field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }
}

/// Collects field errors while parsing several fields, so one answer names
/// every offending field at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of `result`, or records its field errors and yields `None`.
    pub fn take<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(DomainError::Validation(mut errs)) => {
                self.0.append(&mut errs);
                None
            }
            Err(other) => {
                self.0.push(FieldError::new("", "invalid", other.to_string()));
                None
            }
        }
    }

    /// Records one field error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(())` when nothing was recorded, else the validation error.
    ///
    /// # Errors
    /// [`DomainError::Validation`] with every recorded field error.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.0))
        }
    }
}
