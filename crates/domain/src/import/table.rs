//! A CSV file read into rows addressed by column name (RFC 4180 through the
//! `csv` crate: quoting, CRLF or LF line ends, a UTF-8 byte-order mark).

use super::RowProblem;

/// A file that cannot be imported at all: empty, not CSV, or missing a
/// required column. Per-row trouble is a [`RowProblem`] instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct FileError {
    /// File name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// One data row: its line and its fields in the order the reader asked for.
#[derive(Debug)]
pub(crate) struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Row {
    /// The trimmed value of the `i`-th requested column.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |s| s.trim())
    }
}

/// Reads `bytes` as a CSV file with a header row that has at least the
/// `columns` (in any order, extra columns ignored). Rows that are not UTF-8
/// or have the wrong number of fields come back as problems keyed by their
/// first field.
///
/// # Errors
/// [`FileError`] when the header is missing, unreadable or lacks a column.
pub(crate) fn read(file: &str, bytes: &[u8], columns: &[&str]) -> Result<Vec<Result<Row, RowProblem>>, FileError> {
    let fail = |message: String| FileError {
        file: file.to_owned(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(fail(format!("unreadable header: {e}"))),
        None => return Err(fail("the file is empty".into())),
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let positions = columns
        .iter()
        .map(|c| {
            names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| fail(format!("no `{c}` column in the header")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let width = names.len();
    // Line numbers from byte offsets: on CRLF files the reader places a
    // record at the `\n` that ends the line before it, and counts it there.
    let mut counted = (0usize, 1u64);
    let mut line_at = |pos: Option<&csv::Position>| {
        let mut byte = pos.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(bytes.len());
        while bytes.get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            byte += 1;
        }
        if byte >= counted.0 {
            let newlines = bytes.get(counted.0..byte).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
            counted = (byte, counted.1 + newlines as u64);
        }
        counted.1
    };
    Ok(records
        .map(|record| {
            let record = record.map_err(|e| RowProblem {
                file: file.to_owned(),
                line: line_at(e.position()),
                key: String::new(),
                reason: format!("not a CSV record: {e}"),
            })?;
            let line = line_at(record.position());
            let key = String::from_utf8_lossy(record.get(0).unwrap_or_default()).trim().to_owned();
            let problem = |reason: String| RowProblem {
                file: file.to_owned(),
                line,
                key: key.clone(),
                reason,
            };
            if record.len() != width {
                return Err(problem(format!("has {} fields; the header has {width}", record.len())));
            }
            let fields = positions
                .iter()
                .zip(columns)
                .map(|(&p, column)| {
                    let raw = record.get(p).unwrap_or_default();
                    std::str::from_utf8(raw)
                        .map(str::to_owned)
                        .map_err(|_| problem(format!("{column}: not valid UTF-8")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Row { line, fields })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> Vec<Result<(u64, Vec<String>), String>> {
        read("f.csv", bytes, &["b", "a"])
            .map(|rows| {
                rows.into_iter()
                    .map(|r| {
                        r.map(|r| (r.line, r.fields))
                            .map_err(|p| format!("{}:{}:{}", p.line, p.key, p.reason))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn crlf_lf_bom_and_column_order_all_read() {
        let want = vec![
            Ok((2, vec!["2".to_owned(), "1".to_owned()])),
            Ok((3, vec!["x, y".to_owned(), "3".to_owned()])),
        ];
        assert_eq!(rows(b"a,b\r\n1,2\r\n3,\"x, y\"\r\n"), want);
        assert_eq!(rows(b"\xef\xbb\xbfa,b\n1,2\n3,\"x, y\"\n"), want);
    }

    #[test]
    fn bad_rows_are_problems_and_good_rows_go_on() {
        let got = rows(b"a,b\n1\n\xff\xfe,2\n4,5\n");
        assert_eq!(
            got,
            vec![
                Err("2:1:has 1 fields; the header has 2".to_owned()),
                Err("3:\u{fffd}\u{fffd}:a: not valid UTF-8".to_owned()),
                Ok((4, vec!["5".to_owned(), "4".to_owned()])),
            ]
        );
    }

    #[test]
    fn a_missing_column_or_an_empty_file_is_a_file_error() {
        assert_eq!(
            read("f.csv", b"a,c\n1,2\n", &["a", "b"]).err().map(|e| e.to_string()),
            Some("f.csv: no `b` column in the header".into())
        );
        assert_eq!(
            read("f.csv", b"", &["a"]).err().map(|e| e.message),
            Some("the file is empty".into())
        );
    }
}
