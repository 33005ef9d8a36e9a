//! Terminal input on a thread of its own: a blocking crossterm `read` loop
//! feeding the ui loop through a bounded channel. crossterm's EventStream,
//! polled from the ui loop at every wake-up (each Snapshot, each frame),
//! spun on its reader's lock (sched_yield) while its helper thread held it
//! in a blocking poll: about a tenth of the ui thread's profile samples.

use crossterm::event::Event;
use tokio::sync::mpsc;

/// Events read ahead of the ui loop; beyond this the reader waits, so held
/// keys and unbracketed pastes cannot grow memory.
const READ_AHEAD: usize = 256;

/// Starts the "ui-input" thread. The channel ends after a read error (sent
/// first) or when the receiver is dropped and the next event arrives.
pub fn spawn_reader() -> std::io::Result<mpsc::Receiver<std::io::Result<Event>>> {
    let (events, receiver) = mpsc::channel(READ_AHEAD);
    std::thread::Builder::new()
        .name("ui-input".into())
        .spawn(move || {
            loop {
                let event = crossterm::event::read();
                let failed = event.is_err();
                if events.blocking_send(event).is_err() || failed {
                    return;
                }
            }
        })?;
    Ok(receiver)
}
