//! What the crate's unit tests share (compiled for tests only).

/// A small deterministic pseudo-random sequence (xorshift64), for tests that
/// try many generated inputs: the same inputs on every run.
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next number of the sequence.
    pub fn step(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number, below `n` (which must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.step() % n as u64) as usize
    }
}
