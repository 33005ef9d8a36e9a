//! (temporary until the files branch lands)
use super::TaskOutput;
use crate::spec::Kernel;
pub fn run_synthetic(
    kernel: Kernel,
    size: u64,
    _seed: u64,
    _index: u64,
) -> Result<TaskOutput, String> {
    match kernel {
        Kernel::Spin => {
            let start = std::time::Instant::now();
            while start.elapsed().as_micros() < u128::from(size) {
                std::hint::black_box(0);
            }
            Ok(TaskOutput {
                digest: size,
                bytes_in: 0,
            })
        }
        _ => {
            let mut acc = 0u64;
            for i in 0..size {
                let i = std::hint::black_box(i);
                acc = acc.wrapping_add(i.wrapping_mul(i));
            }
            Ok(TaskOutput {
                digest: acc,
                bytes_in: 0,
            })
        }
    }
}
