//! The process's one fast clock (TSC where the CPU has a stable one, the OS
//! monotonic clock otherwise): tasks time themselves with it and `spin` waits
//! on it. Calibrating a quanta clock takes milliseconds, so it is done once;
//! the engine does it before the first task.

use std::sync::OnceLock;

static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();

/// The clock, calibrated on first use.
pub fn clock() -> &'static quanta::Clock {
    CLOCK.get_or_init(quanta::Clock::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_readings_scale_to_the_wall_clock() {
        let clock = clock();
        let start = clock.raw();
        let wall = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let measured = clock.delta_as_nanos(start, clock.raw());
        let wall_ns = wall.elapsed().as_nanos() as u64;
        assert!(measured >= 20_000_000, "{measured} ns");
        assert!(
            measured.abs_diff(wall_ns) < 5_000_000,
            "{measured} vs {wall_ns} ns"
        );
    }
}
