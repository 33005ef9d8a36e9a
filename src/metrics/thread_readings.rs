//! One sample's per-thread readings, by tid: a sorted vector, not a hash
//! map. The sampler builds one per sample and looks every thread up in two
//! earlier ones; with hundreds of threads ten times a second, hashing was a
//! visible share of its cost, and listings already come in tid order.

/// Readings of type `R` by thread id.
#[derive(Clone, Debug)]
pub struct ThreadReadings<R> {
    by_tid: Vec<(i32, R)>,
    sorted: bool,
}

impl<R> Default for ThreadReadings<R> {
    fn default() -> Self {
        ThreadReadings {
            by_tid: Vec::new(),
            sorted: true,
        }
    }
}

impl<R> ThreadReadings<R> {
    pub fn with_capacity(threads: usize) -> ThreadReadings<R> {
        ThreadReadings {
            by_tid: Vec::with_capacity(threads),
            sorted: true,
        }
    }

    /// Empties it for another sample's readings, keeping its room.
    pub fn clear(&mut self) {
        self.by_tid.clear();
        self.sorted = true;
    }

    /// Adds thread `tid`'s reading; `seal` must follow the last one.
    pub fn push(&mut self, tid: i32, reading: R) {
        if self.by_tid.last().is_some_and(|(last, _)| *last >= tid) {
            self.sorted = false;
        }
        self.by_tid.push((tid, reading));
    }

    /// Puts the readings in tid order (a no-op when they came in it).
    pub fn seal(&mut self) {
        if !self.sorted {
            self.by_tid.sort_unstable_by_key(|(tid, _)| *tid);
            self.sorted = true;
        }
    }

    pub fn get(&self, tid: i32) -> Option<&R> {
        debug_assert!(self.sorted, "looked up before seal");
        self.by_tid
            .binary_search_by_key(&tid, |(tid, _)| *tid)
            .ok()
            .map(|at| &self.by_tid[at].1)
    }

    pub fn contains(&self, tid: i32) -> bool {
        self.get(tid).is_some()
    }

    pub fn tids(&self) -> impl Iterator<Item = i32> + '_ {
        self.by_tid.iter().map(|(tid, _)| *tid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_reading_whatever_order_they_came_in() {
        let mut readings = ThreadReadings::with_capacity(4);
        for tid in [40, 7, 19, 3] {
            readings.push(tid, tid * 10);
        }
        readings.seal();
        for tid in [40, 7, 19, 3] {
            assert_eq!(readings.get(tid), Some(&(tid * 10)));
        }
        assert!(!readings.contains(8));
        assert_eq!(readings.tids().collect::<Vec<_>>(), [3, 7, 19, 40]);
    }
}
