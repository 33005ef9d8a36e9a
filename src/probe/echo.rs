//! A real I/O probe: a TCP echo server and a client on 127.0.0.1 (ephemeral
//! port), both tasks on the app runtime. One connection, a fixed ping rate; the
//! round trips go into a histogram. A starved runtime answers late.
//!
//! The client runs in the heartbeat's task and pings on a heartbeat tick: one
//! timer wake-up serves both probes, where a ping of its own cost the app
//! runtime a wake-up from idle (tens of microseconds in a VM). It must not be a
//! task of its own due with a tick: two tasks ready at one instant wake a
//! second app worker, and in runs where the two timers lined up the
//! heartbeat's p99 read up to twice as high (3 to 5.7 ms in a third of the
//! runs, against at most 2.65 ms without the echo).

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, MissedTickBehavior};

use super::heartbeat::record_with_missed_ticks;
use super::pace;
use crate::metrics::probe_stats::ProbeStats;

const PING: [u8; 32] = *b"loadlab echo probe ping payload.";

/// The ping period: the nearest whole number of heartbeat periods to
/// `1 / pings_per_s`, so pings keep their place between ticks.
pub fn ping_period(pings_per_s: u32, heartbeat_period: Duration) -> Duration {
    let wanted = Duration::from_secs_f64(1.0 / f64::from(pings_per_s.max(1)));
    let beats = (wanted.as_secs_f64() / heartbeat_period.as_secs_f64().max(1e-6))
        .round()
        .clamp(1.0, 1e6) as u32;
    heartbeat_period * beats
}

/// Binds the server, connects the client and pings until the runtime shuts
/// down, on the heartbeat's grid from `heartbeat_origin` (its first tick).
/// Meant to be joined with the heartbeat in one task, polled after it, so
/// that the tick's lag is read before the ping is written.
pub async fn run(
    stats: Arc<ProbeStats>,
    pings_per_s: u32,
    heartbeat_origin: Instant,
    heartbeat_period: Duration,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        // Exactly one connection: the probe's own client.
        if let Ok((stream, _)) = listener.accept().await {
            let _ = serve(stream).await;
        }
    });
    let mut client = TcpStream::connect(address).await?;
    client.set_nodelay(true)?;
    let active_period = ping_period(pings_per_s, heartbeat_period);
    // Pings fall on heartbeat ticks, at either pace.
    let grid_origin = heartbeat_origin;
    let mut idle = stats.idle_changes();
    let mut watching_idle = true;
    let mut reply = [0u8; PING.len()];
    loop {
        let period = pace::period(
            active_period,
            pace::IDLE_ECHO_PERIOD,
            *idle.borrow_and_update(),
        );
        // Set up late (a busy start) or after a change of pace: keep the
        // phase, skip the pings already due.
        let first = pace::next_on_grid(grid_origin, period, Instant::now());
        let mut ticks = tokio::time::interval_at(first, period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                biased;
                _ = ticks.tick() => {}
                changed = idle.changed(), if watching_idle => {
                    watching_idle = changed.is_ok();
                    break;
                }
            }
            let sent = Instant::now();
            client.write_all(&PING).await?;
            client.read_exact(&mut reply).await?;
            // Pings that fell due while this one waited count as waiting too.
            record_with_missed_ticks(stats.echo(), sent.elapsed(), period);
        }
    }
}

async fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = [0u8; 1024];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n]).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_are_a_whole_number_of_heartbeats_apart() {
        let beat = Duration::from_millis(10);
        assert_eq!(ping_period(50, beat), Duration::from_millis(20));
        assert_eq!(ping_period(100, beat), Duration::from_millis(10));
        assert_eq!(ping_period(30, beat), Duration::from_millis(30));
        // Faster than the heartbeat: one ping per tick, never two.
        assert_eq!(ping_period(1_000, beat), beat);
        assert_eq!(ping_period(0, beat), Duration::from_secs(1));
    }
}
