//! Item names → dense `u32` codes, in parallel, with a deterministic code order.
//!
//! Codes are assigned in order of first appearance over the pieces as given (piece 0 row 0,
//! row 1, …, then piece 1, …). Rows are split into fixed-size blocks that are factorized in
//! parallel with block-local dictionaries, merged in block order, and remapped; the result does
//! not depend on the number of threads.

use std::collections::HashMap;
use std::hash::Hash;

use rayon::prelude::*;

/// Fewest rows per block of the parallel factorization.
const BLOCK: usize = 1 << 16;
/// Blocks per piece at most: each block's distinct keys are merged sequentially, so with many
/// distinct names (10M rows of 100k names) small blocks would merge each name once per block.
const MAX_BLOCKS: usize = 16;

type Map<K> = HashMap<K, u32, foldhash::fast::RandomState>;

/// A column of item names that can be read by row.
pub trait Column: Sync {
    /// A hashable name for one row; equal names must give equal keys.
    type Key<'a>: Hash + Eq + Copy + Send + Sync
    where
        Self: 'a;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn key(&self, row: usize) -> Self::Key<'_>;
}

impl Column for [i64] {
    type Key<'a> = i64;
    fn len(&self) -> usize {
        <[i64]>::len(self)
    }
    #[inline]
    fn key(&self, row: usize) -> i64 {
        self[row]
    }
}

/// A byte-string key: strings of at most 12 bytes are packed into one integer (fast to hash
/// and compare), longer ones are borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StrKey<'a> {
    Short(u128),
    Long(&'a [u8]),
}

impl<'a> StrKey<'a> {
    /// The key of a byte string.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        if bytes.len() <= 12 {
            let mut buf = [0u8; 16];
            buf[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            buf[4..4 + bytes.len()].copy_from_slice(bytes);
            StrKey::Short(u128::from_le_bytes(buf))
        } else {
            StrKey::Long(bytes)
        }
    }

    /// The key of an Arrow string-view entry (16 bytes: length, then inline data or a pointer),
    /// with `long` giving the bytes of a long string. Padding bytes of short views are masked,
    /// so equal strings always give equal keys.
    #[inline]
    pub fn from_view(view: u128, long: impl FnOnce(u128) -> &'a [u8]) -> Self {
        let len = (view as u32) as usize;
        if len <= 12 {
            let keep_bits = 32 + 8 * len as u32;
            let mask = if keep_bits >= 128 { u128::MAX } else { (1u128 << keep_bits) - 1 };
            StrKey::Short(view & mask)
        } else {
            StrKey::Long(long(view))
        }
    }

    /// The bytes this key stands for.
    pub fn to_bytes(&self) -> Vec<u8> {
        match *self {
            StrKey::Short(v) => {
                let buf = v.to_le_bytes();
                let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                buf[4..4 + len].to_vec()
            }
            StrKey::Long(b) => b.to_vec(),
        }
    }
}

/// Factorizes the pieces jointly into `outs` (one output slice per piece, same lengths).
/// Returns the distinct keys in code order.
pub fn factorize_into<'c, C: Column + ?Sized>(pieces: &[&'c C], outs: &mut [&mut [u32]]) -> crate::Result<Vec<C::Key<'c>>> {
    if pieces.len() != outs.len() || pieces.iter().zip(outs.iter()).any(|(p, o)| p.len() != o.len()) {
        return Err(crate::Error::InvalidArgument("factorize: output lengths differ from input".into()));
    }
    // Phase 1: block-local dictionaries, local codes written to the output.
    let mut tasks: Vec<(&'c C, usize, &mut [u32])> = Vec::new();
    for (piece, out) in pieces.iter().zip(outs.iter_mut()) {
        // The split depends on the data size only (never on the thread count).
        let block = out.len().div_ceil(MAX_BLOCKS).max(BLOCK);
        for (b, chunk) in out.chunks_mut(block).enumerate() {
            tasks.push((*piece, b * block, chunk));
        }
    }
    let locals: Vec<Vec<C::Key<'c>>> = tasks
        .par_iter_mut()
        .map(|(piece, start, out)| {
            let mut map: Map<C::Key<'c>> = Map::default();
            let mut keys = Vec::new();
            for (k, slot) in out.iter_mut().enumerate() {
                let key = piece.key(*start + k);
                let next = keys.len() as u32;
                let code = *map.entry(key).or_insert_with(|| {
                    keys.push(key);
                    next
                });
                *slot = code;
            }
            keys
        })
        .collect();
    // Phase 2: merge in block order → the global dictionary and a remap per block.
    let mut global: Map<C::Key<'c>> = Map::default();
    let mut uniques: Vec<C::Key<'c>> = Vec::new();
    let remaps: Vec<Vec<u32>> = locals
        .iter()
        .map(|keys| {
            keys.iter()
                .map(|&key| {
                    let next = uniques.len() as u32;
                    *global.entry(key).or_insert_with(|| {
                        uniques.push(key);
                        next
                    })
                })
                .collect()
        })
        .collect();
    if uniques.len() > u32::MAX as usize {
        return Err(crate::Error::InvalidArgument("more than 2^32 - 1 distinct items".into()));
    }
    // Phase 3: remap local codes to global codes.
    tasks.par_iter_mut().zip(remaps.par_iter()).for_each(|((_, _, out), remap)| {
        for slot in out.iter_mut() {
            *slot = remap[*slot as usize];
        }
    });
    Ok(uniques)
}

/// Integer names: [`factorize_into`], with the same codes, but through a direct table instead
/// of hashing when the values span a small range (at most twice the rows, plus 2^16): each
/// block lists the values it sees first (a bitmap of the range), the lists are merged in block
/// order, and every row is looked up in the resulting value → code table.
pub fn factorize_ints(pieces: &[&[i64]], outs: &mut [&mut [u32]]) -> crate::Result<Vec<i64>> {
    if pieces.len() != outs.len() || pieces.iter().zip(outs.iter()).any(|(p, o)| p.len() != o.len()) {
        return Err(crate::Error::InvalidArgument("factorize: output lengths differ from input".into()));
    }
    let rows: usize = pieces.iter().map(|p| p.len()).sum();
    let (lo, hi) = pieces
        .par_iter()
        .flat_map(|p| p.par_iter().with_min_len(BLOCK))
        .fold(|| (i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let limit = (2 * rows + (1 << 16)).min(1 << 30) as i128;
    if rows == 0 || hi as i128 - lo as i128 >= limit {
        return factorize_into(pieces, outs);
    }
    let width = (hi - lo) as usize + 1;
    let mut tasks: Vec<(&[i64], &mut [u32])> = Vec::new();
    for (piece, out) in pieces.iter().zip(outs.iter_mut()) {
        let block = out.len().div_ceil(MAX_BLOCKS).max(BLOCK);
        for (values, chunk) in piece.chunks(block).zip(out.chunks_mut(block)) {
            tasks.push((values, chunk));
        }
    }
    let firsts: Vec<Vec<i64>> = tasks
        .par_iter()
        .map(|(values, _)| {
            let mut seen = vec![0u64; width.div_ceil(64)];
            let mut first = Vec::new();
            for &v in values.iter() {
                let k = (v - lo) as usize;
                if seen[k / 64] & (1 << (k % 64)) == 0 {
                    seen[k / 64] |= 1 << (k % 64);
                    first.push(v);
                }
            }
            first
        })
        .collect();
    let mut code = vec![u32::MAX; width];
    let mut uniques = Vec::new();
    for v in firsts.into_iter().flatten() {
        let c = &mut code[(v - lo) as usize];
        if *c == u32::MAX {
            *c = uniques.len() as u32;
            uniques.push(v);
        }
    }
    tasks.par_iter_mut().for_each(|(values, out)| {
        for (slot, &v) in out.iter_mut().zip(values.iter()) {
            *slot = code[(v - lo) as usize];
        }
    });
    Ok(uniques)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Strs(Vec<String>);
    impl Column for Strs {
        type Key<'a> = StrKey<'a>;
        fn len(&self) -> usize {
            self.0.len()
        }
        fn key(&self, row: usize) -> StrKey<'_> {
            StrKey::new(self.0[row].as_bytes())
        }
    }

    #[test]
    fn first_appearance_order_across_pieces() {
        let a = Strs(vec!["b".into(), "a very long name indeed".into(), "b".into()]);
        let b = Strs(vec!["c".into(), "b".into(), "a very long name indeed".into()]);
        let mut ca = vec![0; 3];
        let mut cb = vec![0; 3];
        let keys = factorize_into(&[&a, &b], &mut [&mut ca, &mut cb]).unwrap();
        assert_eq!(ca, vec![0, 1, 0]);
        assert_eq!(cb, vec![2, 0, 1]);
        let labels: Vec<Vec<u8>> = keys.iter().map(|k| k.to_bytes()).collect();
        assert_eq!(labels, vec![b"b".to_vec(), b"a very long name indeed".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn many_blocks_match_sequential_hashing() {
        let n = 3 * BLOCK + 17;
        let xs: Vec<i64> = (0..n).map(|i| ((i * 7919) % 1013) as i64 - 500).collect();
        let mut out = vec![0u32; n];
        let keys = factorize_into(&[xs.as_slice()], &mut [&mut out]).unwrap();
        let mut seen = std::collections::HashMap::new();
        for (i, &x) in xs.iter().enumerate() {
            let next = seen.len() as u32;
            let c = *seen.entry(x).or_insert(next);
            assert_eq!(out[i], c);
            assert_eq!(keys[c as usize], x);
        }
    }

    /// The direct-table path gives the codes of hashing, across pieces and blocks, and wide
    /// ranges fall back to hashing.
    #[test]
    fn dense_integers_match_hashing() {
        let n = 3 * BLOCK + 17;
        for spread in [1013i64, 1 << 40] {
            let a: Vec<i64> = (0..n).map(|i| ((i as i64 * 7919) % 1013) * (spread / 1013) - 500).collect();
            let b: Vec<i64> = (0..n / 2).map(|i| ((i as i64 * 104729) % 2000) * (spread / 1013) - 700).collect();
            let (mut ha, mut hb, mut da, mut db) = (vec![0u32; a.len()], vec![0u32; b.len()], vec![0u32; a.len()], vec![0u32; b.len()]);
            let hashed = factorize_into(&[a.as_slice(), b.as_slice()], &mut [&mut ha, &mut hb]).unwrap();
            let direct = factorize_ints(&[a.as_slice(), b.as_slice()], &mut [&mut da, &mut db]).unwrap();
            assert_eq!(hashed, direct);
            assert_eq!((ha, hb), (da, db));
        }
    }

    #[test]
    fn view_keys_ignore_padding() {
        let mut buf = [0u8; 16];
        buf[..4].copy_from_slice(&3u32.to_le_bytes());
        buf[4..7].copy_from_slice(b"abc");
        let clean = u128::from_le_bytes(buf);
        buf[10] = 0xff; // garbage in the padding
        let dirty = u128::from_le_bytes(buf);
        let k1 = StrKey::from_view(clean, |_| unreachable!());
        let k2 = StrKey::from_view(dirty, |_| unreachable!());
        assert_eq!(k1, k2);
        assert_eq!(k1, StrKey::new(b"abc"));
    }
}
