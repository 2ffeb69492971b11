//! The one place where database errors become domain errors.

use glassbox_domain::DomainError;
use sea_orm::{DbErr, SqlErr};

/// Maps a database error: a unique violation is a [`DomainError::Conflict`],
/// a foreign-key violation too (the referenced record is gone or still in
/// use); contention that a retry resolves (SQLite `SQLITE_BUSY`/`LOCKED`
/// past the busy timeout, a PostgreSQL deadlock victim `40P01` or
/// serialization failure `40001`, no free pooled connection) is
/// [`DomainError::Busy`]; anything else is [`DomainError::Internal`] with
/// the cause for logs.
pub fn db_err(err: DbErr) -> DomainError {
    let text = err.to_string();
    let busy = [
        "database is locked",
        "database table is locked",
        "deadlock detected",
        "could not serialize access",
        "pool timed out",
    ]
    .iter()
    .any(|m| text.contains(m));
    if busy {
        return DomainError::Busy(text);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_is_busy_and_other_failures_stay_internal() {
        for text in [
            "error returned from database: (code: 5) database is locked",
            "error returned from database: deadlock detected",
            "error returned from database: could not serialize access due to concurrent update",
            "pool timed out while waiting for an open connection",
        ] {
            assert!(matches!(db_err(DbErr::Custom(text.into())), DomainError::Busy(_)), "{text}");
        }
        assert!(matches!(db_err(DbErr::Custom("syntax error".into())), DomainError::Internal(_)));
    }
}
