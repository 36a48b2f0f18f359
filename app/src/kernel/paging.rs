//! Keyset paging for staff lists ordered newest first: a page is read with
//! `WHERE id < $before ORDER BY id DESC LIMIT size + 1`, and the extra row, when there is
//! one, says that a next page exists (starting below the last row shown).

/// How many rows to ask for to show `page_size` and learn whether more follow.
pub fn rows_to_fetch(page_size: i64) -> i64 {
    page_size + 1
}

/// Cuts the fetched rows to the page and gives the `before` id of the next page, if any.
pub fn keyset_page<Row>(
    mut rows: Vec<Row>,
    page_size: i64,
    id_of: impl Fn(&Row) -> i64,
) -> (Vec<Row>, Option<i64>) {
    let size = usize::try_from(page_size).unwrap_or(0);
    if rows.len() > size {
        rows.truncate(size);
        let next_before = rows.last().map(id_of);
        (rows, next_before)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extra_row_means_a_next_page_below_the_last_row_shown() {
        let (page, next) = keyset_page(vec![9, 8, 7, 6], 3, |id| *id);
        assert_eq!((page, next), (vec![9, 8, 7], Some(7)));
    }

    #[test]
    fn a_short_or_exact_page_is_the_last() {
        assert_eq!(
            keyset_page(vec![9, 8, 7], 3, |id| *id),
            (vec![9, 8, 7], None)
        );
        assert_eq!(keyset_page(Vec::<i64>::new(), 3, |id| *id), (vec![], None));
    }
}
