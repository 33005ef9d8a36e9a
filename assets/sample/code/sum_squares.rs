//! Sample code for the corpus: the sum of squares that loadlab's sumsq kernel computes.

/// Wrapping sum of i*i for i < n.
pub fn sum_squares(n: u64) -> u64 {
    (0..n).fold(0u64, |acc, i| acc.wrapping_add(i.wrapping_mul(i)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ten() {
        assert_eq!(super::sum_squares(10), 285);
    }
}
