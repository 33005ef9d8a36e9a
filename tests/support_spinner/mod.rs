//! A named thread that spins until stopped: CPU time the thread reader must see.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

pub struct Spinner {
    spinning: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Spinner {
    /// Returns once the thread runs, so it carries its name in /proc.
    pub fn start(name: &str) -> Spinner {
        let spinning = Arc::new(AtomicBool::new(true));
        let (running, started) = std::sync::mpsc::channel::<()>();
        let thread = {
            let spinning = spinning.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    running.send(()).ok();
                    let mut x = 0u64;
                    while spinning.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                })
                .expect("spawn the spinner")
        };
        started.recv().expect("the spinner runs");
        Spinner { spinning, thread }
    }

    pub fn stop(self) {
        self.spinning.store(false, Ordering::Relaxed);
        self.thread.join().expect("the spinner ends");
    }
}
