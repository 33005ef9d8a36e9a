//! `loadlab list`: kernels with the unit of their size, backends, distributions.

use crate::spec::{BackendKind, Dist, Kernel};

/// The text `loadlab list` prints.
pub(super) fn list() -> String {
    let mut out = String::from("kernels (--workload; --size unit):\n");
    for kernel in Kernel::all() {
        let forms = match (kernel.is_synthetic(), kernel.is_file_kernel()) {
            _ if matches!(kernel, Kernel::Custom(_)) => "registered by this program",
            (true, true) => "synthetic, or per file with --path",
            (true, false) => "synthetic",
            _ => "per file, --path only",
        };
        let default = match kernel.default_size() {
            0 => "-".to_string(),
            size => size.to_string(),
        };
        out.push_str(&format!(
            "  {:<12} {:<44} default {default:<9} [{forms}]\n",
            kernel.name(),
            kernel.size_unit(),
        ));
    }
    out.push_str("\nbackends (--backend):\n");
    for backend in BackendKind::ALL {
        let what = match backend {
            BackendKind::Inline => {
                "on the app runtime's tokio workers (blocks them: the anti-pattern)"
            }
            BackendKind::SpawnBlocking => {
                "tokio's blocking pool, concurrency capped by a semaphore"
            }
            BackendKind::Rayon => "a dedicated rayon ThreadPool (threads rayon-N)",
            BackendKind::Channel => "a bounded crossbeam queue feeding OS threads pool-N",
        };
        out.push_str(&format!("  {:<15} {what}\n", backend.name()));
    }
    out.push_str("\ndistributions (--dist; mean = --size):\n");
    for dist in Dist::ALL {
        let what = match dist {
            Dist::Fixed => "every task exactly --size",
            Dist::Uniform => "uniform between 1 and 2 x size",
            Dist::Exp => "exponential",
            Dist::Pareto => "Pareto, shape 1.5, capped at 100 x size: a few huge tasks",
        };
        out.push_str(&format!("  {:<8} {what}\n", dist.name()));
    }
    out
}
