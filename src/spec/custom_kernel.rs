//! Your own kernels: a program registers a function from (size, seed) to a
//! digest under a name, then runs loadlab's command line (or the engine) on it
//! like on any built-in kernel.
//!
//! ```
//! use loadlab::{CustomKernel, register_kernel};
//!
//! let kernel = CustomKernel::new("doc-fold", "numbers folded", |size, seed| {
//!     (0..size).fold(seed, |acc, i| acc.rotate_left(5) ^ i)
//! })
//! .default_size(10_000)
//! .input_bytes(|size| size * 8);
//! let kernel = register_kernel(kernel).expect("a new name");
//! assert_eq!(kernel.name(), "doc-fold");
//! assert_eq!(loadlab::spec::Kernel::from_name("doc-fold"), Some(kernel));
//! // Then `loadlab::app::main()` runs the command line on it, or an
//! // `Engine` runs it with `WorkloadSpec { kernel, .. }`.
//! ```
//!
//! Registration happens once per process, before the command line starts
//! (its flags, help and completions list the registered names); a definition
//! lives as long as the process, so a task reaches its function without a
//! lookup or a lock.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::bounds::CUSTOM_SIZE_MAX_DEFAULT;
use crate::bounds::{CUSTOM_KERNELS_MAX, CUSTOM_NAME_MAX_CHARS};
use crate::spec::Kernel;

type DigestFn = dyn Fn(u64, u64) -> u64 + Send + Sync + 'static;
type BytesFn = dyn Fn(u64) -> u64 + Send + Sync + 'static;

/// A kernel of your own, before registration: a name, the unit of its size, a
/// default size and the function each task runs.
///
/// The function gets the task's size (drawn around `--size` by `--dist`) and
/// a seed derived from `--seed` and the task's index, and returns a digest of
/// its result. The run's checksum folds the digests, so the function must be
/// deterministic in (size, seed) for the checksum to match across backends.
/// A panic in the function fails that task (counted, reported), not the run.
pub struct CustomKernel {
    name: String,
    unit: String,
    default_size: u64,
    max_size: u64,
    input_bytes: Option<Box<BytesFn>>,
    digest: Box<DigestFn>,
}

impl CustomKernel {
    /// A kernel named `name` (letters, digits, `-` and `_`) whose size counts
    /// `unit`, running `digest(size, seed)`. Default size 1000, at most
    /// [`CUSTOM_SIZE_MAX_DEFAULT`], no input bytes counted.
    pub fn new(
        name: impl Into<String>,
        unit: impl Into<String>,
        digest: impl Fn(u64, u64) -> u64 + Send + Sync + 'static,
    ) -> Self {
        CustomKernel {
            name: name.into(),
            unit: unit.into(),
            default_size: 1_000,
            max_size: CUSTOM_SIZE_MAX_DEFAULT,
            input_bytes: None,
            digest: Box::new(digest),
        }
    }

    /// The size when `--size` is not given; aim for about a millisecond of work.
    pub fn default_size(mut self, size: u64) -> Self {
        self.default_size = size;
        self
    }

    /// The largest `--size` accepted (flags, the dashboard's form, scenarios).
    pub fn max_size(mut self, size: u64) -> Self {
        self.max_size = size;
        self
    }

    /// Input bytes one task of `size` processes, for the bytes/s throughput.
    pub fn input_bytes(mut self, bytes: impl Fn(u64) -> u64 + Send + Sync + 'static) -> Self {
        self.input_bytes = Some(Box::new(bytes));
        self
    }

    /// Why this definition cannot be registered, if it cannot.
    fn check(&self) -> Result<(), RegisterError> {
        let name = &self.name;
        let invalid = |reason: String| RegisterError::Invalid {
            name: name.clone(),
            reason,
        };
        if name.is_empty() || name.chars().count() > CUSTOM_NAME_MAX_CHARS {
            return Err(invalid(format!(
                "a name has 1 to {CUSTOM_NAME_MAX_CHARS} characters"
            )));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || name.starts_with('-')
        {
            return Err(invalid(
                "a name has ASCII letters, digits, '-' and '_' only, and does not start with '-'"
                    .into(),
            ));
        }
        if self.unit.trim().is_empty() || self.unit.contains(['\n', '\r']) {
            return Err(invalid("the unit is one non-empty line".into()));
        }
        if self.max_size == 0 {
            return Err(invalid("the maximum size is at least 1".into()));
        }
        if self.default_size == 0 || self.default_size > self.max_size {
            return Err(invalid(format!(
                "the default size {} is not between 1 and the maximum {}",
                self.default_size, self.max_size
            )));
        }
        Ok(())
    }
}

impl fmt::Debug for CustomKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomKernel")
            .field("name", &self.name)
            .field("unit", &self.unit)
            .field("default_size", &self.default_size)
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

/// Why a kernel was not registered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("kernel {name:?}: the name is taken by {by}")]
    NameTaken { name: String, by: &'static str },
    #[error("kernel {name:?}: {reason}")]
    Invalid { name: String, reason: String },
    #[error(
        "kernel {name:?}: registered after the command line started; register every kernel before calling loadlab::app::main"
    )]
    TooLate { name: String },
    #[error("kernel {name:?}: more than {CUSTOM_KERNELS_MAX} kernels registered")]
    TooMany { name: String },
}

/// A registered kernel: a small copyable handle to a definition that lives as
/// long as the process. Two handles are equal when their names are.
#[derive(Clone, Copy)]
pub struct RegisteredKernel(&'static CustomKernel);

impl RegisteredKernel {
    pub fn name(self) -> &'static str {
        &self.0.name
    }

    pub fn size_unit(self) -> &'static str {
        &self.0.unit
    }

    pub fn default_size(self) -> u64 {
        self.0.default_size
    }

    pub fn max_size(self) -> u64 {
        self.0.max_size
    }

    /// Runs the function; the caller catches a panic (see the task job).
    pub fn digest(self, size: u64, seed: u64) -> u64 {
        (self.0.digest)(size, seed)
    }

    /// Input bytes of a task of `size` (0 when the kernel counts none).
    pub fn input_bytes(self, size: u64) -> u64 {
        self.0.input_bytes.as_ref().map_or(0, |bytes| bytes(size))
    }
}

impl PartialEq for RegisteredKernel {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for RegisteredKernel {}

impl Hash for RegisteredKernel {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for RegisteredKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RegisteredKernel")
            .field(&self.0.name)
            .finish()
    }
}

static REGISTERED: Mutex<Vec<RegisteredKernel>> = Mutex::new(Vec::new());
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Registers `kernel` so `--workload`, `loadlab list`, the dashboard, scenario
/// files and the engine accept its name. Returns the [`Kernel`] to put in a
/// [`crate::spec::WorkloadSpec`] when driving the engine directly.
///
/// Fails when the name is malformed or taken (by a built-in or an earlier
/// registration), when the sizes are inconsistent, or once the command line
/// has started.
pub fn register_kernel(kernel: CustomKernel) -> Result<Kernel, RegisterError> {
    kernel.check()?;
    let name = kernel.name.clone();
    if Kernel::BUILT_IN.iter().any(|k| k.name() == name) {
        return Err(RegisterError::NameTaken {
            name,
            by: "a built-in kernel",
        });
    }
    let mut registered = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
    // Checked under the lock: the command line closes registration under it too.
    if CLOSED.load(Ordering::Acquire) {
        return Err(RegisterError::TooLate { name });
    }
    if registered.iter().any(|k| k.name() == name) {
        return Err(RegisterError::NameTaken {
            name,
            by: "an earlier registration",
        });
    }
    if registered.len() >= CUSTOM_KERNELS_MAX {
        return Err(RegisterError::TooMany { name });
    }
    // Lives for the rest of the process: tasks hold a plain reference to it.
    let handle = RegisteredKernel(Box::leak(Box::new(kernel)));
    registered.push(handle);
    Ok(Kernel::Custom(handle))
}

/// Every registered kernel, in registration order.
pub fn registered_kernels() -> Vec<RegisteredKernel> {
    REGISTERED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Ends registration: the command line calls this before it reads its flags,
/// so what it lists is what it accepts.
pub fn close_registration() {
    let _registered = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
    CLOSED.store(true, Ordering::Release);
}
