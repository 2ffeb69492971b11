//! Plain SQL that runs on both backends, with bound values only.
//!
//! Analytics need common table expressions, window functions and
//! `COUNT(DISTINCT …)`, which read more plainly as SQL than as builder
//! calls. Every value is bound: [`Sql::bind`] returns the placeholder —
//! `$n` on PostgreSQL, `?n` on SQLite, both numbered explicitly — and user
//! input never becomes SQL text.

use sea_orm::{DbBackend, QueryResult, Statement, Value};

use crate::error::db_err;
use glassbox_domain::DomainError;

/// A statement under construction.
pub(crate) struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// An empty statement for `backend`.
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder.
    pub(crate) fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        let n = self.values.len();
        match self.backend {
            DbBackend::Postgres => format!("${n}"),
            _ => format!("?{n}"),
        }
    }

    /// Binds a list of values and returns `p1, p2, …` (or `NULL` when
    /// empty, so that `IN (NULL)` matches nothing).
    pub(crate) fn bind_list<V: Into<Value>>(&mut self, vs: impl IntoIterator<Item = V>) -> String {
        let marks: Vec<String> = vs.into_iter().map(|v| self.bind(v)).collect();
        if marks.is_empty() { "NULL".into() } else { marks.join(", ") }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Whole seconds from `earlier` to `later` (two timestamp expressions)
    /// as a 64-bit integer.
    pub(crate) fn seconds_between(&self, later: &str, earlier: &str) -> String {
        match self.backend {
            DbBackend::Postgres => format!("CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS BIGINT)"),
            _ => format!("CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400.0) AS INTEGER)"),
        }
    }

    /// Runs the statement for its effect.
    pub(crate) async fn execute(self, conn: &impl sea_orm::ConnectionTrait) -> Result<(), DomainError> {
        let stmt = Statement::from_sql_and_values(self.backend, self.text, self.values);
        conn.execute_raw(stmt).await.map(|_| ()).map_err(db_err)
    }

    /// Runs the statement for its effect; returns the number of rows it
    /// changed.
    pub(crate) async fn execute_counted(self, conn: &impl sea_orm::ConnectionTrait) -> Result<u64, DomainError> {
        let stmt = Statement::from_sql_and_values(self.backend, self.text, self.values);
        conn.execute_raw(stmt).await.map(|r| r.rows_affected()).map_err(db_err)
    }

    /// Runs the statement and returns its `id` column, in row order.
    pub(crate) async fn ids(self, conn: &impl sea_orm::ConnectionTrait) -> Result<Vec<uuid::Uuid>, DomainError> {
        self.all(conn)
            .await?
            .iter()
            .map(|r| r.try_get("", "id"))
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    /// Runs the statement and returns its rows.
    pub(crate) async fn all(self, conn: &impl sea_orm::ConnectionTrait) -> Result<Vec<QueryResult>, DomainError> {
        let stmt = Statement::from_sql_and_values(self.backend, self.text, self.values);
        conn.query_all_raw(stmt).await.map_err(db_err)
    }
}

/// Divisor that splits amounts into billions and remainders: SQLite's SUM
/// stops with "integer overflow" past i64, and amounts go up to 10^15 minor
/// units; summing the two parts apart keeps every partial sum inside i64
/// (for up to 9·10^9 rows) on both backends, and Rust adds them in i128.
pub(crate) const SPLIT: i64 = 1_000_000_000;

/// `SUM(col / SPLIT)` and `SUM(col % SPLIT)` as text columns named
/// `{name}_high` and `{name}_low`.
pub(crate) fn exact_sum(col: &str, name: &str) -> String {
    format!("CAST(SUM({col} / {SPLIT}) AS TEXT) AS {name}_high, CAST(SUM({col} % {SPLIT}) AS TEXT) AS {name}_low")
}

/// Reads back an [`exact_sum`].
pub(crate) fn read_exact_sum(row: &QueryResult, name: &str) -> Result<i128, DomainError> {
    let part = |col: String| -> Result<i128, DomainError> {
        let text: Option<String> = row.try_get("", &col).map_err(db_err)?;
        text.as_deref()
            .unwrap_or("0")
            .parse::<i128>()
            .map_err(|_| DomainError::Internal("sum is not an integer".into()))
    };
    Ok(part(format!("{name}_high"))? * i128::from(SPLIT) + part(format!("{name}_low"))?)
}

/// A query over `(grp, val)` rows (given as SQL producing those two columns)
/// that keeps, per group, only the two order statistics a quantile
/// interpolates between: columns `grp`, `n` (group size), `rn` (1-based
/// rank), `val`. Ranks use integer arithmetic (see
/// [`glassbox_domain::stats::Quantile`]), alike on both backends.
pub(crate) fn order_statistics(rows: &str, q: glassbox_domain::stats::Quantile) -> String {
    let lo = format!("((n - 1) * {} / {} + 1)", q.num, q.den);
    format!(
        "SELECT grp, n, rn, val FROM (SELECT grp, val, \
         ROW_NUMBER() OVER (PARTITION BY grp ORDER BY val) AS rn, \
         COUNT(*) OVER (PARTITION BY grp) AS n FROM ({rows}) AS qs) AS ranked \
         WHERE rn = {lo} OR rn = {lo} + 1"
    )
}
