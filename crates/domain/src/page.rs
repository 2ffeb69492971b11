//! Keyset pagination.

use uuid::Uuid;

use crate::error::DomainError;

/// Page size, 1–200 (default 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u64);

impl Limit {
    /// Default page size.
    pub const DEFAULT: Limit = Limit(50);
    /// Largest page size.
    pub const MAX: u64 = 200;

    /// Parses an optional `limit` query parameter.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `limit` (`out_of_range`) unless 1–200.
    pub fn parse(raw: Option<i64>) -> Result<Self, DomainError> {
        match raw {
            None => Ok(Self::DEFAULT),
            Some(n) if (1..=Self::MAX as i64).contains(&n) => Ok(Self(n as u64)),
            Some(_) => Err(DomainError::invalid("limit", "out_of_range", "must be between 1 and 200")),
        }
    }

    /// The size.
    pub fn get(&self) -> u64 {
        self.0
    }
}

/// Which page to read: rows strictly after the key `after` in the list's
/// order (by default the id, a time-ordered UUIDv7), at most `limit` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<K = Uuid> {
    /// Page size.
    pub limit: Limit,
    /// Key of the last row of the previous page, if any.
    pub after: Option<K>,
}

/// One page of rows and where the next page starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, K = Uuid> {
    /// Rows, in key order.
    pub items: Vec<T>,
    /// Key to pass as `after` for the next page.
    pub next_after: Option<K>,
}

impl<T, K> Page<T, K> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only
    /// proves that a next page exists.
    pub fn from_overfetch(mut rows: Vec<T>, limit: Limit, key: impl Fn(&T) -> K) -> Self {
        let has_more = rows.len() as u64 > limit.get();
        rows.truncate(limit.get() as usize);
        let next_after = if has_more { rows.last().map(&key) } else { None };
        Self { items: rows, next_after }
    }

    /// Converts every row, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }

    /// The same page with every item converted by a fallible `f`.
    ///
    /// # Errors
    /// The first error of `f`.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U, K>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next_after: self.next_after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_50_and_rejects_out_of_range() {
        assert_eq!(Limit::parse(None).unwrap().get(), 50);
        assert_eq!(Limit::parse(Some(200)).unwrap().get(), 200);
        assert!(Limit::parse(Some(0)).is_err());
        assert!(Limit::parse(Some(201)).is_err());
    }

    #[test]
    fn overfetch_sets_cursor_only_when_more_rows_exist() {
        let limit = Limit::parse(Some(2)).unwrap();
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let page = Page::from_overfetch(ids.clone(), limit, |id| *id);
        assert_eq!(page.items, ids[..2]);
        assert_eq!(page.next_after, Some(ids[1]));
        let last = Page::from_overfetch(ids[..2].to_vec(), limit, |id| *id);
        assert_eq!(last.next_after, None);
    }
}
