//! Item names → dense `u32` codes, in parallel, with a deterministic code order.
//!
//! Codes are assigned in order of first appearance over the pieces as given (piece 0 row 0,
//! row 1, …, then piece 1, …). Rows are split into fixed-size blocks that are factorized in
//! parallel with block-local dictionaries, merged in block order, and remapped; the result does
//! not depend on the number of threads.
//!
//! Ctrl-C: both entry points run under [`crate::interrupt::watched`]; every row loop reads the
//! stop flag every [`POLL_ROWS`] rows (and the merge every as many keys), so a press is
//! answered within about a millisecond of work and a stopped factorization returns
//! `Error::Interrupted`, never partial codes. Every table that grows with the input (the
//! hash tables, the distinct keys, the direct table of an integer range) is allocated
//! fallibly (`Error::OutOfMemory`); only each block's first 64-slot table is not.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::interrupt::Stop;
use crate::memory::{try_collect, try_filled, try_push, try_room, try_zeroed};
use crate::{Error, Result};

/// Fewest rows per block of the parallel factorization.
const BLOCK: usize = 1 << 16;
/// Blocks per piece at most: each block's distinct keys are merged sequentially, so with many
/// distinct names (10M rows of 100k names) small blocks would merge each name once per block.
const MAX_BLOCKS: usize = 16;
/// Rows (or keys) between two reads of the stop flag (about a millisecond of work).
const POLL_ROWS: usize = 1 << 16;

/// `Err(Interrupted)` once `stop` is raised, read every [`POLL_ROWS`]-th step `k` (the
/// sequential merge); the row loops read it once per chunk of [`POLL_ROWS`] rows instead,
/// leaving their inner loops as they were.
#[inline]
fn poll_every(k: usize, stop: &Stop) -> Result<()> {
    if k % POLL_ROWS == 0 {
        stopped(stop)?;
    }
    Ok(())
}

fn stopped(stop: &Stop) -> Result<()> {
    if stop.stopped() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

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
    fn code(&mut self, key: u128, keys: &mut Vec<u128>) -> Result<u32> {
        let mut i = Self::hash(key) & self.mask;
        loop {
            let code = self.codes[i];
            if code == EMPTY {
                break;
            }
            if self.keys[i] == key {
                return Ok(code);
            }
            i = (i + 1) & self.mask;
        }
        let code = keys.len() as u32;
        self.keys[i] = key;
        self.codes[i] = code;
        try_push(keys, key)?;
        self.len += 1;
        let slots = self.mask + 1;
        if self.len * if slots <= 1 << 15 { 8 } else { 2 } > slots {
            self.grow()?;
        }
        Ok(code)
    }

    fn grow(&mut self) -> Result<()> {
        let slots = 2 * (self.mask + 1);
        let keys = std::mem::replace(&mut self.keys, try_filled(slots, 0)?);
        let codes = std::mem::replace(&mut self.codes, try_filled(slots, EMPTY)?);
        self.mask = slots - 1;
        for (key, code) in keys.into_iter().zip(codes).filter(|&(_, c)| c != EMPTY) {
            let mut i = Self::hash(key) & self.mask;
            while self.codes[i] != EMPTY {
                i = (i + 1) & self.mask;
            }
            self.keys[i] = key;
            self.codes[i] = code;
        }
        Ok(())
    }
}

/// One block's distinct keys in order of first appearance, its local codes written to `out`:
/// through packed keys while every row has one, else (from the start) through the general map.
fn factorize_block<'c, C: Column + ?Sized>(piece: &'c C, start: usize, out: &mut [u32], stop: &Stop) -> Result<Vec<C::Key<'c>>> {
    let mut packed_map = PackedMap::new();
    let mut packed_keys = Vec::new();
    let mut all_packed = true;
    'rows: for (c, chunk) in out.chunks_mut(POLL_ROWS).enumerate() {
        stopped(stop)?;
        let from = start + c * POLL_ROWS;
        for (k, slot) in chunk.iter_mut().enumerate() {
            match piece.packed(from + k) {
                Some(key) => *slot = packed_map.code(key, &mut packed_keys)?,
                None => {
                    all_packed = false;
                    break 'rows;
                }
            }
        }
    }
    if all_packed {
        return try_collect(packed_keys.len(), packed_keys.into_iter().map(|p| piece.unpack(p)));
    }
    drop((packed_map, packed_keys));
    let mut map: Map<C::Key<'c>> = Map::default();
    let mut keys = Vec::new();
    for (c, chunk) in out.chunks_mut(POLL_ROWS).enumerate() {
        stopped(stop)?;
        let from = start + c * POLL_ROWS;
        for (k, slot) in chunk.iter_mut().enumerate() {
            *slot = code_of(&mut map, &mut keys, piece.key(from + k))?;
        }
    }
    Ok(keys)
}

/// The code of `key` in `map`, numbering a new key `keys.len()` and appending it to `keys`
/// (both grown fallibly).
#[inline]
fn code_of<K: Hash + Eq + Copy>(map: &mut Map<K>, keys: &mut Vec<K>, key: K) -> Result<u32> {
    try_room(map)?;
    match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => Ok(*e.get()),
        std::collections::hash_map::Entry::Vacant(e) => {
            let code = keys.len() as u32;
            try_push(keys, key)?;
            Ok(*e.insert(code))
        }
    }
}

/// A byte-string key: strings of at most 12 bytes are packed into one integer (fast to hash
/// and compare), longer ones are borrowed.
/// Per length of a short string (0 to 12 bytes), the bits of its view that hold the length
/// and the string: the padding after it is not part of a key.
const SHORT_MASKS: [u128; 13] = {
    let mut masks = [0u128; 13];
    let mut len = 0;
    while len <= 12 {
        masks[len] = if len == 12 { u128::MAX } else { (1u128 << (32 + 8 * len)) - 1 };
        len += 1;
    }
    masks
};

/// Whether an Arrow string view's bytes lie within its data buffers (`sizes`: each buffer's
/// length in bytes). A view of at most 12 bytes holds them itself; a longer one names a buffer
/// and an offset there (Arrow's layout), which a malformed array — built from raw buffers
/// without validation, as `pyarrow.Array.from_buffers` does — may point anywhere.
#[inline]
pub fn view_within(view: u128, sizes: &[usize]) -> bool {
    let (len, buf, off) = ((view as u32) as usize, ((view >> 64) as u32) as usize, ((view >> 96) as u32) as usize);
    len <= 12 || sizes.get(buf).is_some_and(|&size| off.checked_add(len).is_some_and(|end| end <= size))
}

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

    /// The packed key of a string view of at most 12 bytes: the view with its padding masked,
    /// so that equal strings always give equal keys.
    #[inline]
    pub fn short_view(view: u128) -> Option<u128> {
        Some(view & *SHORT_MASKS.get((view as u32) as usize)?)
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
        self.with_bytes(<[u8]>::to_vec)
    }

    /// `f` of the bytes this key stands for, without copying them to the heap.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match *self {
            StrKey::Short(v) => {
                let buf = v.to_le_bytes();
                let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                f(&buf[4..4 + len])
            }
            StrKey::Long(b) => f(b),
        }
    }
}

/// Factorizes the pieces jointly into `outs` (one output slice per piece, same lengths).
/// Returns the distinct keys in code order; `Err(Interrupted)` on Ctrl-C (watched), and
/// `Err(OutOfMemory)` when a table cannot be had.
pub fn factorize_into<'c, C: Column + ?Sized>(pieces: &[&'c C], outs: &mut [&mut [u32]]) -> Result<Vec<C::Key<'c>>> {
    check_lengths(pieces.iter().map(|p| p.len()), outs)?;
    crate::interrupt::watched(|stop| factorize_watched(pieces, outs, stop))?
}

fn check_lengths(lens: impl ExactSizeIterator<Item = usize>, outs: &[&mut [u32]]) -> Result<()> {
    if lens.len() != outs.len() || lens.zip(outs.iter()).any(|(l, o)| l != o.len()) {
        return Err(Error::InvalidArgument("factorize: output lengths differ from input".into()));
    }
    Ok(())
}

fn factorize_watched<'c, C: Column + ?Sized>(pieces: &[&'c C], outs: &mut [&mut [u32]], stop: &Stop) -> Result<Vec<C::Key<'c>>> {
    // Phase 1: block-local dictionaries, local codes written to the output.
    let mut tasks: Vec<(&'c C, usize, &mut [u32])> = Vec::new();
    for (piece, out) in pieces.iter().zip(outs.iter_mut()) {
        // The split depends on the data size only (never on the thread count).
        let block = out.len().div_ceil(MAX_BLOCKS).max(BLOCK);
        for (b, chunk) in out.chunks_mut(block).enumerate() {
            tasks.push((*piece, b * block, chunk));
        }
    }
    let locals: Vec<Vec<C::Key<'c>>> = tasks.par_iter_mut().map(|(piece, start, out)| factorize_block(*piece, *start, out, stop)).collect::<Result<_>>()?;
    // Phase 2: merge in block order → the global dictionary and a remap per block.
    let mut global: Map<C::Key<'c>> = Map::default();
    let mut uniques: Vec<C::Key<'c>> = Vec::new();
    let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(locals.len());
    for keys in &locals {
        let mut remap = try_filled(keys.len(), 0u32)?;
        for (k, (&key, slot)) in keys.iter().zip(remap.iter_mut()).enumerate() {
            poll_every(k, stop)?;
            *slot = code_of(&mut global, &mut uniques, key)?;
        }
        remaps.push(remap);
    }
    drop(global);
    if uniques.len() > u32::MAX as usize {
        return Err(Error::InvalidArgument("more than 2^32 - 1 distinct items".into()));
    }
    // Phase 3: remap local codes to global codes (the first block's, and often others', are
    // already global).
    tasks.par_iter_mut().zip(remaps.par_iter()).for_each(|((_, _, out), remap)| {
        if remap.iter().enumerate().all(|(k, &c)| c as usize == k) {
            return;
        }
        for chunk in out.chunks_mut(POLL_ROWS) {
            if stop.stopped() {
                return; // the watcher reports the stop; these codes are never returned
            }
            for slot in chunk {
                *slot = remap[*slot as usize];
            }
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

/// An integer read from a column (item ids, codes): its key keeps the values' order (signed
/// values with the sign bit flipped), so keys ascending are the values ascending.
pub trait Id: Copy + Send + Sync {
    /// What [`Id::raw`] is flipped by to give the key: the sign bit for signed types, else 0.
    /// Flipping the top bit is adding 2^63 (mod 2^64), so `key(x) − lo` is
    /// `raw(x) − (lo ^ FLIP)`: one subtraction a value in the counting loop.
    const FLIP: u64;
    /// The value's bits as a `u64` (signed values sign-extended).
    fn raw(self) -> u64;
    #[inline]
    fn key(self) -> u64 {
        self.raw() ^ Self::FLIP
    }
}

macro_rules! signed_id {
    ($($t:ty),*) => {$(
        impl Id for $t {
            const FLIP: u64 = 1 << 63;
            #[inline]
            fn raw(self) -> u64 {
                self as i64 as u64
            }
        }
    )*};
}
macro_rules! unsigned_id {
    ($($t:ty),*) => {$(
        impl Id for $t {
            const FLIP: u64 = 0;
            #[inline]
            fn raw(self) -> u64 {
                self as u64
            }
        }
    )*};
}
signed_id!(i8, i16, i32, i64);
unsigned_id!(u8, u16, u32, u64);

/// The value of a signed id from its key (the inverse of [`Id::key`] for `i64`).
pub fn signed_value(key: u64) -> i64 {
    (key ^ (1 << 63)) as i64
}

/// The least and greatest [`Id::key`] of the values of `pieces` (in parallel; `None` when
/// there are none), reading `stop` between blocks of [`POLL_ROWS`] values.
pub fn key_range<T: Id>(pieces: &[&[T]], stop: &Stop) -> Result<Option<(u64, u64)>> {
    let (lo, hi) = pieces
        .par_iter()
        .flat_map(|p| p.par_chunks(POLL_ROWS))
        .map(|c| if stop.stopped() { (u64::MAX, 0) } else { c.iter().fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(v.key()), hi.max(v.key()))) })
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    stopped(stop)?;
    Ok((lo <= hi).then_some((lo, hi)))
}

/// `(min, max − min + 1)` of the values of `pieces` when their range is below
/// [`dense_range_limit`] of their rows; `None` when there are none or the range is wider.
pub fn small_range(pieces: &[&[i64]]) -> Option<(i64, usize)> {
    let rows: usize = pieces.iter().map(|p| p.len()).sum();
    let (lo, hi) = key_range(pieces, &Stop::never()).ok()??;
    if hi - lo >= dense_range_limit(rows) as u64 {
        return None;
    }
    Some((signed_value(lo), (hi - lo) as usize + 1))
}

/// Integer names: [`factorize_into`], with the same codes, but through a direct table instead
/// of hashing when the values span a small range ([`small_range`]): each
/// block lists the values it sees first (a bitmap of the range), the lists are merged in block
/// order, and every row is looked up in the resulting value → code table.
pub fn factorize_ints(pieces: &[&[i64]], outs: &mut [&mut [u32]]) -> Result<Vec<i64>> {
    check_lengths(pieces.iter().map(|p| p.len()), outs)?;
    let Some((lo, width)) = small_range(pieces) else {
        return factorize_into(pieces, outs);
    };
    crate::interrupt::watched(|stop| factorize_range(pieces, outs, lo, width, stop))?
}

/// [`factorize_ints`] through the direct table of `width` values from `lo`.
fn factorize_range(pieces: &[&[i64]], outs: &mut [&mut [u32]], lo: i64, width: usize, stop: &Stop) -> Result<Vec<i64>> {
    let mut tasks: Vec<(&[i64], &mut [u32])> = Vec::new();
    for (piece, out) in pieces.iter().zip(outs.iter_mut()) {
        let block = out.len().div_ceil(MAX_BLOCKS).max(BLOCK);
        for (values, chunk) in piece.chunks(block).zip(out.chunks_mut(block)) {
            tasks.push((values, chunk));
        }
    }
    // Each block lists the values it sees first. A block that meets every value of the range
    // stops there, and the blocks after it do not scan at all (their values are all in its
    // list, which comes first in the merge): ids that fill their range are listed from the
    // first rows (e.g. ~10⁵ of 20M rows at 10,000 ids), with the same codes.
    let complete = AtomicUsize::new(usize::MAX);
    let firsts: Vec<Vec<i64>> = tasks
        .par_iter()
        .enumerate()
        .map(|(t, (values, _))| -> Result<Vec<i64>> {
            let mut seen = try_zeroed::<u64>(width.div_ceil(64))?;
            let mut first = Vec::new();
            'rows: for chunk in values.chunks(POLL_ROWS) {
                stopped(stop)?;
                if complete.load(Ordering::Relaxed) < t {
                    break; // an earlier block lists every value
                }
                for &v in chunk {
                    let k = (v - lo) as usize;
                    if seen[k / 64] & (1 << (k % 64)) == 0 {
                        seen[k / 64] |= 1 << (k % 64);
                        try_push(&mut first, v)?;
                        if first.len() == width {
                            complete.fetch_min(t, Ordering::Relaxed);
                            break 'rows;
                        }
                    }
                }
            }
            Ok(first)
        })
        .collect::<Result<_>>()?;
    let mut code = try_filled(width, u32::MAX)?;
    let mut uniques = Vec::new();
    for (r, v) in firsts.into_iter().flatten().enumerate() {
        poll_every(r, stop)?;
        let c = &mut code[(v - lo) as usize];
        if *c == u32::MAX {
            *c = uniques.len() as u32;
            try_push(&mut uniques, v)?;
        }
    }
    tasks.par_iter_mut().for_each(|(values, out)| {
        for (slots, values) in out.chunks_mut(POLL_ROWS).zip(values.chunks(POLL_ROWS)) {
            if stop.stopped() {
                return; // the watcher reports the stop; these codes are never returned
            }
            for (slot, &v) in slots.iter_mut().zip(values) {
                *slot = code[(v - lo) as usize];
            }
        }
    });
    Ok(uniques)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_views_are_found() {
        let view = |len: u32, prefix: &[u8; 4], buf: u32, off: u32| {
            u128::from(len) | u128::from(u32::from_le_bytes(*prefix)) << 32 | u128::from(buf) << 64 | u128::from(off) << 96
        };
        let sizes = [40, 0, 100];
        assert!(view_within(view(20, b"abcd", 0, 20), &sizes), "a name ending at its buffer's end");
        assert!(!view_within(view(21, b"abcd", 0, 20), &sizes), "one byte past it");
        assert!(view_within(view(13, b"abcd", 2, 87), &sizes));
        assert!(!view_within(view(13, b"abcd", 1, 0), &sizes), "an empty buffer");
        assert!(!view_within(view(13, b"abcd", 3, 0), &sizes), "a buffer that is not there");
        assert!(!view_within(view(20, b"abcd", 0, u32::MAX), &sizes), "an offset far past the end");
        assert!(!view_within(view(u32::MAX, b"abcd", 2, 0), &sizes), "a negative length");
        // A short view holds its bytes: whatever its other fields hold, nothing is read elsewhere.
        assert!(view_within(view(12, b"abcd", 9, u32::MAX), &sizes));
        assert!(view_within(view(0, b"\0\0\0\0", 0, 0), &[]));
    }

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

    /// The direct table's blocks stop once one lists every value of the range (and later
    /// blocks do not scan): the codes are still those of hashing when the first block lists
    /// only some values, a later one all, in another order, and when no block is complete.
    #[test]
    fn complete_blocks_keep_the_codes_of_hashing() {
        let rows = 5 * BLOCK;
        let width = 1000i64;
        // Block 0: half the values, descending; block 1 every value, scrambled; then others.
        let a: Vec<i64> = (0..rows as i64)
            .map(|i| match i as usize / BLOCK {
                0 => 499 - i % 500,
                1 => (i * 7919) % width,
                _ => (i * 104_729 + 3) % width,
            })
            .collect();
        let b: Vec<i64> = (0..(rows / 2) as i64).map(|i| width - 1 - (i * 31) % width).collect();
        let holes: Vec<i64> = a.iter().map(|v| v * 3).collect();
        for (x, y) in [(&a, &b), (&holes, &b), (&b, &a)] {
            let (mut ha, mut hb, mut da, mut db) = (vec![0u32; x.len()], vec![0u32; y.len()], vec![0u32; x.len()], vec![0u32; y.len()]);
            let hashed = factorize_into(&[x.as_slice(), y.as_slice()], &mut [&mut ha, &mut hb]).unwrap();
            let direct = factorize_ints(&[x.as_slice(), y.as_slice()], &mut [&mut da, &mut db]).unwrap();
            assert_eq!(hashed, direct);
            assert_eq!((ha, hb), (da, db));
        }
    }

    /// A raised stop flag (Ctrl-C seen by the watcher) ends every path with `Interrupted`,
    /// from the first rows; the same calls without it factorize.
    #[test]
    fn a_raised_stop_flag_interrupts_every_path() {
        let n = 3 * BLOCK + 17;
        let ints: Vec<i64> = (0..n as i64).map(|i| (i * 7919) % 1013).collect();
        let wide: Vec<i64> = ints.iter().map(|v| v << 40).collect();
        let short = Strs((0..n).map(|i| format!("m{}", i % 999)).collect());
        let long = Strs((0..n).map(|i| format!("a name longer than twelve bytes {}", i % 999)).collect());
        let stop = crate::interrupt::Stop::raised();
        let mut out = vec![0u32; n];
        for run in [false, true] {
            let go = |f: &mut dyn FnMut() -> Result<usize>| if run { stop.run(f) } else { f() };
            let results = [
                go(&mut || factorize_ints(&[ints.as_slice()], &mut [&mut out]).map(|k| k.len())),
                go(&mut || factorize_ints(&[wide.as_slice()], &mut [&mut out]).map(|k| k.len())),
                go(&mut || factorize_into(&[&short], &mut [&mut out]).map(|k| k.len())),
                go(&mut || factorize_into(&[&long], &mut [&mut out]).map(|k| k.len())),
            ];
            for r in results {
                if run {
                    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
                } else {
                    assert!(matches!(r, Ok(999) | Ok(1013)), "{r:?}");
                }
            }
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
        let k1 = StrKey::Short(StrKey::short_view(clean).unwrap());
        let k2 = StrKey::Short(StrKey::short_view(dirty).unwrap());
        assert_eq!(k1, k2);
        assert_eq!(k1, StrKey::new(b"abc"));
    }
}
