//! The order cells are measured in: round 1 of every cell, then round 2, and
//! so on, so a slow drift of the machine (a build starting, thermal limits)
//! touches every cell alike instead of ruining the last ones.

/// `(round, cell)` pairs, both from 0, in the order to measure them.
pub fn interleaved(cells: usize, rounds: usize) -> Vec<(usize, usize)> {
    (0..rounds)
        .flat_map(|round| (0..cells).map(move |cell| (round, cell)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_gets_round_one_before_any_gets_round_two() {
        assert_eq!(
            interleaved(3, 2),
            [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
        );
        assert!(interleaved(0, 3).is_empty());
        assert!(interleaved(3, 0).is_empty());
    }
}
