//! Exact money: integer minor units of an ISO 4217 currency.
//!
//! On the wire an amount is a decimal string (`"1054.00"`) beside its
//! currency; in storage it is an `i64` count of minor units (cents for USD,
//! yen for JPY), so sums are exact integer sums on SQLite and PostgreSQL
//! alike. Floats never touch money.

use crate::error::DomainError;
use crate::org::Currency;

/// Largest accepted magnitude in minor units: 10^15 − 1 (just under ten
/// trillion dollars for USD), so any realistic sum of amounts fits in `i64`
/// and the value is exact in every JSON parser that reads it as a string.
pub const MAX_MINOR_UNITS: i64 = 999_999_999_999_999;

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field` (`out_of_range`) beyond ±[`MAX_MINOR_UNITS`].
    pub fn from_minor(field: &str, minor: i64, currency: Currency) -> Result<Self, DomainError> {
        if minor.unsigned_abs() > MAX_MINOR_UNITS as u64 {
            return Err(DomainError::invalid(field, "out_of_range", "amount is too large"));
        }
        Ok(Self { minor, currency })
    }

    /// Parses a non-negative plain decimal string such as `"1234.5"` or
    /// `"0.10"`: digits, an optional point and at most as many fraction
    /// digits as the currency has (2 for USD, 0 for JPY, 3 for KWD). No sign,
    /// exponent, spaces or thousands separators.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`: `invalid_amount`,
    /// `too_many_decimals` or `out_of_range`.
    pub fn parse_amount(field: &str, raw: &str, currency: Currency) -> Result<Self, DomainError> {
        let exponent = currency.exponent() as usize;
        let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !digits(int_part) || !digits(frac_part) || (raw.contains('.') && frac_part.is_empty()) {
            return Err(DomainError::invalid(
                field,
                "invalid_amount",
                "must be a decimal string such as \"1054.00\" (digits, optional point; no sign or exponent)",
            ));
        }
        if frac_part.len() > exponent {
            return Err(DomainError::invalid(
                field,
                "too_many_decimals",
                format!("{} allows at most {exponent} fraction digits", currency.code()),
            ));
        }
        let int_part = int_part.trim_start_matches('0');
        if int_part.len() > 16 {
            return Err(DomainError::invalid(field, "out_of_range", "amount is too large"));
        }
        let mut minor: i64 = 0;
        for b in int_part
            .bytes()
            .chain(frac_part.bytes())
            .chain(std::iter::repeat_n(b'0', exponent - frac_part.len()))
        {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or_else(|| DomainError::invalid(field, "out_of_range", "amount is too large"))?;
        }
        Self::from_minor(field, minor, currency)
    }

    /// Minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// Currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The wire form: a decimal string with exactly the currency's fraction
    /// digits (`"1234567890.42"`, `"500"` for JPY).
    pub fn to_decimal_string(&self) -> String {
        format_minor(i128::from(self.minor), self.currency.exponent())
    }
}

/// Formats a (possibly large, e.g. summed) count of minor units as a decimal
/// string with `exponent` fraction digits.
pub fn format_minor(minor: i128, exponent: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u128.pow(exponent);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("c", "USD").unwrap()
    }

    #[test]
    fn parses_and_formats_exactly() {
        let m = Money::parse_amount("amount", "1234567890.12", usd()).unwrap();
        assert_eq!(m.minor(), 123_456_789_012);
        assert_eq!(m.to_decimal_string(), "1234567890.12");
        assert_eq!(Money::parse_amount("a", "0.1", usd()).unwrap().to_decimal_string(), "0.10");
        assert_eq!(Money::parse_amount("a", "007", usd()).unwrap().to_decimal_string(), "7.00");
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(Money::parse_amount("a", "500", jpy).unwrap().to_decimal_string(), "500");
        let kwd = Currency::parse("c", "KWD").unwrap();
        assert_eq!(Money::parse_amount("a", "1.234", kwd).unwrap().minor(), 1234);
    }

    #[test]
    fn refuses_everything_that_is_not_a_plain_exact_decimal() {
        let code = |raw: &str| match Money::parse_amount("amount", raw, usd()) {
            Err(DomainError::Validation(e)) => e[0].code.clone(),
            other => panic!("{raw} gave {other:?}"),
        };
        for raw in ["1e3", "", ".5", "5.", "-1", "+1", " 1", "1,000", "1.2.3", "NaN", "١٢"] {
            assert_eq!(code(raw), "invalid_amount", "{raw}");
        }
        assert_eq!(code("12.345"), "too_many_decimals");
        assert_eq!(code("10000000000000.00"), "out_of_range");
        assert_eq!(code("99999999999999999999999"), "out_of_range");
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert!(Money::parse_amount("a", "1.5", jpy).is_err());
    }

    #[test]
    fn format_minor_handles_sums_and_signs() {
        assert_eq!(format_minor(123_456_789_042, 2), "1234567890.42");
        assert_eq!(format_minor(-5, 2), "-0.05");
        assert_eq!(format_minor(i128::from(i64::MAX) * 3, 2), "276701161105643274.21");
    }
}
