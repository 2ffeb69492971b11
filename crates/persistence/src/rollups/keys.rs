//! Key values shared by the analytics rollups and the forecast cells.

use chrono::NaiveDate;
use uuid::Uuid;

/// The owner id of the cells summed over every owner.
pub const ALL_OWNERS: Uuid = Uuid::max();

/// Day number stored for a date (days from the common era).
pub(crate) fn day_number(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce()
}
