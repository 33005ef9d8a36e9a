//! A TCP listener that holds at most `HTTP_MAX_CONNECTIONS` connections open:
//! past that, accepting waits until one closes (new ones wait in the kernel's
//! accept queue), so a flood of clients cannot grow memory without bound.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// After an accept error that is not the client's (out of file descriptors),
/// wait this long before trying again instead of spinning.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);
/// Such failures go to the log at most this often.
const ACCEPT_FAILURE_SAID_EVERY: Duration = Duration::from_secs(60);

pub struct BoundedListener {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    /// Accepting fails for a reason not the client's (out of descriptors):
    /// when it was last said, and the failures since. Said once a minute at
    /// most, not every retry nor every time a closed connection lets one
    /// accept through between failures.
    last_warned: Option<Instant>,
    failures_unsaid: u64,
}

impl BoundedListener {
    pub fn new(listener: TcpListener, max_connections: usize) -> BoundedListener {
        BoundedListener {
            listener,
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
            last_warned: None,
            failures_unsaid: 0,
        }
    }
}

/// A connection holding its place until it closes.
pub struct BoundedStream {
    stream: TcpStream,
    _slot: Option<OwnedSemaphorePermit>,
}

impl BoundedListener {
    /// The next connection, once fewer than the maximum are open.
    pub async fn accept(&mut self) -> (BoundedStream, SocketAddr) {
        // The semaphore is never closed, so this waits for a place; the
        // `None` arm only keeps the accept loop alive if it ever were.
        let slot = self.slots.clone().acquire_owned().await.ok();
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => {
                    // Small answers go out at once, not after Nagle's delay.
                    let _ = stream.set_nodelay(true);
                    return (
                        BoundedStream {
                            stream,
                            _slot: slot,
                        },
                        peer,
                    );
                }
                Err(error) if is_connection_error(&error) => {}
                Err(error) => {
                    self.failures_unsaid += 1;
                    if self
                        .last_warned
                        .is_none_or(|said| said.elapsed() >= ACCEPT_FAILURE_SAID_EVERY)
                    {
                        tracing::warn!(
                            "HTTP service: accept failed {} time(s): {error}; retrying every {} ms \
                             (said at most once a minute)",
                            self.failures_unsaid,
                            ACCEPT_RETRY.as_millis()
                        );
                        self.last_warned = Some(Instant::now());
                        self.failures_unsaid = 0;
                    }
                    tokio::time::sleep(ACCEPT_RETRY).await;
                }
            }
        }
    }
}

/// Errors about one client's connection: the next accept may succeed at once.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

impl AsyncRead for BoundedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for BoundedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
