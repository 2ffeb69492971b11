//! Product wire types.

use chrono::{DateTime, Utc};
use glassbox_domain::DomainError;
use glassbox_domain::account::Product;
use glassbox_domain::error::Errors;
use glassbox_domain::money::Money;
use glassbox_domain::org::{Currency, Name, optional_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::opportunity::amount_string;

/// Something the org sells.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    /// Id.
    pub id: Uuid,
    /// Name, unique per org.
    pub name: String,
    /// Code or SKU, unique per org.
    pub code: Option<String>,
    /// List price, decimal string in `currency`.
    #[schema(example = "550.00")]
    pub list_price: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Still sold.
    pub active: bool,
    /// Version; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Product> for ProductDto {
    fn from(p: Product) -> Self {
        Self {
            list_price: amount_string(p.list_price_minor, &p.currency),
            id: p.id,
            name: p.name,
            code: p.code,
            currency: p.currency,
            active: p.active,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A product to create (name and list_price required; currency defaults to
/// the org's) or the changes to one. A new currency needs a new list_price.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Client id (create only).
    pub id: Option<Uuid>,
    /// Name, 1–255 characters.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// Code or SKU.
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub code: Option<Option<String>>,
    /// List price, decimal string.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, example = "550.00", pattern = "^[0-9]+(\\.[0-9]+)?$")]
    pub list_price: Option<String>,
    /// ISO 4217 currency.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false, pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// Still sold.
    #[serde(default, deserialize_with = "super::non_null")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

impl ProductInput {
    /// Applies the input to `p` (a blank record with the org's currency on create).
    ///
    /// # Errors
    /// [`DomainError::Validation`] naming every bad field.
    pub fn apply(&self, p: &mut Product, creating: bool) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        let required = |field: &str| glassbox_domain::FieldError::new(field, "required", format!("a product needs {field}"));
        match (&self.name, creating) {
            (Some(name), _) => {
                if let Some(n) = errors.take(Name::parse_max("name", name, 255)) {
                    p.name = n.into_string();
                }
            }
            (None, true) => errors.push(required("name")),
            (None, false) => {}
        }
        if self.id.is_some() && !creating {
            errors.push(glassbox_domain::FieldError::new("id", "read_only", "the id cannot change"));
        }
        if let Some(v) = &self.code {
            p.code = errors.take(optional_text("code", v.as_deref(), 64, false)).flatten();
        }
        let currency = errors.take(Currency::parse("currency", self.currency.as_deref().unwrap_or(&p.currency)));
        if self.currency.as_deref().is_some_and(|c| c != p.currency) && self.list_price.is_none() && !creating {
            errors.push(glassbox_domain::FieldError::new(
                "list_price",
                "required",
                "a new currency needs the list price in it",
            ));
        }
        match (&self.list_price, currency) {
            (Some(raw), Some(c)) => {
                if let Some(m) = errors.take(Money::parse_amount("list_price", raw, c)) {
                    p.list_price_minor = m.minor();
                    p.currency = c.code().to_owned();
                }
            }
            (None, _) if creating => errors.push(required("list_price")),
            _ => {}
        }
        if let Some(v) = self.active {
            p.active = v;
        }
        errors.finish()
    }
}

/// Product list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor.
    pub cursor: Option<String>,
    /// Only active (true) or inactive (false) products.
    pub active: Option<bool>,
}
