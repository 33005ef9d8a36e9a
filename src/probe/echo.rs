//! A real I/O probe: a TCP echo server and a client on 127.0.0.1 (ephemeral
//! port), both tasks on the app runtime. One connection, a fixed ping rate; the
//! round trips go into a histogram. A starved runtime answers late.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, MissedTickBehavior};

use super::heartbeat::record_with_missed_ticks;
use crate::metrics::probe_stats::ProbeStats;

const PING: [u8; 32] = *b"loadlab echo probe ping payload.";

/// Binds the server, connects the client and pings until the runtime shuts down.
pub async fn run(stats: Arc<ProbeStats>, pings_per_s: u32) -> std::io::Result<()> {
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
    let period = Duration::from_secs_f64(1.0 / f64::from(pings_per_s.max(1)));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut reply = [0u8; PING.len()];
    loop {
        ticks.tick().await;
        let sent = Instant::now();
        client.write_all(&PING).await?;
        client.read_exact(&mut reply).await?;
        // Pings that fell due while this one waited count as waiting too.
        record_with_missed_ticks(stats.echo(), sent.elapsed(), period);
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
