//! A named thread that spins until stopped: CPU time the thread reader must see.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

pub struct Spinner {
    spinning: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Spinner {
    pub fn start(name: &str) -> Spinner {
        let spinning = Arc::new(AtomicBool::new(true));
        let thread = {
            let spinning = spinning.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let mut x = 0u64;
                    while spinning.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                })
                .expect("spawn the spinner")
        };
        Spinner { spinning, thread }
    }

    pub fn stop(self) {
        self.spinning.store(false, Ordering::Relaxed);
        self.thread.join().expect("the spinner ends");
    }
}
