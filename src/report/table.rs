//! A small text-table helper shared by the reports: aligned plain-text columns
//! and GitHub Markdown tables from the same rows.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Clone, Debug, Default)]
pub struct TextTable {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// Columns as (title, alignment).
    pub fn new(columns: &[(&str, Align)]) -> TextTable {
        TextTable {
            header: columns.iter().map(|(t, _)| (*t).to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped.
    pub fn push(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.header.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r[c].chars().count())
                    .chain(std::iter::once(self.header[c].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Plain text: columns padded to their widest cell, two spaces apart, no
    /// trailing spaces.
    pub fn render_text(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let line: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| pad(cell, widths[c], self.align[c]))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table.
    pub fn render_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        let header: Vec<String> = self.header.iter().map(|h| escape(h)).collect();
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        let rule: Vec<&str> = self
            .align
            .iter()
            .map(|a| match a {
                Align::Left => "---",
                Align::Right => "---:",
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

fn pad(cell: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    match align {
        Align::Left => format!("{cell}{fill}"),
        Align::Right => format!("{fill}{cell}"),
    }
}

/// Microseconds shown as milliseconds with precision that suits the size.
pub fn fmt_ms(us: f64) -> String {
    crate::format::ms_from_us(us)
}

/// A rate with digits that matter: 0.84, 12.3, 4521.
pub fn fmt_rate(per_s: f64) -> String {
    crate::format::significant(per_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> TextTable {
        let mut t = TextTable::new(&[("name", Align::Left), ("n", Align::Right)]);
        t.push(vec!["rayon".into(), "12".into()]);
        t.push(vec!["a|b".into()]);
        t
    }

    #[test]
    fn text_pads_columns_and_aligns_numbers_right() {
        assert_eq!(table().render_text(), "name    n\nrayon  12\na|b\n");
    }

    #[test]
    fn markdown_escapes_pipes_and_marks_right_columns() {
        assert_eq!(
            table().render_markdown(),
            "| name | n |\n| --- | ---: |\n| rayon | 12 |\n| a\\|b |  |\n"
        );
    }

    #[test]
    fn numbers_keep_meaningful_digits() {
        assert_eq!(fmt_ms(312_000.0), "312");
        assert_eq!(fmt_ms(12_340.0), "12.3");
        assert_eq!(fmt_ms(850.0), "0.85");
        assert_eq!(fmt_rate(4521.4), "4521");
        assert_eq!(fmt_rate(0.844), "0.84");
    }
}
