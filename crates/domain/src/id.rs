//! Record ids.

use uuid::Uuid;

use crate::error::DomainError;

/// The id of a new record: the client's, when it sent one (offline-first
/// clients create records before they sync), else a fresh UUIDv7. The nil
/// and max UUIDs are placeholders, never real ids, and are refused.
///
/// # Errors
/// [`DomainError::Validation`] on `field` with code `reserved_id`.
pub fn new_record_id(field: &str, supplied: Option<Uuid>) -> Result<Uuid, DomainError> {
    match supplied {
        None => Ok(Uuid::now_v7()),
        Some(id) if id.is_nil() || id.is_max() => Err(DomainError::invalid(
            field,
            "reserved_id",
            "the nil and max UUIDs are not valid ids; generate a UUIDv7",
        )),
        Some(id) => Ok(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_kept_and_placeholders_refused() {
        let id = Uuid::now_v7();
        assert_eq!(new_record_id("id", Some(id)).unwrap(), id);
        assert_eq!(new_record_id("id", None).unwrap().get_version_num(), 7);
        assert!(new_record_id("id", Some(Uuid::nil())).is_err());
        assert!(new_record_id("id", Some(Uuid::max())).is_err());
    }
}
