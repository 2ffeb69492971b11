//! Exchange rates to the org's base currency, valid from a day on, and
//! exact conversion of amounts with them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use crate::DomainError;
use crate::org::Currency;

/// Units of the base currency one unit of a currency is worth: a positive
/// decimal with at most 9 fraction digits, below 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(Decimal);

impl Rate {
    /// Parses a decimal string such as `"1.0845"` or `"0.00913"`.
    ///
    /// # Errors
    /// [`DomainError::Validation`] on `field`: `invalid_rate` (not a plain
    /// positive decimal, more than 9 fraction digits, or 1,000,000 or more).
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                field,
                "invalid_rate",
                "must be a positive decimal string such as \"1.0845\", at most 9 fraction digits, below 1000000",
            )
        };
        let plain = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !raw.starts_with('.') && !raw.ends_with('.');
        if !plain || raw.len() > 20 {
            return Err(bad());
        }
        let d: Decimal = raw.parse().map_err(|_| bad())?;
        if d <= Decimal::ZERO || d.scale() > 9 || d >= Decimal::from(1_000_000) {
            return Err(bad());
        }
        Ok(Self(d.normalize()))
    }

    /// The rate of the base currency to itself.
    pub fn one() -> Self {
        Self(Decimal::ONE)
    }

    /// The rate as a float (for variances only, never for amounts).
    pub fn as_f64(&self) -> f64 {
        rust_decimal::prelude::ToPrimitive::to_f64(&self.0).unwrap_or(0.0)
    }

    /// The decimal string (no trailing zeros).
    pub fn to_decimal_string(&self) -> String {
        self.0.to_string()
    }

    /// Converts `minor` units of `from` into minor units of `to` (the base
    /// currency), rounding half away from zero to `to`'s minor unit, exactly
    /// (128-bit decimal arithmetic, no floats).
    pub fn convert(&self, minor: i128, from: Currency, to: Currency) -> i128 {
        let Ok(amount) = Decimal::try_from_i128_with_scale(minor, from.exponent()) else {
            return 0;
        };
        let converted = amount.checked_mul(self.0).unwrap_or(Decimal::MAX);
        let rounded = converted.round_dp_with_strategy(to.exponent(), RoundingStrategy::MidpointAwayFromZero);
        let scale = rounded.scale();
        let mantissa = rounded.mantissa();
        // Rounding to `to.exponent()` places leaves at most that scale.
        mantissa * 10_i128.pow(to.exponent().saturating_sub(scale))
    }
}

/// A rate valid from `valid_from` until the next rate of the currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRate {
    /// Id.
    pub id: Uuid,
    /// Owning org.
    pub org_id: Uuid,
    /// The currency converted (never the base currency).
    pub currency: String,
    /// Base-currency units per unit of `currency`.
    pub rate: Rate,
    /// First local day it applies to.
    pub valid_from: NaiveDate,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// The rate of `currency` on `day` among `rates`: the one with the latest
/// `valid_from` on or before the day; `None` when there is none.
pub fn rate_on<'a>(rates: &'a [ExchangeRate], currency: &str, day: NaiveDate) -> Option<&'a ExchangeRate> {
    rates
        .iter()
        .filter(|r| r.currency == currency && r.valid_from <= day)
        .max_by_key(|r| r.valid_from)
}

/// `minor` units of `currency` in minor units of `base`, at the rate of
/// `day` among `rates` (1 for the base currency itself); `None` when the
/// currency has no rate on that day.
///
/// # Errors
/// [`DomainError::Validation`] on `currency` when it is not ISO 4217.
pub fn to_base(rates: &[ExchangeRate], base: Currency, currency: &str, minor: i128, day: NaiveDate) -> Result<Option<i128>, DomainError> {
    if currency == base.code() {
        return Ok(Some(minor));
    }
    let from = Currency::parse("currency", currency)?;
    Ok(rate_on(rates, currency, day).map(|r| r.rate.convert(minor, from, base)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse("c", code).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn rates_parse_strictly() {
        assert_eq!(
            Rate::parse("rate", "1.0845").map(|r| r.to_decimal_string()).ok().as_deref(),
            Some("1.0845")
        );
        assert_eq!(
            Rate::parse("rate", "0.009130").map(|r| r.to_decimal_string()).ok().as_deref(),
            Some("0.00913")
        );
        for bad in [
            "",
            "0",
            "0.0",
            "-1",
            "1e3",
            "1.",
            ".5",
            "1.0000000001",
            "1000000",
            "NaN",
            " 1.2",
            "1,2",
        ] {
            assert!(Rate::parse("rate", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conversion_is_exact_and_rounds_half_away_from_zero_across_exponents() {
        let r = Rate::parse("rate", "1.0845").unwrap_or_else(|_| unreachable!());
        // 100.00 EUR → 108.45 USD; 0.05 EUR = 0.054225 → 0.05.
        assert_eq!(r.convert(10_000, c("EUR"), c("USD")), 10_845);
        assert_eq!(r.convert(5, c("EUR"), c("USD")), 5);
        let half = Rate::parse("rate", "0.5").unwrap_or_else(|_| unreachable!());
        assert_eq!(half.convert(1, c("EUR"), c("USD")), 1);
        assert_eq!(half.convert(-1, c("EUR"), c("USD")), -1);
        // 1,000 JPY (no minor unit) at 0.00913 → 9.13 USD; USD → JPY rounds to yen.
        let jpy = Rate::parse("rate", "0.00913").unwrap_or_else(|_| unreachable!());
        assert_eq!(jpy.convert(1_000, c("JPY"), c("USD")), 913);
        let usd = Rate::parse("rate", "109.53").unwrap_or_else(|_| unreachable!());
        assert_eq!(usd.convert(1_005, c("USD"), c("JPY")), 1_101);
        // Large amounts stay exact.
        assert_eq!(Rate::one().convert(999_999_999_999_999, c("USD"), c("USD")), 999_999_999_999_999);
    }

    #[test]
    fn the_rate_on_a_day_is_the_latest_valid_from_before_it() {
        let rate = |raw: &str, from: (i32, u32, u32)| ExchangeRate {
            id: Uuid::nil(),
            org_id: Uuid::nil(),
            currency: "EUR".into(),
            rate: Rate::parse("rate", raw).unwrap_or_else(|_| unreachable!()),
            valid_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap_or_default(),
            created_at: DateTime::default(),
        };
        let rates = [rate("1.10", (2017, 1, 1)), rate("1.20", (2017, 7, 1))];
        let day = |m, d| NaiveDate::from_ymd_opt(2017, m, d).unwrap_or_default();
        assert_eq!(
            rate_on(&rates, "EUR", day(6, 30)).map(|r| r.rate.to_decimal_string()).as_deref(),
            Some("1.1")
        );
        assert_eq!(
            rate_on(&rates, "EUR", day(7, 1)).map(|r| r.rate.to_decimal_string()).as_deref(),
            Some("1.2")
        );
        assert!(rate_on(&rates, "GBP", day(7, 1)).is_none());
        assert!(rate_on(&rates, "EUR", NaiveDate::from_ymd_opt(2016, 12, 31).unwrap_or_default()).is_none());
    }
}
