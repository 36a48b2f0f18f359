//! Cursors of the integration API's lists: the position after the last row of a page, as
//! (the transaction that last changed it, its id). Lists only reach rows whose transaction
//! is older than every transaction still running, so a row committed late by a slow
//! transaction is never skipped: it is not listed until everything before it is final.

use crate::kernel::error::AppError;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub xid: i64,
    pub id: i64,
}

impl Cursor {
    /// `c1234-56`: opaque to callers, checked strictly here.
    pub fn encode(self) -> String {
        format!("c{}-{}", self.xid, self.id)
    }

    pub fn parse(text: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("`cursor` is not a cursor this API gave out.");
        let (xid, id) = text
            .strip_prefix('c')
            .and_then(|rest| rest.split_once('-'))
            .ok_or_else(bad)?;
        let parse = |part: &str| {
            (!part.is_empty() && part.len() <= 19 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i64>().ok())
                .flatten()
                .ok_or_else(bad)
        };
        Ok(Self {
            xid: parse(xid)?,
            id: parse(id)?,
        })
    }
}

/// Ends a page read with `LIMIT limit + 1`: drops the extra row and returns where the next
/// page starts (after the last row; where this one started when it is empty and a cursor
/// was given, so a poll keeps its place) and whether more rows are there already.
pub fn end_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    position: impl Fn(&T) -> Cursor,
    requested: Option<Cursor>,
) -> (Option<String>, bool) {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows.last().map(position).or(requested).map(Cursor::encode);
    (next, has_more)
}

/// How many rows a page holds: 50 unless asked, 1 to 200.
pub fn page_size(limit: Option<i64>) -> Result<i64, AppError> {
    match limit.unwrap_or(50) {
        limit @ 1..=200 => Ok(limit),
        _ => Err(AppError::invalid("`limit` is 1 to 200.")),
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_anything_else_is_refused() {
        let cursor = Cursor { xid: 981, id: 42 };
        assert_eq!(Cursor::parse(&cursor.encode()).unwrap(), cursor);
        for bad in [
            "",
            "c",
            "c1",
            "c-1",
            "c1-",
            "x1-2",
            "c1-2-3",
            "c99999999999999999999-1",
            "c1-+2",
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
    }
}
