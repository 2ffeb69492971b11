//! The one place where database errors become domain errors.

use glassbox_domain::DomainError;
use sea_orm::{DbErr, SqlErr};

/// Maps a database error: a unique violation is a [`DomainError::Conflict`],
/// a foreign-key violation too (the referenced record is gone or still in
/// use); anything else is [`DomainError::Internal`] with the cause for logs.
pub fn db_err(err: DbErr) -> DomainError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::Conflict("a record with the same unique value already exists".into()),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            DomainError::Conflict("the change refers to a missing record or removes one still in use".into())
        }
        _ => DomainError::Internal(err.to_string()),
    }
}

/// Checks an `If-Match` version against the stored one.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), DomainError> {
    match expected {
        Some(expected) if expected != current => Err(DomainError::StaleVersion { expected, current }),
        _ => Ok(()),
    }
}
