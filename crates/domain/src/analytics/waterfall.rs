//! The pipeline waterfall: how the open pipeline of a period moved between
//! two instants.
//!
//! A deal is *in the pipeline* at an instant when it is open then and its
//! close date (as it stood then) falls in the period. Each deal lands in
//! exactly one of these cases, which makes the equation
//! `start + new + pulled_in + increased − decreased − pushed_out − won −
//! lost = end` hold exactly (the bridge of a "pipeline waterfall" as
//! Salesforce's and Clari's pipeline-change reports draw it):
//! - in at both ends: the amount change is `increased` or `decreased`;
//! - in at the start only: it left `won`, `lost` or `pushed_out` (still
//!   open, close date moved out of the period), at its starting amount;
//! - in at the end only: `new` when created in the window, else
//!   `pulled_in`, at its ending amount;
//! - in at neither, but created and closed within the window with its close
//!   date in the period: `new` and then `won` or `lost`, at its ending
//!   amount.

/// One currency's waterfall; amounts in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waterfall {
    /// ISO 4217 code of the deals (their current currency).
    pub currency: String,
    /// Open pipeline at the start.
    pub start: i128,
    /// Added by deals created in the window.
    pub new: i128,
    /// Added by older deals whose close date moved into the period or that
    /// reopened.
    pub pulled_in: i128,
    /// Amount increases of deals in at both ends.
    pub increased: i128,
    /// Amount decreases of deals in at both ends.
    pub decreased: i128,
    /// Removed by close dates moved out of the period.
    pub pushed_out: i128,
    /// Removed by wins.
    pub won: i128,
    /// Removed by losses.
    pub lost: i128,
    /// Open pipeline at the end.
    pub end: i128,
}

impl Waterfall {
    /// Whether the bridge adds up: start + new + pulled_in + increased −
    /// decreased − pushed_out − won − lost = end.
    pub fn balances(&self) -> bool {
        self.start + self.new + self.pulled_in + self.increased - self.decreased - self.pushed_out - self.won - self.lost == self.end
    }
}
