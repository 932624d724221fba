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
    /// The row's key packed into one integer, when it has such a form (integers, strings of at
    /// most 12 bytes): the fast path of the factorization, an open-addressing table of integers.
    fn packed(&self, row: usize) -> Option<u128>;
    /// The key a packed value stands for (the inverse of [`Column::packed`]).
    fn unpack(&self, packed: u128) -> Self::Key<'_>;
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
    #[inline]
    fn packed(&self, row: usize) -> Option<u128> {
        Some(self[row] as u64 as u128)
    }
    fn unpack(&self, packed: u128) -> i64 {
        packed as u64 as i64
    }
}

/// Open addressing with linear probing from packed keys to codes: the factorization's fast
/// path (hashbrown with a general hasher spent ~25 ns a row on short strings here, this table
/// ~7). At most 1/8 full while it has at most 2^15 slots (an extra probe is a mispredicted
/// branch; 1/2 full it was ~1.5× slower on 1,000 names), at most 1/2 full beyond.
struct PackedMap {
    keys: Vec<u128>,
    codes: Vec<u32>,
    mask: usize,
    len: usize,
}

const EMPTY: u32 = u32::MAX;

impl PackedMap {
    fn new() -> Self {
        PackedMap { keys: vec![0; 64], codes: vec![EMPTY; 64], mask: 63, len: 0 }
    }

    /// Folded multiplications: the halves times each other (mixes every bit with every
    /// other; multiplying each half by a constant left names such as `model-00042` clustered),
    /// plus the low half alone, so that a high half equal to the constant cannot zero the hash.
    #[inline]
    fn hash(key: u128) -> usize {
        let fold = |x: u64, y: u64| {
            let p = x as u128 * y as u128;
            (p as u64) ^ ((p >> 64) as u64)
        };
        let (lo, hi) = (key as u64, (key >> 64) as u64);
        (fold(lo ^ 0x243f_6a88_85a3_08d3, hi ^ 0x9e37_79b9_7f4a_7c15) ^ fold(lo ^ 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0)) as usize
    }

    /// The code of `key`, numbering a new key `keys.len()` and appending it to `keys`.
    #[inline]
    fn code(&mut self, key: u128, keys: &mut Vec<u128>) -> u32 {
        let mut i = Self::hash(key) & self.mask;
        loop {
            let code = self.codes[i];
            if code == EMPTY {
                break;
            }
            if self.keys[i] == key {
                return code;
            }
            i = (i + 1) & self.mask;
        }
        let code = keys.len() as u32;
        self.keys[i] = key;
        self.codes[i] = code;
        keys.push(key);
        self.len += 1;
        let slots = self.mask + 1;
        if self.len * if slots <= 1 << 15 { 8 } else { 2 } > slots {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let slots = 2 * (self.mask + 1);
        let keys = std::mem::replace(&mut self.keys, vec![0; slots]);
        let codes = std::mem::replace(&mut self.codes, vec![EMPTY; slots]);
        self.mask = slots - 1;
        for (key, code) in keys.into_iter().zip(codes).filter(|&(_, c)| c != EMPTY) {
            let mut i = Self::hash(key) & self.mask;
            while self.codes[i] != EMPTY {
                i = (i + 1) & self.mask;
            }
            self.keys[i] = key;
            self.codes[i] = code;
        }
    }
}

/// One block's distinct keys in order of first appearance, its local codes written to `out`:
/// through packed keys while every row has one, else (from the start) through the general map.
fn factorize_block<'c, C: Column + ?Sized>(piece: &'c C, start: usize, out: &mut [u32]) -> Vec<C::Key<'c>> {
    let mut packed_map = PackedMap::new();
    let mut packed_keys = Vec::new();
    let mut all_packed = true;
    for (k, slot) in out.iter_mut().enumerate() {
        match piece.packed(start + k) {
            Some(key) => *slot = packed_map.code(key, &mut packed_keys),
            None => {
                all_packed = false;
                break;
            }
        }
    }
    if all_packed {
        return packed_keys.into_iter().map(|p| piece.unpack(p)).collect();
    }
    let mut map: Map<C::Key<'c>> = Map::default();
    let mut keys = Vec::new();
    for (k, slot) in out.iter_mut().enumerate() {
        let key = piece.key(start + k);
        let next = keys.len() as u32;
        *slot = *map.entry(key).or_insert_with(|| {
            keys.push(key);
            next
        });
    }
    keys
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
        match Self::short_view(view) {
            Some(v) => StrKey::Short(v),
            None => StrKey::Long(long(view)),
        }
    }

    /// The packed key of a string view of at most 12 bytes: the view with its padding masked.
    #[inline]
    pub fn short_view(view: u128) -> Option<u128> {
        let len = (view as u32) as usize;
        if len > 12 {
            return None;
        }
        let keep_bits = 32 + 8 * len as u32;
        let mask = if keep_bits >= 128 { u128::MAX } else { (1u128 << keep_bits) - 1 };
        Some(view & mask)
    }

    /// The packed form of a short key.
    #[inline]
    pub fn packed(&self) -> Option<u128> {
        match *self {
            StrKey::Short(v) => Some(v),
            StrKey::Long(_) => None,
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
    let locals: Vec<Vec<C::Key<'c>>> = tasks.par_iter_mut().map(|(piece, start, out)| factorize_block(*piece, *start, out)).collect();
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
    // Phase 3: remap local codes to global codes (the first block's, and often others', are
    // already global).
    tasks.par_iter_mut().zip(remaps.par_iter()).for_each(|((_, _, out), remap)| {
        if remap.iter().enumerate().all(|(k, &c)| c as usize == k) {
            return;
        }
        for slot in out.iter_mut() {
            *slot = remap[*slot as usize];
        }
    });
    Ok(uniques)
}

/// The widest range (max − min) of `rows` integers that is coded through a direct table over
/// the range instead of hashing: twice the rows plus 2^16, at most 2^30 (the table costs about
/// what the rows do). One threshold for [`factorize_ints`] and `aggregate::dense_int_map`.
pub fn dense_range_limit(rows: usize) -> usize {
    rows.saturating_mul(2).saturating_add(1 << 16).min(1 << 30)
}

/// `(min, max − min + 1)` of the values of `pieces` when their range is below
/// [`dense_range_limit`] of their rows; `None` when there are none or the range is wider.
pub fn small_range(pieces: &[&[i64]]) -> Option<(i64, usize)> {
    let rows: usize = pieces.iter().map(|p| p.len()).sum();
    let (lo, hi) = pieces
        .par_iter()
        .flat_map(|p| p.par_iter().with_min_len(BLOCK))
        .fold(|| (i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    if rows == 0 || hi as i128 - lo as i128 >= dense_range_limit(rows) as i128 {
        return None;
    }
    Some((lo, (hi - lo) as usize + 1))
}

/// Integer names: [`factorize_into`], with the same codes, but through a direct table instead
/// of hashing when the values span a small range ([`small_range`]): each
/// block lists the values it sees first (a bitmap of the range), the lists are merged in block
/// order, and every row is looked up in the resulting value → code table.
pub fn factorize_ints(pieces: &[&[i64]], outs: &mut [&mut [u32]]) -> crate::Result<Vec<i64>> {
    if pieces.len() != outs.len() || pieces.iter().zip(outs.iter()).any(|(p, o)| p.len() != o.len()) {
        return Err(crate::Error::InvalidArgument("factorize: output lengths differ from input".into()));
    }
    let Some((lo, width)) = small_range(pieces) else {
        return factorize_into(pieces, outs);
    };
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
        fn packed(&self, row: usize) -> Option<u128> {
            self.key(row).packed()
        }
        fn unpack(&self, packed: u128) -> StrKey<'_> {
            StrKey::Short(packed)
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

    /// Blocks of short names go through the packed table, a block with one long name through
    /// the general map from its start: the codes are those of sequential hashing either way
    /// (and the packed table grows past 100k keys).
    #[test]
    fn packed_and_general_paths_give_the_same_codes() {
        let n = 3 * BLOCK + 17;
        let names: Vec<String> =
            (0..n).map(|i| if i == 2 * BLOCK + 5 { "a name longer than twelve bytes".to_string() } else { format!("m{}", (i * 7919) % 150_001) }).collect();
        let col = Strs(names.clone());
        let mut out = vec![0u32; n];
        let keys = factorize_into(&[&col], &mut [&mut out]).unwrap();
        let mut seen = std::collections::HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let next = seen.len() as u32;
            let c = *seen.entry(name.clone()).or_insert(next);
            assert_eq!(out[i], c);
            assert_eq!(keys[c as usize].to_bytes(), name.as_bytes());
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
