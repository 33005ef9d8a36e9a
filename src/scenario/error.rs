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
        ScenarioError::at_line(file, line_of(text, offset), message)
    }

    pub fn at_line(file: &str, line: usize, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: Some(line),
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
    LineIndex::new(text).line_of(offset)
}

/// Where each line starts, found once, so that naming the line of every step
/// costs a binary search rather than a scan of the text before it.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offsets of every `\n`, ascending.
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(at, _)| at)
                .collect(),
        }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&at| at < offset) + 1
    }
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
