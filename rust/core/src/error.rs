//! The one error type of the core. The Python binding maps each variant to a specific
//! exception class (never by matching message text).

/// How many offending rows an error carries at most.
pub const MAX_REPORTED: usize = 10;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Rows whose two items are the same item.
    #[error("{count} row(s) compare an item with itself, e.g. rows {rows:?}")]
    SelfComparison { rows: Vec<usize>, count: usize },
    /// Rows whose outcome is NaN or outside [0, 1].
    #[error("{count} row(s) have an outcome outside [0, 1] or NaN, e.g. rows {rows:?}")]
    OutcomeRange { rows: Vec<usize>, count: usize },
    /// Rows whose weight is NaN, infinite or negative.
    #[error("{count} row(s) have a NaN, infinite or negative weight, e.g. rows {rows:?}")]
    InvalidWeight { rows: Vec<usize>, count: usize },
    /// The data admit no finite maximum-likelihood estimate.
    #[error(
        "no finite maximum-likelihood estimate: the comparison graph has {components} strongly \
         connected components; items that never win: {never_win:?}; never lose: {never_lose:?}"
    )]
    NotIdentifiable {
        /// Item codes with zero (weighted) wins.
        never_win: Vec<u32>,
        /// Item codes with zero (weighted) losses.
        never_lose: Vec<u32>,
        /// Number of strongly connected components of the "beat" graph.
        components: usize,
        /// Component index of each item (0 = a component no other component beats).
        component_of: Vec<u32>,
    },
    /// Arguments that are inconsistent (lengths, codes out of range, unknown options).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A large working buffer could not be allocated (the process's memory limit).
    #[error("cannot allocate {bytes} bytes of working memory")]
    OutOfMemory { bytes: usize },
    /// The caller asked to stop (Ctrl-C), polled between iterations of a long solve.
    #[error("interrupted")]
    Interrupted,
}

pub type Result<T> = std::result::Result<T, Error>;

/// Parses an option string against its table of `(name, value)` choices: the one
/// implementation behind the `FromStr` of every option enum (the bindings call `.parse()`).
/// An unknown name is `InvalidArgument` listing the choices: "`what` must be 'a', 'b' or 'c',
/// not \"x\"".
pub(crate) fn parse_choice<T: Copy>(what: &str, s: &str, choices: &[(&str, T)]) -> Result<T> {
    if let Some(&(_, v)) = choices.iter().find(|(name, _)| *name == s) {
        return Ok(v);
    }
    let quoted: Vec<String> = choices.iter().map(|(name, _)| format!("'{name}'")).collect();
    let listed = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    Err(Error::InvalidArgument(format!("{what} must be {listed}, not {s:?}")))
}

/// Collects the first [`MAX_REPORTED`] offending row indices and a total count.
#[derive(Debug, Default, Clone)]
pub(crate) struct RowReport {
    pub rows: Vec<usize>,
    pub count: usize,
}

impl RowReport {
    #[inline]
    pub fn push(&mut self, row: usize) {
        if self.rows.len() < MAX_REPORTED {
            self.rows.push(row);
        }
        self.count += 1;
    }

    /// Appends a later block's report (rows stay in ascending order when blocks are merged in order).
    pub fn merge(&mut self, other: RowReport) {
        for r in other.rows {
            if self.rows.len() < MAX_REPORTED {
                self.rows.push(r);
            }
        }
        self.count += other.count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_choice_finds_a_name_and_lists_the_choices_otherwise() {
        let choices = [("a", 1), ("b", 2), ("c", 3)];
        assert_eq!(parse_choice("x", "b", &choices), Ok(2));
        let Err(Error::InvalidArgument(msg)) = parse_choice("x", "d", &choices) else { panic!("expected InvalidArgument") };
        assert_eq!(msg, "x must be 'a', 'b' or 'c', not \"d\"");
        let Err(Error::InvalidArgument(msg)) = parse_choice("y", "", &[("only", 0)]) else { panic!("expected InvalidArgument") };
        assert_eq!(msg, "y must be 'only', not \"\"");
    }
}
