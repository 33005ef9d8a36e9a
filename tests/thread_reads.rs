//! Past its read budget the thread reader reads a rotating slice of the
//! process's threads per listing: every thread is read again within
//! `read_every` listings, the rest keep their last reading and its instant,
//! and `read_all` reads every one. One test in its own binary, so no other
//! test's threads come and go while it counts.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use loadlab::metrics::os_threads::{OsThread, ThreadReader};

const PARKED: usize = 40;
const BUDGET: usize = 8;

fn tids(listing: &[OsThread]) -> HashSet<i32> {
    listing.iter().map(|t| t.tid).collect()
}

#[test]
fn past_its_budget_each_listing_reads_a_rotating_slice_and_read_all_reads_every_thread() {
    let mut releases = Vec::new();
    let parked: Vec<_> = (0..PARKED)
        .map(|i| {
            let (release, wait) = mpsc::channel::<()>();
            releases.push(release);
            std::thread::Builder::new()
                .name(format!("parked-{i}"))
                .spawn(move || wait.recv().ok())
                .unwrap()
        })
        .collect();
    let spinning = Arc::new(AtomicBool::new(true));
    let spinner = {
        let spinning = spinning.clone();
        std::thread::Builder::new()
            .name("spinner-t".into())
            .spawn(move || {
                let mut x = 0u64;
                while spinning.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
            .unwrap()
    };

    let mut reader = ThreadReader::new().with_read_budget(BUDGET);
    let first = reader.read_all().to_vec();
    let listed = tids(&first);
    assert!(first.len() > PARKED, "{} threads listed", first.len());
    assert!(first.iter().all(|t| t.read_at == first[0].read_at));
    let every = reader.read_every();
    assert_eq!(every, first.len().div_ceil(BUDGET));
    let spinner_tid = first
        .iter()
        .find(|t| &*t.name == "spinner-t")
        .map(|t| t.tid)
        .expect("the spinner is listed");
    let reading_of = |listing: &[OsThread], tid: i32| {
        listing
            .iter()
            .find(|t| t.tid == tid)
            .map(|t| (t.cpu_ns, t.read_at))
            .expect("listed")
    };
    let mut spinner_last = reading_of(&first, spinner_tid);

    let mut read_again = HashSet::new();
    for listing_no in 0..every {
        std::thread::sleep(Duration::from_millis(5));
        let listing = reader.read().to_vec();
        assert_eq!(tids(&listing), listed, "no thread came or went");
        let newest = listing.iter().map(|t| t.read_at).max().expect("threads");
        let fresh: Vec<i32> = listing
            .iter()
            .filter(|t| t.read_at == newest)
            .map(|t| t.tid)
            .collect();
        assert!(
            !fresh.is_empty() && fresh.len() <= BUDGET,
            "listing {listing_no} read {} threads",
            fresh.len()
        );
        read_again.extend(fresh);
        let spinner_now = reading_of(&listing, spinner_tid);
        if spinner_now.1 == newest {
            assert!(spinner_now.0 >= spinner_last.0);
        } else {
            // Outside the slice: the last reading, with its own instant.
            assert_eq!(spinner_now, spinner_last);
        }
        spinner_last = spinner_now;
    }
    assert_eq!(
        read_again, listed,
        "every thread read within {every} listings"
    );

    std::thread::sleep(Duration::from_millis(5));
    let last = reader.read_all().to_vec();
    assert_eq!(tids(&last), listed);
    assert!(
        last.iter()
            .all(|t| t.read_at == last[0].read_at && t.read_at > spinner_last.1)
    );

    spinning.store(false, Ordering::Relaxed);
    spinner.join().unwrap();
    drop(releases);
    for thread in parked {
        thread.join().unwrap();
    }
}
