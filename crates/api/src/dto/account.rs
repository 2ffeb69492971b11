//! Account and contact wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::account::{Account, Contact, check_employees, check_phone, check_website};
use glassbox_domain::error::Errors;
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, Name, optional_text};
use glassbox_domain::user::Email;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::opportunity::amount_string;

/// A customer company.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Parent company.
    pub parent_account_id: Option<Uuid>,
    /// Industry, as given.
    pub industry: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Head count.
    pub employees: Option<i32>,
    /// Annual revenue, decimal string in `currency`.
    #[schema(example = "718000000.00")]
    pub annual_revenue: Option<String>,
    /// Currency of the revenue (the org's base currency).
    pub currency: String,
    /// Account owner.
    pub owner_id: Uuid,
    /// External id, unique per org.
    pub external_id: Option<String>,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            annual_revenue: a.annual_revenue_minor.map(|m| amount_string(m, &a.currency)),
            id: a.id,
            name: a.name,
            parent_account_id: a.parent_account_id,
            industry: a.industry,
            website: a.website,
            employees: a.employees,
            currency: a.currency,
            owner_id: a.owner_id,
            external_id: a.external_id,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// An account to create or the changes to one. On create `name` is required
/// and `owner_id` defaults to the caller; on PATCH absent fields stay and
/// `null` clears the optional ones.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// Client id (create only).
    pub id: Option<Uuid>,
    /// Name, 1–255 characters.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// Parent company.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_account_id: Option<Option<Uuid>>,
    /// Industry.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub industry: Option<Option<String>>,
    /// Web site, http(s) URL.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 2048, format = "uri")]
    pub website: Option<Option<String>>,
    /// Head count, 0–10,000,000.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub employees: Option<Option<i64>>,
    /// Annual revenue in the org's base currency, decimal string.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub annual_revenue: Option<Option<String>>,
    /// Owner (default: the caller).
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub owner_id: Option<Uuid>,
    /// External id, unique per org.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub external_id: Option<Option<String>>,
}

impl AccountInput {
    /// Applies the input to `a` (a blank record on create).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn apply(&self, a: &mut Account, creating: bool) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        match (&self.name, creating) {
            (Some(name), _) => {
                if let Some(n) = errors.take(Name::parse_max("name", name, 255)) {
                    a.name = n.into_string();
                }
            }
            (None, true) => errors.push(glassbox_domain::FieldError::new("name", "required", "an account needs a name")),
            (None, false) => {}
        }
        if self.id.is_some() && !creating {
            errors.push(glassbox_domain::FieldError::new("id", "read_only", "the id cannot change"));
        }
        if let Some(v) = self.parent_account_id {
            a.parent_account_id = v;
        }
        if let Some(v) = &self.industry {
            a.industry = errors.take(optional_text("industry", v.as_deref(), 255, false)).flatten();
        }
        if let Some(v) = &self.website {
            a.website = errors.take(optional_text("website", v.as_deref(), 2048, false)).flatten();
            if let Some(url) = &a.website {
                errors.take(check_website(url));
            }
        }
        if let Some(v) = self.employees {
            a.employees = v.and_then(|n| errors.take(check_employees(n)));
        }
        if let Some(v) = &self.annual_revenue {
            let currency = errors.take(Currency::parse("annual_revenue", &a.currency));
            a.annual_revenue_minor = match (v, currency) {
                (Some(raw), Some(c)) => errors.take(Money::parse_amount("annual_revenue", raw, c)).map(|m| m.minor()),
                _ => None,
            };
        }
        if let Some(v) = self.owner_id {
            a.owner_id = v;
        }
        if let Some(v) = &self.external_id {
            a.external_id = errors.take(optional_text("external_id", v.as_deref(), 255, false)).flatten();
        }
        errors.finish()
    }
}

/// Account list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor.
    pub cursor: Option<String>,
    /// Name contains (case-insensitive).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Owned by this user.
    pub owner_id: Option<Uuid>,
}

/// A person at an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    /// Id.
    pub id: Uuid,
    /// Employer account.
    pub account_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Contact> for ContactDto {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            account_id: c.account_id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            title: c.title,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A contact to create (name required) or the changes to one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// Client id (create only).
    pub id: Option<Uuid>,
    /// Employer account.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub account_id: Option<Option<Uuid>>,
    /// Name, 1–255 characters.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// Email.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, format = "email", max_length = 254)]
    pub email: Option<Option<String>>,
    /// Phone.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub phone: Option<Option<String>>,
    /// Job title.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub title: Option<Option<String>>,
}

impl ContactInput {
    /// Applies the input to `c` (a blank record on create).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn apply(&self, c: &mut Contact, creating: bool) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        match (&self.name, creating) {
            (Some(name), _) => {
                if let Some(n) = errors.take(Name::parse_max("name", name, 255)) {
                    c.name = n.into_string();
                }
            }
            (None, true) => errors.push(glassbox_domain::FieldError::new("name", "required", "a contact needs a name")),
            (None, false) => {}
        }
        if self.id.is_some() && !creating {
            errors.push(glassbox_domain::FieldError::new("id", "read_only", "the id cannot change"));
        }
        if let Some(v) = self.account_id {
            c.account_id = v;
        }
        if let Some(v) = &self.email {
            c.email = v
                .as_deref()
                .and_then(|e| errors.take(Email::parse("email", e)))
                .map(|e| e.as_str().to_owned());
        }
        if let Some(v) = &self.phone {
            c.phone = errors.take(optional_text("phone", v.as_deref(), 50, false)).flatten();
            if let Some(p) = &c.phone {
                errors.take(check_phone(p));
            }
        }
        if let Some(v) = &self.title {
            c.title = errors.take(optional_text("title", v.as_deref(), 255, false)).flatten();
        }
        errors.finish()
    }
}

/// Contact list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor.
    pub cursor: Option<String>,
    /// Of this account.
    pub account_id: Option<Uuid>,
}
