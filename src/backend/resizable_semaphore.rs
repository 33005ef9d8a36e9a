//! A tokio Semaphore whose permit count can shrink while permits are held:
//! permits that cannot be forgotten now become a debt paid as they come back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct ResizableSemaphore {
    semaphore: Arc<Semaphore>,
    /// The permit count currently asked for.
    target: AtomicUsize,
    /// Permits to forget when they are released.
    debt: Arc<AtomicUsize>,
    /// Serialises resizes (rare, never on the task path).
    resizing: Mutex<()>,
}

/// A held permit; returning it pays the debt first.
pub struct Permit {
    permit: Option<OwnedSemaphorePermit>,
    debt: Arc<AtomicUsize>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        let paid = self
            .debt
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |d| d.checked_sub(1))
            .is_ok();
        if paid {
            permit.forget();
        }
    }
}

impl ResizableSemaphore {
    pub fn new(permits: usize) -> ResizableSemaphore {
        let permits = permits.max(1);
        ResizableSemaphore {
            semaphore: Arc::new(Semaphore::new(permits)),
            target: AtomicUsize::new(permits),
            debt: Arc::new(AtomicUsize::new(0)),
            resizing: Mutex::new(()),
        }
    }

    pub fn permits(&self) -> usize {
        self.target.load(Ordering::Acquire)
    }

    /// Waits for a permit. The semaphore is never closed, so this always succeeds.
    pub fn acquire(&self) -> impl std::future::Future<Output = Permit> + Send + 'static {
        let semaphore = self.semaphore.clone();
        let debt = self.debt.clone();
        async move {
            let permit = semaphore.acquire_owned().await.ok();
            Permit { permit, debt }
        }
    }

    /// A permit if one is free now.
    pub fn try_acquire(&self) -> Option<Permit> {
        let permit = self.semaphore.clone().try_acquire_owned().ok()?;
        Some(Permit {
            permit: Some(permit),
            debt: self.debt.clone(),
        })
    }

    /// A shrink is waiting for held permits to come back.
    pub fn shrinking(&self) -> bool {
        self.debt.load(Ordering::Acquire) > 0
    }

    pub fn resize(&self, permits: usize) -> usize {
        let permits = permits.max(1);
        let _serialised = self.resizing.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.target.swap(permits, Ordering::AcqRel);
        if permits > old {
            let mut grow = permits - old;
            // Cancel outstanding debt before adding permits.
            let _ = self
                .debt
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |d| {
                    let cancel = d.min(grow);
                    Some(d - cancel)
                })
                .map(|d| grow -= d.min(grow));
            self.semaphore.add_permits(grow);
        } else if permits < old {
            let shrink = old - permits;
            let forgotten = self.semaphore.forget_permits(shrink);
            self.debt.fetch_add(shrink - forgotten, Ordering::AcqRel);
        }
        permits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shrinking_while_held_takes_effect_on_release() {
        let sem = ResizableSemaphore::new(4);
        let held: Vec<Permit> = futures::future::join_all((0..4).map(|_| sem.acquire())).await;
        sem.resize(1);
        drop(held);
        // Only one permit is left now.
        let first = sem.acquire().await;
        let second =
            tokio::time::timeout(std::time::Duration::from_millis(50), sem.acquire()).await;
        assert!(second.is_err(), "a second permit should not be available");
        drop(first);
        sem.resize(3);
        let three: Vec<Permit> = futures::future::join_all((0..3).map(|_| sem.acquire())).await;
        assert_eq!(three.len(), 3);
    }
}
