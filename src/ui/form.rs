//! The workload form (`w`): kernel, size, distribution, closed-loop tasks in
//! flight or open-loop rate, and a path. Bad values leave a message in the form
//! and apply nothing.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use crate::bounds;
use crate::engine::command::Command;
use crate::spec::{BadWorkload, Dist, Kernel, LoadMode, WorkloadSpec};

/// A value of the form that cannot be used: the field and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadField {
    #[error("{field}: {reason}")]
    Value { field: &'static str, reason: String },
    #[error(transparent)]
    Workload(#[from] BadWorkload),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Kernel,
    Size,
    Dist,
    Mode,
    Amount,
    Path,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Kernel,
        Field::Size,
        Field::Dist,
        Field::Mode,
        Field::Amount,
        Field::Path,
    ];

    /// The most characters a text field holds; None for fields chosen with ←/→.
    pub fn max_chars(self) -> Option<usize> {
        match self {
            Field::Size | Field::Amount => Some(bounds::FORM_NUMBER_MAX_CHARS),
            Field::Path => Some(bounds::FORM_PATH_MAX_CHARS),
            Field::Kernel | Field::Dist | Field::Mode => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Kernel => "kernel",
            Field::Size => "size",
            Field::Dist => "dist",
            Field::Mode => "loop",
            Field::Amount => "amount",
            Field::Path => "path",
        }
    }
}

/// What a key did to the form.
#[derive(Clone, Debug, PartialEq)]
pub enum FormOutcome {
    /// Still editing.
    Editing,
    /// Esc: close, apply nothing.
    Cancelled,
    /// Enter with valid values: the commands to send (empty if nothing changed).
    Submitted(Vec<Command>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadForm {
    pub field: Field,
    pub kernel: Kernel,
    pub size: String,
    pub dist: Dist,
    /// Closed loop (tasks in flight) when true, open loop (rate) when false.
    pub closed: bool,
    pub amount: String,
    pub path: String,
    /// The last validation error, shown inside the form.
    pub error: Option<String>,
    current_workload: WorkloadSpec,
    current_load: LoadMode,
}

impl WorkloadForm {
    /// A form filled with the running configuration.
    pub fn new(workload: &WorkloadSpec, load: LoadMode) -> WorkloadForm {
        let (closed, amount) = match load {
            LoadMode::Closed { inflight } => (true, inflight.to_string()),
            LoadMode::Open { rate } => (false, trim_float(rate)),
        };
        WorkloadForm {
            field: Field::Kernel,
            kernel: workload.kernel,
            size: workload.size.to_string(),
            dist: workload.dist,
            closed,
            amount,
            path: workload
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            error: None,
            current_workload: workload.clone(),
            current_load: load,
        }
    }

    pub fn handle(&mut self, key: KeyEvent) -> FormOutcome {
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancelled,
            KeyCode::Enter => match self.validate() {
                Ok((workload, load)) => {
                    let mut commands = Vec::new();
                    if workload != self.current_workload {
                        commands.push(Command::SetWorkload { workload });
                    }
                    if load != self.current_load {
                        commands.push(Command::SetLoad { load });
                    }
                    return FormOutcome::Submitted(commands);
                }
                Err(bad) => self.error = Some(bad.to_string()),
            },
            KeyCode::Tab | KeyCode::Down => self.move_field(1),
            KeyCode::BackTab | KeyCode::Up => self.move_field(-1),
            KeyCode::Left => self.cycle(-1),
            KeyCode::Right => self.cycle(1),
            KeyCode::Backspace => {
                if let Some(text) = self.text_mut() {
                    text.pop();
                }
            }
            KeyCode::Char(c) => match self.field.max_chars() {
                Some(_) => {
                    let mut one = [0u8; 4];
                    self.insert(c.encode_utf8(&mut one));
                }
                None if c == ' ' => self.cycle(1),
                None => {}
            },
            _ => {}
        }
        FormOutcome::Editing
    }

    /// A paste: its text goes into the selected field at once, up to the
    /// field's length limit; control characters (a pasted newline) are left
    /// out, so a paste never submits the form.
    pub fn paste(&mut self, text: &str) {
        if self.field.max_chars().is_none() {
            self.error = Some("paste: choose a text field (size, amount or path) first".into());
            return;
        }
        self.insert(text);
    }

    /// Appends the printable characters of `text` to the selected text field,
    /// as many as fit; says so in the form when some did not.
    fn insert(&mut self, text: &str) {
        let field = self.field;
        let (Some(max), Some(value)) = (field.max_chars(), self.text_mut()) else {
            return;
        };
        let room = max.saturating_sub(value.chars().count());
        let mut printable = text.chars().filter(|c| !c.is_control());
        value.extend(printable.by_ref().take(room));
        if printable.next().is_some() {
            self.error = Some(format!(
                "{}: at most {max} characters; the rest was left out",
                field.name()
            ));
        }
    }

    fn move_field(&mut self, step: isize) {
        let n = Field::ALL.len() as isize;
        let at = Field::ALL
            .iter()
            .position(|f| *f == self.field)
            .unwrap_or(0) as isize;
        self.field = Field::ALL[(at + step).rem_euclid(n) as usize];
    }

    fn cycle(&mut self, step: isize) {
        match self.field {
            Field::Kernel => {
                self.kernel = cycle_in(&Kernel::all(), self.kernel, step);
                // A size means something else for each kernel: start from its default.
                let size = self.kernel.default_size();
                self.size = if size == 0 {
                    self.current_workload.size.to_string()
                } else {
                    size.to_string()
                };
            }
            Field::Dist => self.dist = cycle_in(&Dist::ALL, self.dist, step),
            Field::Mode => {
                self.closed = !self.closed;
                self.amount = match (self.closed, self.current_load) {
                    (true, LoadMode::Closed { inflight }) => inflight.to_string(),
                    (true, LoadMode::Open { .. }) => "4".to_string(),
                    (false, LoadMode::Open { rate }) => trim_float(rate),
                    (false, LoadMode::Closed { .. }) => "100".to_string(),
                };
            }
            Field::Size | Field::Amount | Field::Path => {}
        }
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.field {
            Field::Size => Some(&mut self.size),
            Field::Amount => Some(&mut self.amount),
            Field::Path => Some(&mut self.path),
            Field::Kernel | Field::Dist | Field::Mode => None,
        }
    }

    /// The label of the amount field for the chosen mode.
    pub fn amount_label(&self) -> &'static str {
        if self.closed { "in flight" } else { "rate /s" }
    }

    /// Checks every field; the error names the field and says what is wrong.
    pub fn validate(&self) -> Result<(WorkloadSpec, LoadMode), BadField> {
        let bad = |field: &'static str, reason: String| BadField::Value { field, reason };
        let path_text = self.path.trim();
        let path = if path_text.is_empty() {
            None
        } else {
            let p = PathBuf::from(path_text);
            if !p.exists() {
                return Err(bad(
                    "path",
                    format!(
                        "{} does not exist",
                        crate::format::escape_control(path_text)
                    ),
                ));
            }
            Some(p)
        };
        let size_text = self.size.trim();
        let size = match size_text.parse::<u64>() {
            Ok(0) => return Err(bad("size", "must be at least 1".to_string())),
            Ok(n) if path.is_some() => n,
            Ok(n) => crate::spec::limits::check_size(self.kernel, n)
                .map_err(|e| bad("size", e.to_string()))?,
            Err(_) if path.is_some() && size_text.is_empty() => self.current_workload.size,
            Err(_) => {
                return Err(bad(
                    "size",
                    format!(
                        "'{size_text}' is not a whole number ({})",
                        self.kernel.size_unit()
                    ),
                ));
            }
        };
        let amount_text = self.amount.trim();
        let load = if self.closed {
            match amount_text.parse::<u64>() {
                Ok(n) => LoadMode::Closed {
                    inflight: bounds::check_inflight(n)
                        .map_err(|e| bad("in flight", e.to_string()))?,
                },
                _ => {
                    return Err(bad(
                        "in flight",
                        format!("'{amount_text}' is not a whole number of at least 1"),
                    ));
                }
            }
        } else {
            match amount_text.parse::<f64>() {
                Ok(r) => LoadMode::Open {
                    rate: bounds::check_rate(r).map_err(|e| bad("rate", e.to_string()))?,
                },
                _ => {
                    return Err(bad(
                        "rate",
                        format!("'{amount_text}' is not a positive number of tasks per second"),
                    ));
                }
            }
        };
        let workload = WorkloadSpec {
            kernel: self.kernel,
            size,
            dist: self.dist,
            seed: self.current_workload.seed,
            path,
            cpu_share: self.current_workload.cpu_share,
        };
        workload.validate()?;
        Ok((workload, load))
    }
}

fn cycle_in<T: Copy + PartialEq>(all: &[T], current: T, step: isize) -> T {
    let n = all.len() as isize;
    let at = all.iter().position(|x| *x == current).unwrap_or(0) as isize;
    all[(at + step).rem_euclid(n) as usize]
}

/// `100` rather than `100.0`, `12.5` as is.
fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}
