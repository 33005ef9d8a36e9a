//! A scenario file that cannot be used: which file, which line, what was expected.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The file name as given by the user.
    pub file: String,
    /// 1-based line of the offending key or value, when one is to blame.
    pub line: Option<usize>,
    pub message: String,
}

impl ScenarioError {
    pub fn at_offset(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: Some(line_of(text, offset)),
            message: message.into(),
        }
    }

    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let text = "a\nbb\nccc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 6), 3);
        assert_eq!(line_of(text, 999), 3);
    }

    #[test]
    fn display_names_file_and_line() {
        let e = ScenarioError::at_offset("x.toml", "a\nb", 2, "bad");
        assert_eq!(e.to_string(), "x.toml:2: bad");
        assert_eq!(
            ScenarioError::whole_file("x.toml", "empty").to_string(),
            "x.toml: empty"
        );
    }
}
