//! Organizations (tenants) and their settings.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, Errors};

/// An ISO 4217 currency code such as `USD` or `JPY`, checked against the
/// standard's table (the `iso_currency` crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parses a three-letter ISO 4217 code (upper case) of a currency that
    /// money can be held in: codes the standard lists without minor units
    /// ("N.A." in its table: precious metals such as `XAU`, special drawing
    /// rights `XDR`, the test code `XTS`, "no currency" `XXX`) are refused.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `unknown_currency`.
    pub fn parse(field: &str, code: &str) -> Result<Self, DomainError> {
        match iso_currency::Currency::from_code(code) {
            Some(c) if c.exponent().is_some() => Ok(Self(c)),
            Some(_) => Err(DomainError::invalid(
                field,
                "unknown_currency",
                format!("`{code}` is an ISO 4217 code without minor units (a metal, fund, test or no-currency code), not money"),
            )),
            None => Err(DomainError::invalid(
                field,
                "unknown_currency",
                format!("`{code}` is not an ISO 4217 currency code"),
            )),
        }
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Number of minor-unit digits (2 for USD, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(0)
    }
}

/// An IANA time zone name such as `Asia/Shanghai` (the `chrono-tz` database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Parses an IANA zone name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `unknown_time_zone`.
    pub fn parse(field: &str, name: &str) -> Result<Self, DomainError> {
        chrono_tz::Tz::from_str(name)
            .map(Self)
            .map_err(|_| DomainError::invalid(field, "unknown_time_zone", format!("`{name}` is not an IANA time zone name")))
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The chrono-tz zone, for local-time arithmetic.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }
}

/// Calendar month (1 = January … 12 = December) on which the fiscal year
/// starts. Fiscal year N begins on day 1 of this month in calendar year N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalYearStartMonth(u8);

impl FiscalYearStartMonth {
    /// Parses a month number.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` with code `out_of_range` unless 1–12.
    pub fn parse(field: &str, month: i64) -> Result<Self, DomainError> {
        match u8::try_from(month) {
            Ok(m @ 1..=12) => Ok(Self(m)),
            _ => Err(DomainError::invalid(field, "out_of_range", "must be a month number from 1 to 12")),
        }
    }

    /// The month number, 1–12.
    pub fn get(&self) -> u8 {
        self.0
    }
}

/// True for characters that are invisible or reorder text: zero-width
/// characters and the Unicode bidirectional embedding, override and isolate
/// controls (the "Trojan Source" characters, CVE-2021-42574).
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Checks that a single-line text has no control characters (C0, DEL, C1)
/// and no bidirectional controls.
///
/// # Errors
/// [`DomainError::Validation`] on `field` with code `invalid_character`.
pub fn check_plain_text(field: &str, text: &str) -> Result<(), DomainError> {
    match text
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        Some(c) => Err(DomainError::invalid(
            field,
            "invalid_character",
            format!(
                "must not contain control or text-direction characters (found U+{:04X})",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// Checks an optional free text: trimmed, at most `max_chars` characters,
/// no control characters except line breaks and tabs when `multiline`.
/// Blank text becomes `None`.
///
/// # Errors
/// [`DomainError::Validation`] on `field`: `too_long` or `invalid_character`.
pub fn optional_text(field: &str, raw: Option<&str>, max_chars: usize, multiline: bool) -> Result<Option<String>, DomainError> {
    let Some(raw) = raw else { return Ok(None) };
    let trimmed = raw.trim();
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if let Some(c) = trimmed
        .chars()
        .find(|c| (c.is_control() && !allowed(*c)) || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(DomainError::invalid(
            field,
            "invalid_character",
            format!("must not contain U+{:04X}", u32::from(c)),
        ));
    }
    if trimmed.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            "too_long",
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// A trimmed, non-empty, single-line display name of at most 200
/// characters, without control or text-direction characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// Trims (whitespace and zero-width characters) and checks a name.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`: `blank`, `too_long` or
    /// `invalid_character`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible_or_bidi(c));
        check_plain_text(field, trimmed)?;
        if trimmed.is_empty() {
            return Err(DomainError::invalid(field, "blank", "must not be blank"));
        }
        if trimmed.chars().count() > 200 {
            return Err(DomainError::invalid(field, "too_long", "must be at most 200 characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// Like [`Name::parse`] with another length limit (in characters).
    ///
    /// # Errors
    /// As [`Name::parse`].
    pub fn parse_max(field: &str, raw: &str, max_chars: usize) -> Result<Self, DomainError> {
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible_or_bidi(c));
        check_plain_text(field, trimmed)?;
        if trimmed.is_empty() {
            return Err(DomainError::invalid(field, "blank", "must not be blank"));
        }
        if trimmed.chars().count() > max_chars {
            return Err(DomainError::invalid(
                field,
                "too_long",
                format!("must be at most {max_chars} characters"),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned name.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A tenant: every business row carries its `id` as `org_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// Org id (UUIDv7).
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// ISO 4217 code rollups are reported in.
    pub base_currency: String,
    /// 1–12, see [`FiscalYearStartMonth`].
    pub fiscal_year_start_month: i32,
    /// IANA time zone name; "today" and period boundaries follow it.
    pub time_zone: String,
    /// Optimistic-concurrency version, +1 per write.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last write instant.
    pub updated_at: DateTime<Utc>,
}

/// Validated settings of a new org.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Display name.
    pub name: Name,
    /// Base currency.
    pub base_currency: Currency,
    /// Fiscal year start month.
    pub fiscal_year_start_month: FiscalYearStartMonth,
    /// Time zone.
    pub time_zone: TimeZone,
}

impl NewOrg {
    /// An org named `name` with the defaults: USD, calendar fiscal year, UTC.
    ///
    /// # Errors
    /// [`DomainError::Validation`] when the name is blank or too long.
    pub fn with_defaults(name: &str) -> Result<Self, DomainError> {
        Ok(Self {
            name: Name::parse("name", name)?,
            base_currency: Currency::parse("base_currency", "USD")?,
            fiscal_year_start_month: FiscalYearStartMonth::parse("fiscal_year_start_month", 1)?,
            time_zone: TimeZone::parse("time_zone", "UTC")?,
        })
    }
}

/// Raw changes to an org, as they arrive; [`OrgChanges::parse`] checks them.
#[derive(Debug, Default, Clone)]
pub struct OrgPatchInput<'a> {
    /// New name.
    pub name: Option<&'a str>,
    /// New base currency code.
    pub base_currency: Option<&'a str>,
    /// New fiscal year start month.
    pub fiscal_year_start_month: Option<i64>,
    /// New IANA time zone.
    pub time_zone: Option<&'a str>,
}

/// Validated changes to an org; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct OrgChanges {
    /// New name.
    pub name: Option<Name>,
    /// New base currency.
    pub base_currency: Option<Currency>,
    /// New fiscal year start month.
    pub fiscal_year_start_month: Option<FiscalYearStartMonth>,
    /// New time zone.
    pub time_zone: Option<TimeZone>,
}

impl OrgChanges {
    /// True when no field is to change (the write is skipped, the version kept).
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.base_currency.is_none() && self.fiscal_year_start_month.is_none() && self.time_zone.is_none()
    }

    /// Checks every given field and reports all offending ones together.
    ///
    /// # Errors
    /// [`DomainError::Validation`] listing each invalid field.
    pub fn parse(input: OrgPatchInput<'_>) -> Result<Self, DomainError> {
        let mut errors = Errors::new();
        let changes = Self {
            name: input.name.and_then(|v| errors.take(Name::parse("name", v))),
            base_currency: input.base_currency.and_then(|v| errors.take(Currency::parse("base_currency", v))),
            fiscal_year_start_month: input
                .fiscal_year_start_month
                .and_then(|v| errors.take(FiscalYearStartMonth::parse("fiscal_year_start_month", v))),
            time_zone: input.time_zone.and_then(|v| errors.take(TimeZone::parse("time_zone", v))),
        };
        errors.finish()?;
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_knows_iso_4217_and_its_exponent() {
        assert_eq!(Currency::parse("c", "USD").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("c", "JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("c", "KWD").unwrap().exponent(), 3);
        assert!(Currency::parse("c", "usd").is_err());
        assert!(Currency::parse("c", "XXY").is_err());
        for not_money in ["XAU", "XXX", "XTS", "XDR"] {
            assert!(Currency::parse("c", not_money).is_err(), "{not_money}");
        }
    }

    #[test]
    fn names_refuse_control_and_direction_characters_and_zero_width_blanks() {
        assert_eq!(Name::parse("n", "\u{200B} Acme \u{FEFF}").unwrap().as_str(), "Acme");
        for bad in ["Acme\u{0}Evil", "Acme\u{7}", "\u{1b}[31mRed", "evil\u{202E}txt", "a\nb"] {
            let err = Name::parse("n", bad).unwrap_err();
            let DomainError::Validation(errs) = err else {
                panic!("expected validation")
            };
            assert_eq!(errs[0].code, "invalid_character", "{bad:?}");
        }
        let DomainError::Validation(errs) = Name::parse("n", "\u{200B}\u{200B}").unwrap_err() else {
            panic!()
        };
        assert_eq!(errs[0].code, "blank");
    }

    #[test]
    fn time_zone_accepts_iana_names_only() {
        assert_eq!(TimeZone::parse("tz", "Asia/Shanghai").unwrap().name(), "Asia/Shanghai");
        assert!(TimeZone::parse("tz", "Mars/Olympus").is_err());
    }

    #[test]
    fn org_changes_report_every_bad_field_at_once() {
        let err = OrgChanges::parse(OrgPatchInput {
            name: Some("  "),
            base_currency: Some("EURO"),
            fiscal_year_start_month: Some(13),
            time_zone: Some("Nowhere"),
        })
        .unwrap_err();
        let DomainError::Validation(errs) = err else {
            panic!("expected validation")
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "base_currency", "fiscal_year_start_month", "time_zone"]);
    }
}
