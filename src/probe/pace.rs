//! The probes' pace: their configured period while work may run, a slower one
//! while nothing does (arrivals paused or stopped, no task in flight). The
//! heartbeat is the instrument of a runtime that has work beside it; with none,
//! a hundred wake-ups a second only cost the machine it measures.

use std::time::Duration;

use tokio::time::Instant;

/// The heartbeat's period while idle (at least its configured period).
pub const IDLE_HEARTBEAT_PERIOD: Duration = Duration::from_millis(100);
/// The echo probe's ping period while idle (at least its configured period).
pub const IDLE_ECHO_PERIOD: Duration = Duration::from_secs(1);

/// `period` while active; while idle, the smallest whole multiple of it that
/// is at least `idle_period`, so idle ticks fall on the active grid and the
/// echo keeps its place on heartbeat ticks.
pub fn period(period: Duration, idle_period: Duration, idle: bool) -> Duration {
    if !idle || period >= idle_period {
        return period;
    }
    let period_ns = period.as_nanos().max(1);
    let times = idle_period.as_nanos().div_ceil(period_ns);
    period * u32::try_from(times).unwrap_or(u32::MAX)
}

/// The first instant `origin + k * period` (k >= 0) not before `now`.
pub fn next_on_grid(origin: Instant, period: Duration, now: Instant) -> Instant {
    let since = now.saturating_duration_since(origin).as_nanos();
    let period_ns = period.as_nanos().max(1);
    let steps = since.div_ceil(period_ns);
    let offset = steps.saturating_mul(period_ns);
    origin + Duration::from_nanos(u64::try_from(offset).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_periods_are_whole_multiples_of_the_active_one() {
        let ms = Duration::from_millis;
        assert_eq!(period(ms(10), IDLE_HEARTBEAT_PERIOD, false), ms(10));
        assert_eq!(period(ms(10), IDLE_HEARTBEAT_PERIOD, true), ms(100));
        assert_eq!(period(ms(30), IDLE_HEARTBEAT_PERIOD, true), ms(120));
        // A period already slower than the idle one stays as it is.
        assert_eq!(period(ms(250), IDLE_HEARTBEAT_PERIOD, true), ms(250));
        assert_eq!(period(ms(20), IDLE_ECHO_PERIOD, true), ms(1000));
    }

    #[test]
    fn the_next_tick_is_on_the_grid_and_not_in_the_past() {
        let origin = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(next_on_grid(origin, ms(10), origin), origin);
        assert_eq!(
            next_on_grid(origin, ms(10), origin + ms(1)),
            origin + ms(10)
        );
        assert_eq!(
            next_on_grid(origin, ms(100), origin + ms(100)),
            origin + ms(100)
        );
        assert_eq!(
            next_on_grid(origin, ms(100), origin + ms(101)),
            origin + ms(200)
        );
    }
}
