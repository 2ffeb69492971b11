//! Accounts (customer companies), their contacts, and the products sold.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::DomainError;

/// A customer company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Name.
    pub name: String,
    /// Parent company (subsidiary_of).
    pub parent_account_id: Option<Uuid>,
    /// Industry, as given.
    pub industry: Option<String>,
    /// Web site URL.
    pub website: Option<String>,
    /// Head count.
    pub employees: Option<i32>,
    /// Annual revenue in minor units of `currency` (the org's base currency).
    pub annual_revenue_minor: Option<i64>,
    /// Currency of the revenue.
    pub currency: String,
    /// Account owner.
    pub owner_id: Uuid,
    /// Id in an external system; unique per org.
    pub external_id: Option<String>,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// A person at an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Employer account.
    pub account_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Email (normalized).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// Something the org sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// Tenant.
    pub org_id: Uuid,
    /// Name, unique per org.
    pub name: String,
    /// SKU or code, unique per org.
    pub code: Option<String>,
    /// List price in minor units of `currency`.
    pub list_price_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Still sold.
    pub active: bool,
    /// Version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// Checks a web site: an `http://` or `https://` URL of at most 2,048
/// characters without spaces.
///
/// # Errors
/// [`DomainError::Validation`] on `website` (`invalid_url`).
pub fn check_website(url: &str) -> Result<(), DomainError> {
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && url.len() > 8
        && url.chars().count() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid("website", "invalid_url", "must be an http(s) URL"))
    }
}

/// Checks a phone number: 3–50 characters of digits, spaces and `+()-./x`,
/// with at least 3 digits (E.164 numbers and common national formats).
///
/// # Errors
/// [`DomainError::Validation`] on `phone` (`invalid_phone`).
pub fn check_phone(phone: &str) -> Result<(), DomainError> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let ok = phone.chars().count() <= 50 && digits >= 3 && phone.chars().all(|c| c.is_ascii_digit() || " +()-./x".contains(c));
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "phone",
            "invalid_phone",
            "must be a phone number such as +1 415 555 0100",
        ))
    }
}

/// Checks a head count: 0–10,000,000.
///
/// # Errors
/// [`DomainError::Validation`] on `employees` (`out_of_range`).
pub fn check_employees(n: i64) -> Result<i32, DomainError> {
    match n {
        0..=10_000_000 => Ok(n as i32),
        _ => Err(DomainError::invalid("employees", "out_of_range", "must be 0–10,000,000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn website_and_phone_rules() {
        assert!(check_website("https://acme.example").is_ok());
        assert!(check_website("ftp://acme.example").is_err());
        assert!(check_website("https://a b.example").is_err());
        assert!(check_phone("+1 (415) 555-0100").is_ok());
        assert!(check_phone("call me").is_err());
        assert!(check_phone("12").is_err());
        assert!(check_employees(-1).is_err());
    }
}
