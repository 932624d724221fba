//! The fused reduce of item ids (issue 20, decisions 34, 39 and 43): integer item names of a
//! small range (or factorized codes, or names read as Arrow string views) and
//! unit-weight outcomes of 0, ½ or 1, counted straight from the caller's columns into a
//! square of cells indexed by the ids themselves, in one pass.
//!
//! The general path first factorizes the names (a pass for the range, one for the first
//! appearances, one writing `u32` codes), then reduces the codes (a pass checking them, one
//! over the outcomes, one counting with a renaming per row): five reads of the rows and a
//! write, and a dozen operations a row in the counting loop. Here a row is `key(a) − lo`,
//! `key(b) − lo` (one subtraction each on the raw bits), the outcome's kind ([`Outcome`]: 0
//! `a` won, 1 `b` won, 2 a tie, [`OTHER`] anything else, without branches, read in the
//! column's own type: floats by a table, integers, booleans as bytes or bits, label codes)
//! and one increment of `cells[(x·w + y)·4 + kind]` ([`count_rows`], w a power of two). The
//! range is guessed from the first rows and checked per chunk of rows (the ids are or-ed: an
//! out-of-range id ends the pass at the chunk's end; the range is then measured and the pass
//! rerun), so an id column is read once. The ordered cells are folded into the table (i < j)
//! afterwards, and items that appear are numbered in key order, which is the order of the
//! values. Counts are integers, summed per thread over the blocks of rows it takes (split by
//! size, never by thread count; decision 63) and the threads' squares added: integer sums, the
//! same in any order, so the table is the one the general path gives, bit for bit.
//!
//! [`reduce_names`] does the same for names given as string views (names past 12 bytes
//! through their bytes, decision 53): each
//! block finds its names through a perfect-hash front table ([`NameFront`]: the view as read,
//! one multiplication, one compare) backed by a table of at most 256 (open addressing on
//! the masked 16-byte view, in L1) instead of hashing them in general, and the blocks' names
//! are sorted and their squares added in that order. (Here and below, a block's square,
//! front, table or state is its thread's: a thread keeps one state over the blocks of rows
//! it takes, decision 63, [`in_blocks`].) Per piece of 4,096 rows, the two codes
//! of a row are first written as one `u16` without testing each view (decision 48: the views'
//! differences from their slots' keys are or-ed together, in an SSE2 register on x86-64
//! (decision 49), tested once per piece; a piece that fails is coded again view by view),
//! then counted. The columns may come in parts (an Arrow column's chunks: [`Parts`]); no
//! piece crosses a part's start (decision 50).
//!
//! Anything else — a self-comparison, an outcome other than 0, ½, 1, a range too wide for the
//! square — returns `None`, and the caller takes the general path, which reports the rows.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use super::{PairTable, MAX_BLOCKS, MIN_BLOCK_ROWS, POLL_ROWS};
use crate::error::{Error, Result};
use crate::factorize::{key_range, StrKey};
pub use crate::factorize::{signed_value, Id};
use crate::interrupt::Stop;
use crate::memory::{try_filled, try_push, try_zeroed};

/// The table of [`reduce_ids`]: `keys[k]` is the key of item `k` (ascending), the table's
/// codes index `keys`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdTable {
    pub keys: Vec<u64>,
    pub table: PairTable,
}

/// Largest side of the square a block counts in (ids of a range at most this wide): 4 `u32`
/// per ordered pair, 1 MiB, so that it stays in a core's cache.
pub const MAX_WIDTH: usize = 256;

/// The kind of a row that is anything else: a kind is 0 `a` won, 1 `b` won, 2 a tie (the
/// cell's lane, its two low bits), and any kind with a bit past those two set is anything
/// else (which sends the rows to the general path). The counting loop ors the kinds into one
/// word and tests it once per chunk of rows.
pub const OTHER: u64 = 4;

/// A kind as one of 0, 1, 2 or [`OTHER`] (for tables of kinds).
fn lane_or_other(kind: u64) -> u8 {
    if kind > 2 {
        OTHER as u8
    } else {
        kind as u8
    }
}

/// An outcome read in its column's own type, classified without branches into a kind
/// ([`OTHER`]). Floats: 1, 0 (either sign), ½, anything else (NaN too) other; integers: 1, 0;
/// booleans: true, false.
pub trait Outcome: Copy + Send + Sync {
    fn kind(self) -> u64;
}

/// The kinds of floats by their sign and exponent bits: 1 → 0, ±0 → 1, ½ → 2, the rest
/// [`OTHER`]; a float is one of these values only when its mantissa bits are 0 as well.
const fn float_kinds<const N: usize>(one: usize, half: usize, minus_zero: usize) -> [u8; N] {
    let mut t = [OTHER as u8; N];
    t[one] = 0;
    t[0] = 1;
    t[minus_zero] = 1;
    t[half] = 2;
    t
}
static F64_KINDS: [u8; 1 << 12] = float_kinds(0x3ff, 0x3fe, 0x800);
static F32_KINDS: [u8; 1 << 9] = float_kinds(0x7f, 0x7e, 0x100);

/// A float's kind in one table lookup: the sign and exponent index the table, and the
/// mantissa bits are or-ed in above the lanes (any of them set: anything else).
impl Outcome for f64 {
    #[inline]
    fn kind(self) -> u64 {
        let bits = self.to_bits();
        F64_KINDS[(bits >> 52) as usize] as u64 | bits << 12
    }
}

impl Outcome for f32 {
    #[inline]
    fn kind(self) -> u64 {
        let bits = self.to_bits();
        F32_KINDS[(bits >> 23) as usize] as u64 | ((bits << 9) as u64) << 2
    }
}

/// The kinds of the integers 0, 1 and of every other (≥ 2 as `u64`: negative values too).
static INT_KINDS: [u8; 3] = [1, 0, OTHER as u8];

/// An integer's kind: its value as `u64`, at most 2, indexes [`INT_KINDS`] (a compare, a
/// conditional move, a load).
macro_rules! int_outcome {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            #[inline]
            fn kind(self) -> u64 {
                INT_KINDS[(self as u64).min(2) as usize] as u64
            }
        }
    )*};
}
int_outcome!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Outcome for bool {
    #[inline]
    fn kind(self) -> u64 {
        !self as u64
    }
}

/// An outcome column as the counting pass reads it: a kind per row ([`Outcome`]).
pub trait Kinds: Sync {
    /// The number of rows, or `None` for a column that fits any (every row a win of `a`).
    fn rows(&self) -> Option<usize>;
    /// The kinds of `rows` ([`OTHER`]).
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_;
    /// For the counting passes, a piece at a time (decision 48): the lanes of `rows` (their
    /// kinds' two low bits) into `lanes` (as long) and `Some` of the kinds or-ed, for a column
    /// whose kinds cost a lookup (labels: a loop of their own holds fewer values in registers
    /// than the counting loop with the lookup in it); `None` (the default): the counting
    /// reads [`Kinds::kinds`] itself (the passes ask once, with no rows, and keep their
    /// counting loop of before for such columns). `state`: the block's, kept between its
    /// pieces ([`LaneState`]).
    #[inline]
    fn lanes(&self, _rows: Range<usize>, _lanes: &mut [u8], _state: &mut LaneState) -> Option<u64> {
        None
    }
    /// The rows where the column's parts start, past the first ([`Parts`]): the passes ask
    /// `kinds` and `lanes` for rows within one part. None for one part (the default).
    fn starts(&self) -> &[usize] {
        &[]
    }
    /// Whether `rows` lie within one part (the passes' chunks do: they end where a part
    /// does, [`Kinds::starts`]); the passes test each chunk, and decline one that does not
    /// (a column in parts gives no kinds for it).
    #[inline]
    fn within(&self, rows: &Range<usize>) -> bool {
        let s = self.starts();
        s.is_empty() || s.partition_point(|&x| x <= rows.start) == s.partition_point(|&x| x < rows.end)
    }
}

/// What a block of the counting passes keeps between the pieces it asks [`Kinds::lanes`] for:
/// for labels, a front of the part's label views (decision 57).
#[derive(Default)]
pub struct LaneState {
    views: Option<Box<ViewFront>>,
    /// Set once `views` was made (or could not be: it is not tried again).
    made: bool,
    /// Pieces left before the next try of [`Labels::lanes_in_order`], and the skip after the
    /// next try that fails (1, 2, 4 … up to [`VIEW_BACKOFF`]).
    order_skip: u32,
    order_backoff: u32,
}

/// A block's piece of lanes and its [`LaneState`], in one box (one pointer live beside the
/// counting loop's: a second one cost integer ids with labels 8%, a register spilled).
struct LanePiece {
    lanes: [u8; PIECE_ROWS],
    state: LaneState,
}

impl LanePiece {
    /// One, in a box of one (fallible, as [`boxed`]).
    fn new() -> Result<Box<[LanePiece; 1]>> {
        let mut one = crate::memory::try_with_capacity(1)?;
        one.push(LanePiece { lanes: [0; PIECE_ROWS], state: LaneState::default() });
        one.into_boxed_slice().try_into().map_err(|_| Error::InvalidArgument("LanePiece: length".into()))
    }
}

/// A number per row, in the column's own type (no cast).
impl<O: Outcome> Kinds for [O] {
    fn rows(&self) -> Option<usize> {
        Some(self.len())
    }
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        self[rows].iter().map(|&o| o.kind())
    }
}

/// Numbers in parts (an Arrow column's chunks: a Parquet file's row groups), each in its own
/// type and read in place: the passes ask for rows within one part ([`Kinds::starts`]).
pub struct Chunked<'a, O>(Parts<'a, O>);

impl<'a, O: Outcome> Chunked<'a, O> {
    pub fn new(parts: Vec<&'a [O]>) -> Chunked<'a, O> {
        Chunked(Parts::new(parts))
    }
}

impl<O: Outcome> Kinds for Chunked<'_, O> {
    fn rows(&self) -> Option<usize> {
        Some(self.0.len())
    }
    /// (rows across a part's end, which the passes never ask for, none: [`Kinds::within`];
    /// one slice's loop, without a chain for such rows, which cost integer ids in parts 20%)
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        self.0.get(rows).unwrap_or(&[]).iter().map(|&o| o.kind())
    }
    fn starts(&self) -> &[usize] {
        self.0.inner_starts()
    }
}

/// Every row is a win of `a` (winner / loser columns).
pub struct AllWins;

impl Kinds for AllWins {
    fn rows(&self) -> Option<usize> {
        None
    }
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        std::iter::repeat_n(0, rows.len())
    }
}

/// A code per row (of any unsigned width: outcome labels coded, a Categorical's physical
/// codes) into a table of outcome values; a code past the table is "anything else".
pub struct Coded<'a, C> {
    codes: &'a [C],
    /// The kind of each code, [`OTHER`] from the table's end up to 256 (so that `u8` codes
    /// need no bounds test).
    kinds: Vec<u8>,
}

impl<'a, C: Id> Coded<'a, C> {
    pub fn new(codes: &'a [C], values: &[f64]) -> Coded<'a, C> {
        let mut kinds: Vec<u8> = values.iter().map(|&v| lane_or_other(v.kind())).collect();
        kinds.resize(kinds.len().max(256), OTHER as u8);
        Coded { codes, kinds }
    }
}

impl<C: Id> Kinds for Coded<'_, C> {
    fn rows(&self) -> Option<usize> {
        Some(self.codes.len())
    }
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        self.codes[rows].iter().map(|&c| usize::try_from(c.key()).ok().and_then(|c| self.kinds.get(c)).map_or(OTHER, |&k| k as u64))
    }
}

/// Booleans packed eight to a byte (an Arrow boolean column, read in place): true, `a` won.
pub struct Bits<'a> {
    pub bytes: &'a [u8],
    /// The bit of row 0.
    pub offset: usize,
    pub len: usize,
}

impl Kinds for Bits<'_> {
    fn rows(&self) -> Option<usize> {
        Some(self.len)
    }
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        rows.map(|r| {
            let bit = r + self.offset;
            1 - ((self.bytes[bit >> 3] >> (bit & 7)) & 1) as u64
        })
    }
}

/// Booleans in parts (an Arrow boolean column's chunks: a Parquet file's row groups), each
/// read in place as [`Bits`]: the passes ask for rows within one part ([`Kinds::starts`]).
pub struct BitParts<'a> {
    parts: Vec<Bits<'a>>,
    /// The first row of each part, then the number of rows.
    starts: Vec<usize>,
}

impl<'a> BitParts<'a> {
    /// The parts in row order.
    pub fn new(parts: Vec<Bits<'a>>) -> BitParts<'a> {
        let starts = part_starts(parts.iter().map(|p| p.len));
        BitParts { parts, starts }
    }

    /// The part holding `rows` and the rows within it (`None` across a part's end).
    fn part(&self, rows: &Range<usize>) -> Option<(&Bits<'a>, Range<usize>)> {
        let k = part_holding(&self.starts, rows.start);
        let (at, bits) = (*self.starts.get(k)?, self.parts.get(k)?);
        let local = rows.start.checked_sub(at)?..rows.end.checked_sub(at)?;
        (local.end <= bits.len).then_some((bits, local))
    }
}

impl Kinds for BitParts<'_> {
    fn rows(&self) -> Option<usize> {
        self.starts.last().copied()
    }
    /// (rows across a part's end, which the passes never ask for, none: [`Kinds::within`])
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        const NONE: Bits<'static> = Bits { bytes: &[], offset: 0, len: 0 };
        let (bits, rows) = self.part(&rows).unwrap_or((&NONE, 0..0));
        bits.kinds(rows)
    }
    fn starts(&self) -> &[usize] {
        inner_starts(&self.starts)
    }
}

/// The first row of each part, then the number of rows, of parts of `lens` rows.
fn part_starts(lens: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut starts = vec![0];
    for len in lens {
        starts.push(starts[starts.len() - 1] + len);
    }
    starts
}

/// The part holding row `row` (the last part for the row count), of parts starting at
/// `starts` ([`part_starts`]).
fn part_holding(starts: &[usize], row: usize) -> usize {
    starts.get(1..).unwrap_or(&[]).partition_point(|&s| s <= row).min(starts.len().saturating_sub(2))
}

/// The first row of each part but the first ([`Kinds::starts`]), of `starts` ([`part_starts`]).
fn inner_starts(starts: &[usize]) -> &[usize] {
    starts.get(1..starts.len().saturating_sub(1)).unwrap_or(&[])
}

/// A column of string views in parts (an Arrow column's chunks: a Parquet file's row groups,
/// a CSV reader's batches), read in place: the passes' pieces never cross a part's end
/// ([`Kinds::starts`], decision 50). (Of numbers too, for [`Chunked`]: `T`.)
pub struct Parts<'a, T = u128> {
    parts: Vec<&'a [T]>,
    /// Per part, the data buffers (Arrow's variadic buffers) its views past 12 bytes point
    /// into ([`view_bytes`]); without them such views are not read (decisions 50, 53).
    buffers: Vec<Vec<&'a [u8]>>,
    /// The first row of each part, then the number of rows.
    starts: Vec<usize>,
}

impl<'a, T> Parts<'a, T> {
    /// The parts in row order.
    pub fn new(parts: Vec<&'a [T]>) -> Parts<'a, T> {
        let starts = part_starts(parts.iter().map(|p| p.len()));
        Parts { parts, buffers: Vec::new(), starts }
    }

    /// The same parts, `buffers[k]` the data buffers of part `k`.
    pub fn with_buffers(self, buffers: Vec<Vec<&'a [u8]>>) -> Parts<'a, T> {
        Parts { buffers, ..self }
    }

    /// The data buffers of part `part` (none when not given).
    fn buffers(&self, part: usize) -> &[&'a [u8]] {
        self.buffers.get(part).map_or(&[], |b| &b[..])
    }

    /// One part.
    pub fn one(views: &'a [T]) -> Parts<'a, T> {
        Parts::new(vec![views])
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.starts[self.starts.len() - 1]
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The part holding row `row` (the last part for the row count).
    fn part_of(&self, row: usize) -> usize {
        part_holding(&self.starts, row)
    }

    /// The views of `rows`, which lie in one part, and that part's index.
    fn rows(&self, rows: Range<usize>) -> (&'a [T], usize) {
        if self.parts.is_empty() {
            return (&[], 0);
        }
        let k = self.part_of(rows.start);
        let at = self.starts[k];
        (&self.parts[k][rows.start - at..rows.end - at], k)
    }

    /// The values of `rows`, `None` unless they lie in one part.
    fn get(&self, rows: Range<usize>) -> Option<&'a [T]> {
        let k = self.part_of(rows.start);
        let at = *self.starts.get(k)?;
        self.parts.get(k)?.get(rows.start.checked_sub(at)?..rows.end.checked_sub(at)?)
    }

    /// The first row of each part but the first.
    fn inner_starts(&self) -> &[usize] {
        inner_starts(&self.starts)
    }
}

/// Outcome labels read as Arrow string views, matched in the counting pass itself: a view as
/// read is found through a front table of the labels of at most 12 bytes, their kinds as
/// its codes (a [`Front`], decisions 43 and 58: one hash, one compare), else (padding not
/// zero, say) its packed key is compared with every short label (no branch on the row's
/// label); a view of a longer text is compared with the longer labels through its bytes when
/// the column's buffers are given ([`Parts::with_buffers`]: LMArena's `"tie (bothbad)"`,
/// decision 50; copies in row order in one sweep, decision 58). A
/// row whose label is unknown (or long, without the buffers) is [`OTHER`] (the caller then
/// takes the general path, which names the label).
pub struct Labels<'a> {
    views: Parts<'a>,
    /// (packed label, its kind) per short label.
    keys: Vec<(u128, u8)>,
    /// (label, its kind, its view's first 8 bytes: the length and the first 4 bytes) per
    /// label past 12 bytes.
    long_keys: Vec<(Vec<u8>, u8, u64)>,
    /// Set once a piece held a long label: later pieces go straight to the loop that
    /// lists them ([`Kinds::lanes`]).
    long_met: AtomicBool,
    /// The short labels' packed keys with their kinds as codes (at most [`MAX_WIDTH`]; a
    /// view's kind is one load, no table of kinds behind the codes).
    front: Front,
    /// Per kind (0, 1, 2, [`OTHER`]), an empty slot of `front` whose code is the kind: a long
    /// row's slot in [`Labels::lanes_in_order`] (an empty slot's key hashes elsewhere, so no
    /// view is found there, whatever its code).
    long_slots: [usize; OTHER as usize + 1],
}

impl<'a> Labels<'a> {
    /// `labels[k]` (bytes) has the value `values[k]`; labels past 12 bytes are matched only
    /// when `views` come with their data buffers ([`Parts::with_buffers`]). (Past 256 short
    /// labels, the others are found by
    /// [`Labels::compared`].)
    pub fn new(views: Parts<'a>, labels: &[&[u8]], values: &[f64]) -> Result<Labels<'a>> {
        let keys: Vec<(u128, u8)> = labels.iter().zip(values).filter_map(|(l, &v)| StrKey::new(l).packed().map(|p| (p, lane_or_other(v.kind())))).collect();
        let long_keys = labels
            .iter()
            .zip(values)
            .filter(|(l, _)| l.len() > 12)
            .map(|(l, &v)| (l.to_vec(), lane_or_other(v.kind()), l.len() as u64 | (u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as u64) << 32))
            .collect();
        // (a label given twice: its last kind, as `compared` finds it)
        let mut entries: Vec<(u128, u8)> = Vec::new();
        for &(key, kind) in &keys {
            if let Some(entry) = entries.iter_mut().find(|e| e.0 == key) {
                entry.1 = kind;
            } else if entries.len() < MAX_WIDTH {
                entries.push((key, kind));
            }
        }
        let mut front = Front::new()?;
        let mul = (1..=FRONT_TRIES).map(NameFront::multiplier).find(|&m| Front::places_all(m, entries.iter().map(|e| e.0))).unwrap_or(front.mul);
        // (keys that share a slot under every multiplier tried: the first held, the others
        // found by `compared`)
        front.place(std::iter::empty(), mul, entries.into_iter(), 0);
        let mut long_slots = [0; OTHER as usize + 1];
        let empty: Vec<usize> = (0..FRONT_SLOTS).filter(|&at| !front.taken(at)).take(long_slots.len()).collect();
        for (kind, (at, &slot)) in long_slots.iter_mut().zip(&empty).enumerate() {
            // (at most 256 of the 8,192 slots are taken: there are five)
            *at = slot;
            front.slots[slot].code = kind as u8;
        }
        Ok(Labels { views, keys, long_keys, long_met: AtomicBool::new(false), front, long_slots })
    }

    /// The kind of a view past 12 bytes in data buffers `buffers`: its first 8 bytes (length,
    /// first four bytes) against each long label's, then its bytes ([`OTHER`] for none).
    #[inline]
    fn long_kind(&self, buffers: &[&[u8]], view: u128) -> u64 {
        let head = view as u64;
        self.long_keys.iter().find(|(l, _, h)| *h == head && same_bytes(view_bytes(buffers, view), l)).map_or(OTHER, |&(_, k, _)| k as u64)
    }

    /// The kind of a view the front table did not find.
    #[cold]
    #[inline(never)]
    fn compared(&self, view: u128, part: usize) -> u64 {
        match StrKey::short_view(view) {
            Some(key) => self.keys.iter().fold(OTHER, |kind, &(l, k)| if l == key { k as u64 } else { kind }),
            None => self.long_kind(self.views.buffers(part), view),
        }
    }
}

/// Whether two byte strings are equal: from 8 to 16 bytes, by their first and last 8 (no
/// call to `memcmp` for a label such as `"tie (bothbad)"`).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    let word = |x: &[u8], at: usize| x.get(at..at + 8).and_then(|w| w.try_into().ok()).map(u64::from_ne_bytes);
    match n {
        _ if b.len() != n => false,
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// The bytes of an Arrow string view past 12 bytes (its length, first four bytes, buffer
/// index and offset) in its column's data buffers ([`Parts::with_buffers`]); empty for a
/// short view, a buffer not given, or bytes past the buffer's end.
#[inline]
pub fn view_bytes<'a>(buffers: &[&'a [u8]], view: u128) -> &'a [u8] {
    let (len, buf, off) = ((view as u32) as usize, ((view >> 64) as u32) as usize, ((view >> 96) as u32) as usize);
    match (buffers.get(buf), off.checked_add(len)) {
        (Some(b), Some(end)) if len > 12 => b.get(off..end).unwrap_or(&[]),
        _ => &[],
    }
}

impl Kinds for Labels<'_> {
    fn rows(&self) -> Option<usize> {
        Some(self.views.len())
    }
    fn starts(&self) -> &[usize] {
        self.views.inner_starts()
    }
    /// Through the front's slots without a test per view (as [`NameFront::pairs_of`]). A
    /// piece with a view that was not its slot's key is read again: with the views past 12
    /// bytes (LMArena's `"tie (bothbad)"`) left out of the test and listed, then read through
    /// their bytes (decision 50); if a short view missed too (an unknown label, garbage in a
    /// padding), view by view ([`Kinds::kinds`]). Once a piece held a long label, the block
    /// keeps the part's label views with their kinds in a front of their own ([`LaneState`],
    /// decision 57: a Parquet read's, a gather's views of a label are the same bits within a
    /// part), and a piece is read through it first, as short labels are.
    #[inline]
    fn lanes(&self, rows: Range<usize>, lanes: &mut [u8], state: &mut LaneState) -> Option<u64> {
        if !self.long_met.load(Ordering::Relaxed) || rows.is_empty() {
            // (short labels so far: their loop alone, as before decision 57)
            return Some(self.read_lanes(rows, lanes));
        }
        let (views, part) = self.views.rows(rows.clone());
        let tag = (part as u32).wrapping_add(1);
        if let Some(front) = state.views.as_deref_mut() {
            front.enter(tag, 0);
            if !front.crowded && !front.held.is_empty() && lanes_through(&front.front, views, lanes) {
                return Some(0);
            }
        }
        if state.order_skip == 0 {
            if let Some(all) = self.lanes_in_order(views, part, lanes) {
                state.order_backoff = 0;
                return Some(all);
            }
            state.order_backoff = (state.order_backoff * 2).clamp(1, VIEW_BACKOFF);
            state.order_skip = state.order_backoff;
        } else {
            state.order_skip -= 1;
        }
        let all = self.read_lanes(rows, lanes);
        if all & !3 == 0 && lanes.len() <= PIECE_ROWS {
            if !state.made {
                // (without room for it, pieces are read as before)
                state.made = true;
                state.views = ViewFront::new().ok().map(Box::new);
                state.views.iter_mut().for_each(|f| f.enter(tag, 0));
            }
            if let Some(front) = state.views.as_deref_mut() {
                // (every kind 0, 1 or 2: the lanes are the kinds)
                front.learn(views.iter().copied().zip(lanes.iter().copied()), 0);
            }
        }
        Some(all)
    }
    #[inline]
    fn kinds(&self, rows: Range<usize>) -> impl Iterator<Item = u64> + '_ {
        let (views, part) = self.views.rows(rows);
        views.iter().map(move |&v| match self.front.find(v) {
            Some(kind) => kind as u64,
            None => self.compared(v, part),
        })
    }
}

impl Labels<'_> {
    /// The lanes of a piece whose long views are all one long label's, its copies laid one
    /// after another in a data buffer in row order (a CSV read, a column built from a list:
    /// each row its own copy of `"tie (bothbad)"`), their kinds or-ed: the short views through
    /// the front as in [`Labels::read_lanes`], each long view compared with the one expected
    /// (the piece's first long view, its offset moved on by the label's length at each long
    /// row: no listing, no branch), then the bytes they cover compared with the label's, in
    /// one sweep. `None` when the piece is not such a piece (its lanes then partly written).
    fn lanes_in_order(&self, views: &[u128], part: usize, lanes: &mut [u8]) -> Option<u64> {
        let (slots, mul) = (&*self.front.slots, self.front.mul);
        // (long as `with_short_or_next` takes it: a length past `i32::MAX` is short there, and
        // so here, compared with its slot's key)
        let is_long = |v: &u128| (*v as u32 as i32) > 12;
        let first = views.iter().copied().find(is_long);
        let (expected, step, long_slot, label): (u128, u128, usize, &[u8]) = match first {
            Some(v) => {
                let (label, kind, _) = self.long_keys.iter().find(|(_, _, head)| *head == v as u64)?;
                (v, (label.len() as u128) << 96, self.long_slots[(*kind as usize).min(OTHER as usize)], label)
            }
            None => (0, 0, 0, &[]),
        };
        let (mut all, mut diff, mut count) = (0u64, Differences::NONE, 0usize);
        let (mut next, step) = (Differences::of(expected), Differences::of(step));
        for (lane, v) in lanes.iter_mut().zip(views) {
            // (a long view's slot is the empty one whose code is the label's kind, its key not
            // compared: the view is compared with the next one expected)
            let long = usize::from(is_long(v)).wrapping_neg();
            let slot = &slots[(Front::slot(mul, *v) & !long) | (long_slot & long)];
            diff = diff.with_short_or_next(v, &slot.key, &mut next, step);
            let k = slot.code;
            all |= k as u64;
            *lane = k & 3;
            count += long & 1;
        }
        if !diff.is_none() {
            return None;
        }
        if let Some(v) = first {
            // (the offsets were checked modulo 2^32: copies that would run past 2^32 bytes are
            // declined, and the sweep's end is checked in full)
            let (buf, off) = (((v >> 64) as u32) as usize, ((v >> 96) as u32) as usize);
            let end = off.checked_add(count.checked_mul(label.len())?)?;
            if end as u64 > 1 << 32 {
                return None;
            }
            let bytes = self.views.buffers(part).get(buf)?.get(off..end)?;
            if !bytes.chunks_exact(label.len()).all(|copy| same_bytes(copy, label)) {
                return None;
            }
        }
        Some(all)
    }

    /// The lanes of `rows` through the labels' front and bytes ([`Kinds::lanes`]); their
    /// kinds or-ed.
    #[inline(always)]
    fn read_lanes(&self, rows: Range<usize>, lanes: &mut [u8]) -> u64 {
        let (slots, mul) = (&*self.front.slots, self.front.mul);
        if !self.long_met.load(Ordering::Relaxed) {
            let (mut all, mut diff) = (0u64, Differences::NONE);
            for (lane, v) in lanes.iter_mut().zip(self.views.rows(rows.clone()).0) {
                let slot = &slots[Front::slot(mul, *v)];
                diff = diff.with(v, &slot.key);
                let k = slot.code;
                all |= k as u64;
                *lane = k & 3;
            }
            if diff.is_none() {
                return all;
            }
        }
        if !self.views.buffers.is_empty() && lanes.len() <= PIECE_ROWS && !self.long_keys.is_empty() {
            // Long labels (decision 50): a view past 12 bytes is left out of the test and
            // listed (no branch), then read through its bytes; the loop above is skipped
            // from now on once a piece held one.
            let (views, part) = self.views.rows(rows.clone());
            let (mut all, mut diff, mut listed, mut count) = (0u64, Differences::NONE, [0u16; PIECE_ROWS], 0usize);
            for (r, (lane, v)) in lanes.iter_mut().zip(views).enumerate() {
                let is_long = (*v as u32) > 12;
                // (a long view's slot is slot 0: own copies' views would each be a random
                // slot of the 256 KiB table, a cache miss a row)
                let slot = &slots[Front::slot(mul, *v) & (usize::from(is_long)).wrapping_sub(1)];
                diff = diff.with_short(v, &slot.key);
                let k = slot.code;
                all |= k as u64 & u64::from(is_long).wrapping_sub(1);
                *lane = k & 3;
                listed[count % PIECE_ROWS] = r as u16;
                count += usize::from(is_long);
            }
            if count > 0 && !self.long_met.load(Ordering::Relaxed) {
                self.long_met.store(true, Ordering::Relaxed);
            }
            if diff.is_none() {
                let buffers = self.views.buffers(part);
                for &r in &listed[..count] {
                    let k = self.long_kind(buffers, views[r as usize]);
                    all |= k;
                    lanes[r as usize] = (k & 3) as u8;
                }
                return all;
            }
        }
        let mut all = 0;
        for (lane, k) in lanes.iter_mut().zip(self.kinds(rows)) {
            all |= k;
            *lane = (k & 3) as u8;
        }
        all
    }
}

/// Rows → pair table for ids of a small range with unit weights and outcomes 0, ½, 1, in one
/// pass (module docs). `Ok(None)` when the rows are not such rows (the general path then
/// reduces them and reports what is wrong); `Err(Interrupted)` on Ctrl-C (watched).
pub fn reduce_ids<T: Id, K: Kinds + ?Sized>(a: &[T], b: &[T], outcomes: &K) -> Result<Option<IdTable>> {
    let m = a.len();
    if b.len() != m || outcomes.rows().is_some_and(|l| l != m) {
        return Err(Error::InvalidArgument("column lengths differ".into()));
    }
    reduce_rows::<T, K, false>(m, outcomes.starts(), [&[a], &[b]], |r| Some((&a[r.clone()], &b[r.clone()])), outcomes)
}

/// [`reduce_ids`] of id columns in parts (a Parquet read's row groups, decision 62): both
/// columns' parts end at the same rows, each read where it lies — the passes' chunks never
/// cross a part's end, and each chunk is counted as a slice, as one column's rows are (a
/// loop of its own: through the parts, one slice's loop lost 7%, its registers spilled).
pub fn reduce_id_parts<T: Id, K: Kinds + ?Sized>(a: &Parts<'_, T>, b: &Parts<'_, T>, outcomes: &K) -> Result<Option<IdTable>> {
    let m = a.len();
    if b.starts != a.starts || outcomes.rows().is_some_and(|l| l != m) {
        return Err(Error::InvalidArgument("column lengths differ (or their parts end at different rows)".into()));
    }
    // (the chunks end where a part of the ids or of the outcomes does)
    let mut bounds: Vec<usize> = a.inner_starts().iter().chain(outcomes.starts()).copied().collect();
    bounds.sort_unstable();
    bounds.dedup();
    reduce_rows::<T, K, true>(m, &bounds, [&a.parts, &b.parts], |r| a.get(r.clone()).zip(b.get(r.clone())), outcomes)
}

/// The one pass of [`reduce_ids`] and [`reduce_id_parts`] over `m` rows, in chunks that never
/// cross one of `bounds`, whose ids `rows` gives as two slices (`None`: across a part's end,
/// never asked); `parts` the columns' parts (for their range); `APART`: the counting loop not
/// inlined ([`count_rows_apart`]).
fn reduce_rows<'a, T: Id, K: Kinds + ?Sized, const APART: bool>(
    m: usize,
    bounds: &[usize],
    parts: [&[&'a [T]]; 2],
    rows: impl Fn(&Range<usize>) -> Option<(&'a [T], &'a [T])> + Sync,
    outcomes: &K,
) -> Result<Option<IdTable>> {
    if m == 0 {
        return Ok(None);
    }
    crate::interrupt::watched(|stop| {
        // (the range of the first rows first: of the first part that has any)
        let first = parts[0].iter().zip(parts[1]).find(|(x, _)| !x.is_empty()).map_or((&[][..], &[][..]), |(x, y)| (*x, *y));
        let head = first.0.len().min(POLL_ROWS);
        let mut range = key_range(&[&first.0[..head], &first.1[..head]], stop)?;
        for attempt in 0..2 {
            let Some((lo, hi)) = range else { return Ok(None) };
            // The square's side: a power of two, so that a cell is two shifts and a mask.
            let width = (hi - lo).saturating_add(1).next_power_of_two();
            if width > MAX_WIDTH as u64 {
                return Ok(None);
            }
            let width = width as usize;
            let out_of_range = AtomicBool::new(false);
            // A chunk's verdict: go on unless an id was outside the square or a kind other.
            let verdict = |ids: u64, kinds: u64| {
                let outside = ids >= width as u64;
                if outside {
                    out_of_range.store(true, Ordering::Relaxed);
                }
                !outside && kinds & !3 == 0
            };
            let cells = width * width * 4;
            let counted = if outcomes.lanes(0..0, &mut [], &mut LaneState::default()).is_none() {
                in_blocks(
                    m,
                    bounds,
                    stop,
                    || try_zeroed::<u32>(cells),
                    |sq, r| {
                        let Some((x, y)) = rows(&r).filter(|_| outcomes.within(&r)) else { return false };
                        let rows = id_rows(x, y, outcomes.kinds(r), lo);
                        let (ids, kinds) = if APART { count_rows_apart(sq, rows, width as u64) } else { count_rows(sq, rows, width as u64) };
                        verdict(ids, kinds)
                    },
                )?
            } else {
                // Labels: a piece's lanes first, then counted ([`Kinds::lanes`]).
                let state = || Ok((try_zeroed::<u32>(cells)?, LanePiece::new()?));
                let blocks = in_blocks(m, bounds, stop, state, |(sq, piece), r| {
                    let Some((x, y)) = rows(&r).filter(|_| outcomes.within(&r)) else { return false };
                    let (mut ids, mut kinds) = (0, 0);
                    for s in r.clone().step_by(PIECE_ROWS) {
                        let e = (s + PIECE_ROWS).min(r.end);
                        let [LanePiece { lanes, state }] = &mut **piece;
                        let lanes = &mut lanes[..e - s];
                        kinds |= outcomes.lanes(s..e, lanes, state).unwrap_or(OTHER);
                        let (x, y) = (&x[s - r.start..e - r.start], &y[s - r.start..e - r.start]);
                        let rows = id_rows(x, y, lanes.iter().map(|&l| l as u64), lo);
                        let (i, k) = if APART { count_rows_apart(sq, rows, width as u64) } else { count_rows(sq, rows, width as u64) };
                        (ids, kinds) = (ids | i, kinds | k);
                    }
                    verdict(ids, kinds)
                })?;
                blocks.map(|blocks| blocks.into_iter().map(|(sq, _)| sq).collect())
            };
            match counted {
                Some(squares) => return square_table(&sum_squares(&squares, cells)?, lo, width),
                None if out_of_range.load(Ordering::Relaxed) && attempt == 0 => {
                    let all: Vec<&[T]> = parts[0].iter().chain(parts[1]).copied().collect();
                    range = key_range(&all, stop)?
                }
                None if out_of_range.load(Ordering::Relaxed) => return Err(Error::InvalidArgument("reduce_ids: ids outside their measured range".into())),
                None => return Ok(None),
            }
        }
        Ok(None)
    })?
}

/// Blocks of rows (split by size, never by thread count; in parallel) handed chunk by chunk
/// — at most [`POLL_ROWS`] rows, none across one of the sorted row `bounds` (where the
/// columns' parts start, [`Parts`]) — to `chunk` with a state from `start`, which says
/// whether to go on: the states, or `None` when a chunk said no (every block then ends at its
/// next chunk). The stop flag is read between chunks. A state is made once per thread that
/// takes a block, not once per block, and handed to each block that thread takes (decision
/// 63): its square is zeroed and its front built once (a state per block cost names' passes
/// ~10% of their CPU on 10M rows, eight blocks on two threads). Its `u32` counts then hold
/// the rows of several blocks: below `u32::MAX` while `m` is, else a state per block. The
/// states' number and order vary from run to run; what the passes make of them (integer
/// counts added, names sorted) does not. A thread's slot is never waited for: should it be
/// held (a `start` or `chunk` that entered rayon and was handed another block), the block
/// gets a state of its own.
fn in_blocks<S: Send>(
    m: usize,
    bounds: &[usize],
    stop: &Stop,
    start: impl Fn() -> Result<S> + Sync,
    chunk: impl Fn(&mut S, Range<usize>) -> bool + Sync,
) -> Result<Option<Vec<S>>> {
    let blocks = (m / MIN_BLOCK_ROWS).clamp(1, MAX_BLOCKS);
    let per = m.div_ceil(blocks);
    if per >= u32::MAX as usize {
        return Ok(None); // block counts would not fit u32: the general path
    }
    let gave_up = AtomicBool::new(false);
    let count = |state: &mut S, blk: usize| {
        let (mut r, end) = ((blk * per).min(m), ((blk + 1) * per).min(m));
        while r < end && !stop.stopped() && !gave_up.load(Ordering::Relaxed) {
            // (never past a part's end: the next bound after r)
            let next = bounds.get(bounds.partition_point(|&b| b <= r)).copied().unwrap_or(m);
            let e = (r + POLL_ROWS).min(end).min(next);
            if !chunk(state, r..e) {
                gave_up.store(true, Ordering::Relaxed);
            }
            r = e;
        }
    };
    // A slot a thread of the pool running the blocks (by its index), or a slot a block when
    // the counts of several blocks could pass u32::MAX; states made where no slot was free.
    let per_block = m >= u32::MAX as usize;
    let slots: Vec<Mutex<Option<S>>> = (0..if per_block { blocks } else { rayon::current_num_threads().max(1) }).map(|_| Mutex::new(None)).collect();
    let apart: Mutex<Vec<S>> = Mutex::new(Vec::new());
    (0..blocks).into_par_iter().try_for_each(|blk| -> Result<()> {
        let slot = if per_block { blk } else { rayon::current_thread_index().unwrap_or(0) % slots.len() };
        match slots[slot].try_lock() {
            Ok(mut held) => count(
                match &mut *held {
                    Some(state) => state,
                    empty => empty.insert(start()?),
                },
                blk,
            ),
            Err(_) => {
                let mut state = start()?;
                count(&mut state, blk);
                apart.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(state);
            }
        }
        Ok(())
    })?;
    if stop.stopped() {
        return Err(Error::Interrupted);
    }
    let inner = |slot: Mutex<Option<S>>| slot.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let apart = apart.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok((!gave_up.load(Ordering::Relaxed)).then(|| slots.into_iter().filter_map(inner).chain(apart).collect()))
}

/// Rows of a piece (decision 48): the names' codes and the labels' lanes are written a piece
/// at a time (in L1), the views' differences from their slots tested once a piece, and
/// [`reduce_names`] tests for a declined name between two pieces.
const PIECE_ROWS: usize = 4096;

/// The counting kernel (decision 43): per row, its ids (already less the square's least id:
/// [`id_rows`]) and kind, the cell `x·width + y` and one increment of
/// the row's lane in it, masked by the square's size (a power of two): no test per row. An id
/// outside the square (below the least it wraps to a large number) lands on some cell, and
/// the chunk is then discarded: the ids and the kinds are or-ed into two words
/// that the caller tests once per chunk. Returns (the ids or-ed: ≥ `width`, a power of two,
/// when one was outside the square; the kinds or-ed: past 3 when a row was anything else).
#[inline]
fn count_rows(sq: &mut [u32], rows: impl Iterator<Item = (u64, u64, u64)>, width: u64) -> (u64, u64) {
    // The square's cells are a power of two (4·width²): a cell masked by their number less
    // one needs no bounds test (decision 46).
    debug_assert!(sq.len().is_power_of_two());
    let mask = sq.len().saturating_sub(1);
    let sq = &mut sq[..=mask];
    let (mut ids, mut all) = (0u64, 0u64);
    for (x, y, k) in rows {
        ids |= x | y;
        all |= k;
        let at = x.wrapping_mul(width).wrapping_add(y).wrapping_mul(4).wrapping_add(k & 3);
        sq[at as usize & mask] += 1;
    }
    (ids, all)
}

/// [`count_rows`] as a function of its own, not inlined: in [`reduce_id_parts`]' pass, its
/// loop inlined held one value too many for the registers (integer ids in ten parts 29 → 43
/// ms on one thread; one slice's loop inlined stays 5% faster).
#[inline(never)]
fn count_rows_apart(sq: &mut [u32], rows: impl Iterator<Item = (u64, u64, u64)>, width: u64) -> (u64, u64) {
    count_rows(sq, rows, width)
}

/// Cells of a block's square of names: 256 × 256 ordered pairs of `u8` codes, 4 lanes each.
const NAME_CELLS: usize = MAX_WIDTH * MAX_WIDTH * 4;

/// [`count_rows`] for names' codes ([`NameFront::code`]), given per row as the pair
/// `x << shift | y` of the two `u8` codes ([`NameFront::shift`]) and the outcome's kind: the cell `pair·4 + lane` is
/// within the square's fixed size (no bounds test, no or of the ids: a declined name is
/// flagged by the front). Returns the kinds or-ed.
#[inline]
fn count_names(sq: &mut [u32; NAME_CELLS], rows: impl Iterator<Item = (u16, u64)>) -> u64 {
    let mut all = 0u64;
    for (pair, k) in rows {
        all |= k;
        sq[(pair as usize) << 2 | (k & 3) as usize] += 1;
    }
    all
}

/// A square of names' pairs counted in rows of `1 << from` pairs, moved to rows of `1 << to`
/// (decision 52): each cell moves up, so the cells are moved from the last.
fn widen(sq: &mut [u32; NAME_CELLS], from: u32, to: u32) {
    if from == to {
        return;
    }
    for x in (0..1usize << from).rev() {
        for y in (0..1usize << from).rev() {
            let (old, new) = ((x << from | y) * 4, (x << to | y) * 4);
            if old != new {
                sq.copy_within(old..old + 4, new);
                sq[old..old + 4].fill(0);
            }
        }
    }
}

/// The rows of id columns for [`count_rows`]: each id less `lo` (its key's), computed from
/// the raw bits less `lo ^ FLIP` (one subtraction, [`Id::FLIP`]).
#[inline]
fn id_rows<'a, T: Id>(a: &'a [T], b: &'a [T], kinds: impl Iterator<Item = u64> + 'a, lo: u64) -> impl Iterator<Item = (u64, u64, u64)> + 'a {
    let lo = lo ^ T::FLIP;
    a.iter().zip(b).zip(kinds).map(move |((&x, &y), k)| (x.raw().wrapping_sub(lo), y.raw().wrapping_sub(lo), k))
}

/// The states' squares added into `u64` counts (integers: the same sums in any order).
fn sum_squares(squares: &[Vec<u32>], cells: usize) -> Result<Vec<u64>> {
    let mut total = try_zeroed::<u64>(cells)?;
    for sq in squares {
        total.iter_mut().zip(sq).for_each(|(t, &c)| *t += c as u64);
    }
    Ok(total)
}

/// The ordered counts folded into the table: pair (x < y) gets x's wins as `a` plus its wins
/// as `b`, and so on; items that appear numbered in key order. `None` on a self-comparison
/// (a count on the diagonal).
fn square_table(cells: &[u64], lo: u64, width: usize) -> Result<Option<IdTable>> {
    let at = |x: usize, y: usize| &cells[(x * width + y) * 4..(x * width + y) * 4 + 4];
    if (0..width).any(|x| at(x, x).iter().any(|&c| c > 0)) {
        return Ok(None);
    }
    let present: Vec<bool> = (0..width).map(|x| (0..width).any(|y| at(x, y).iter().chain(at(y, x)).any(|&c| c > 0))).collect();
    let mut code = vec![0u32; width];
    let mut keys = Vec::new();
    for x in (0..width).filter(|&x| present[x]) {
        code[x] = keys.len() as u32;
        keys.push(lo + x as u64);
    }
    let mut table = PairTable { n: keys.len(), ..Default::default() };
    for x in 0..width {
        for y in x + 1..width {
            let (xy, yx) = (at(x, y), at(y, x));
            let (wins_x, wins_y, ties) = (xy[0] + yx[1], xy[1] + yx[0], xy[2] + yx[2]);
            if wins_x + wins_y + ties > 0 {
                table.i.push(code[x]);
                table.j.push(code[y]);
                table.wins_i.push(wins_x as f64);
                table.wins_j.push(wins_y as f64);
                table.ties.push(ties as f64);
            }
        }
    }
    Ok(Some(IdTable { keys, table }))
}

/// The table of [`reduce_names`]: `names[k]` is item `k`'s name (its bytes), in byte order.
#[derive(Debug, Clone, PartialEq)]
pub struct NameTable {
    pub names: Vec<Vec<u8>>,
    pub table: PairTable,
}

/// Slots of a block's name table: twice [`MAX_WIDTH`], so at most half full.
const NAME_SLOTS: usize = 2 * MAX_WIDTH;
/// The key of an empty slot: no short name packs to it (its length would be 2^32 − 1).
const NO_NAME: u128 = u128::MAX;
/// [`NameCodes::names`]' entry for a name past 12 bytes (its bytes are in `long`).
const LONG_NAME: u128 = NO_NAME;

/// A block's names → codes in order of first appearance: open addressing over the packed
/// short names (16 bytes each; 8.5 KiB in all, a core's L1), and the long ones apart.
struct NameCodes {
    keys: Box<[u128; NAME_SLOTS]>,
    codes: Box<[u8; NAME_SLOTS]>,
    /// Per code, the packed name, or [`LONG_NAME`].
    names: Vec<u128>,
    /// The names past 12 bytes (decision 53), found through `long_slots` (open addressing on
    /// [`NameCodes::long_hash`]; an index into `long` plus one, 0 empty); `long_keys` their
    /// words ([`NameCodes::long_words`]), lengths and codes, in the same order.
    long: Vec<Vec<u8>>,
    long_keys: Vec<LongKey>,
    long_slots: Box<[u16; NAME_SLOTS]>,
}

/// A long name's words ([`NameCodes::long_words`]), length and code, in one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct LongKey {
    words: [u64; 4],
    len: usize,
    code: u8,
}

impl LongKey {
    /// 0 when words `w` and length `len` are this key's; else not 0 (no branch).
    #[inline(always)]
    fn differs(&self, w: &[u64; 4], len: usize) -> u64 {
        (self.words[0] ^ w[0]) | (self.words[1] ^ w[1]) | (self.words[2] ^ w[2]) | (self.words[3] ^ w[3]) | (self.len ^ len) as u64
    }
}

/// Whether `slots` are all distinct (slots below `64 * W`): a multiplier's test that it places
/// a front's names apart ([`NameFront`], [`LongFront`]).
fn apart<const W: usize>(slots: impl IntoIterator<Item = usize>) -> bool {
    let mut taken = [0u64; W];
    slots.into_iter().all(|at| {
        let fresh = taken[at / 64] & (1 << (at % 64)) == 0;
        taken[at / 64] |= 1 << (at % 64);
        fresh
    })
}

/// Pair `p` with column `side`'s code `code` (0: the first code, shifted by `shift`; 1: the
/// second), the other code kept (the codes are below `1 << shift`).
#[inline(always)]
fn with_code(p: u16, side: usize, code: u8, shift: u32) -> u16 {
    let low = (1u16 << shift) - 1;
    if side == 0 {
        (code as u16) << shift | (p & low)
    } else {
        (p & !low) | code as u16
    }
}

impl NameCodes {
    fn new() -> NameCodes {
        NameCodes {
            keys: Box::new([NO_NAME; NAME_SLOTS]),
            codes: Box::new([0; NAME_SLOTS]),
            names: Vec::new(),
            long: Vec::new(),
            long_keys: Vec::new(),
            long_slots: Box::new([0; NAME_SLOTS]),
        }
    }

    /// A long name's words, read without a call: the 8 bytes at 0, 8 and 16, each at most at
    /// the last 8, and the last 8 (`bytes` past 12). Past 32 bytes they are not the whole
    /// name (its end is in: where versions differ, `…-20240620` and `…-20241022`).
    #[inline(always)]
    fn long_words(bytes: &[u8]) -> [u64; 4] {
        let last = bytes.len().saturating_sub(8);
        let word = |at: usize| bytes.get(at..at + 8).and_then(|w| w.try_into().ok()).map_or(0, u64::from_le_bytes);
        [word(0), word(8.min(last)), word(16.min(last)), word(last)]
    }

    /// A slot of `long_slots` for a long name's words and length.
    #[inline(always)]
    fn long_hash(w: &[u64; 4], len: usize) -> usize {
        let h = (w[0] ^ w[2]).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (w[1] ^ w[3] ^ len as u64).wrapping_mul(0xa409_3822_299f_31d1);
        (h >> (64 - NAME_SLOTS.trailing_zeros())) as usize
    }

    /// The code of a long name seen before (`None` for one not seen, or bytes of at most 12):
    /// its words against each name's in its slot's chain, its bytes too past 32.
    #[inline]
    fn long_found(&self, bytes: &[u8]) -> Option<u8> {
        let w = Self::long_words(bytes);
        let mut i = Self::long_hash(&w, bytes.len());
        loop {
            let at = (self.long_slots[i] as usize).checked_sub(1)?;
            let key = self.long_keys.get(at)?;
            if key.differs(&w, bytes.len()) == 0 && (bytes.len() <= 32 || self.long.get(at).is_some_and(|name| name.as_slice() == bytes)) {
                return Some(key.code);
            }
            i = (i + 1) % NAME_SLOTS;
        }
    }

    /// The code of a name past 12 bytes, a new one given the next code: `None` for bytes of
    /// at most 12 (a view whose buffer was not there) or a 257th name.
    fn long_code(&mut self, bytes: &[u8]) -> Option<u8> {
        if bytes.len() <= 12 {
            return None;
        }
        if let Some(code) = self.long_found(bytes) {
            return Some(code);
        }
        if self.names.len() == MAX_WIDTH {
            return None;
        }
        let words = Self::long_words(bytes);
        let mut i = Self::long_hash(&words, bytes.len());
        while self.long_slots[i] != 0 {
            i = (i + 1) % NAME_SLOTS;
        }
        let code = self.names.len() as u8;
        // (room for all three first: they stay in step if an allocation fails)
        let mut name = Vec::new();
        if name.try_reserve_exact(bytes.len()).is_err()
            || self.long_keys.try_reserve(1).is_err()
            || self.long.try_reserve(1).is_err()
            || self.names.try_reserve(1).is_err()
        {
            return None;
        }
        name.extend_from_slice(bytes);
        self.long_keys.push(LongKey { words, len: bytes.len(), code });
        self.long.push(name);
        self.names.push(LONG_NAME);
        self.long_slots[i] = self.long.len() as u16;
        Some(code)
    }

    /// The bytes of code `code`'s name.
    fn name_bytes(&self, code: usize) -> Vec<u8> {
        match self.names.get(code) {
            Some(&LONG_NAME) => self.long_keys.iter().position(|k| k.code as usize == code).and_then(|at| self.long.get(at)).map_or(Vec::new(), |b| b.clone()),
            Some(&key) => StrKey::Short(key).to_bytes(),
            None => Vec::new(),
        }
    }

    /// Two multiplications: the low half mixed into the high one, and the top bits of their
    /// product (which every bit of both halves reaches).
    #[inline]
    fn slot(key: u128) -> usize {
        let h = (key as u64 ^ 0x243f_6a88_85a3_08d3).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key >> 64) as u64;
        (h.wrapping_mul(0xa409_3822_299f_31d1) >> (64 - NAME_SLOTS.trailing_zeros())) as usize
    }

    /// The code of a string view: `None` for a name longer than 12 bytes or a 257th name.
    #[inline]
    fn code(&mut self, view: u128) -> Option<u8> {
        let key = StrKey::short_view(view)?;
        let i = Self::slot(key);
        if self.keys[i] == key {
            return Some(self.codes[i]);
        }
        self.probe(i, key)
    }

    /// Past the first slot: the next slots up to the name or an empty one (a new name).
    #[cold]
    fn probe(&mut self, mut i: usize, key: u128) -> Option<u8> {
        loop {
            if self.keys[i] == key {
                return Some(self.codes[i]);
            }
            if self.keys[i] == NO_NAME {
                if self.names.len() == MAX_WIDTH {
                    return None;
                }
                try_push(&mut self.names, key).ok()?;
                self.keys[i] = key;
                self.codes[i] = (self.names.len() - 1) as u8;
                return Some(self.codes[i]);
            }
            i = (i + 1) % NAME_SLOTS;
        }
    }
}

/// Slots of a block's front table of names: 8,192 (a view and a `u8` code each, 256 KiB, of
/// which the names' slots are touched: ~100 cache lines for 100 names), so that a multiplier
/// placing 100 names without a collision is found in about two tries (256 names: ~50).
const FRONT_BITS: u32 = 13;
const FRONT_SLOTS: usize = 1 << FRONT_BITS;
/// Multipliers tried for a front table without collisions before the names that collide are
/// left to the directory.
const FRONT_TRIES: u64 = 256;

/// `N` copies of `value` in a box of a fixed size (fallible: `Error::OutOfMemory`), so that an
/// index known to be below `N` needs no bounds test.
fn boxed<T: Clone, const N: usize>(value: T) -> Result<Box<[T; N]>> {
    try_filled(N, value)?.into_boxed_slice().try_into().map_err(|_| Error::InvalidArgument("boxed: length".into()))
}

/// The front of a block's names (decisions 43 and 46): a string view, as read (padding and
/// all), hashed by one multiplication to a slot, and the slot's view compared with it — one
/// load, one compare and no probing; the slot also holds the name's code. The multiplier is
/// chosen so that the names seen so far take distinct slots (a perfect hash, rebuilt when a
/// new name collides); an empty slot holds a key that does not hash to it, so that no view
/// matches it (a slot holds a name exactly when its key hashes to it). A view that does not
/// match (a new name, a name whose slot is taken, garbage in a short view's padding, a long
/// name) goes to the directory ([`NameCodes`]).
struct NameFront {
    table: Front,
    /// The block's square has rows of `1 << shift` pairs (decision 52): the least power of
    /// two, from 16, that holds every code so far (at most 256). 100 names: 2 KiB rows, 50
    /// pages of 4 KiB touched, not 100.
    shift: u32,
    /// Set when a view was declined (a 257th name, a long view not in its buffers): the codes
    /// given since are 0, and the caller discards its counts.
    declined: bool,
    directory: NameCodes,
    /// The long names' front (decision 54; the short names' keys too, decision 60), and each
    /// column's front of views (decision 56), made when a long name is met (`views_made`:
    /// once, even when there was no room).
    long: LongFront,
    views: Option<Box<[ViewFront; 2]>>,
    views_made: bool,
    /// Set when the last piece listed had long views in at least [`BYTES_FIRST`] of its
    /// rows (decision 60): pieces are then read through their bytes in one loop, short views
    /// too ([`NameFront::pairs_long`]), and every [`RECOUNT`]th is listed again (`recount`:
    /// pieces left before it).
    bytes_first: bool,
    recount: u32,
}

/// The share of long views (of both columns' rows) from which a piece is read through its
/// bytes whole rather than listed ([`NameFront::bytes_first`]), in 64ths: 10M rows of 23-byte
/// names mixed with names of 5 took 170 ms through the bytes whatever the share, listed 206
/// ms with 90% long, 195 with 80%, 175 with 70%, 145 with 50% (one thread).
const BYTES_FIRST: usize = 44;
/// Pieces read through their bytes before one is listed again, to count its long views.
const RECOUNT: u32 = 64;

/// A slot of the front: the view found there (a name's, or a key that does not hash to the
/// slot) and its name's code, also shifted by the front's `shift` (`high`: a pair's first
/// code, decisions 49, 52),
/// in one cache line with the next slot (32 bytes: one base address for the key and the
/// code, the slot's offset one shift of the hash).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    key: u128,
    code: u8,
    high: u16,
}

impl Slot {
    /// An empty slot (but the one key 0 hashes to: [`Front::place`]).
    const EMPTY: Slot = Slot { key: 0, code: 0, high: 0 };
}

/// Slots of a block's front of long names: 8,192 `u16`s (16 KiB, of which the names' slots
/// are touched), so that a multiplier placing 100 names apart is found in about two tries
/// (256 names: ~50), as for [`NameFront`].
const LONG_FRONT_BITS: u32 = 13;
const LONG_FRONT_SLOTS: usize = 1 << LONG_FRONT_BITS;
/// The longest name in a [`LongFront`]: up to 32 bytes, a name's four words
/// ([`NameCodes::long_words`]) are the whole name.
const LONG_FRONT_MAX: usize = 32;
/// The length [`LongFront::words`] gives a view it cannot read as long: no key's (the key of
/// no name is `usize::MAX` long).
const NO_LENGTH: usize = usize::MAX - 1;

/// The front of a block's names of 13 to 32 bytes (decision 54): a long view's words
/// ([`NameCodes::long_words`], read in its buffer) and length hashed by one multiplication to
/// a slot, which holds the index of a name's key ([`LongKey`]); the key's words and length are
/// xor-ed with the view's and or-ed into one word, tested once a piece ([`NameFront::byte_codes`]):
/// no probing, no branch a view. The multiplier is chosen so that the long names seen so far
/// take distinct slots; an empty slot holds the index of the key of no name (its length is
/// `usize::MAX`). Not `ready` once a name is past 32 bytes or no multiplier tried places the
/// names apart: the block's long views are then found through the directory ([`NameCodes::long_found`]).
/// It also holds the short names' keys (decision 60: a short view's own 16 bytes read as a
/// name of 16, its length at most 12, [`LongFront::words`]), so that a piece mixing both
/// kinds is read in one loop ([`NameFront::byte_pairs`]).
struct LongFront {
    slots: Box<[u16; LONG_FRONT_SLOTS]>,
    /// The names' keys (long and short) in the order met, then the key of no name (at `MAX_WIDTH`).
    keys: Box<[LongKey; MAX_WIDTH + 1]>,
    count: usize,
    mul: u64,
    ready: bool,
}

impl LongFront {
    fn new() -> Result<LongFront> {
        let none = LongKey { words: [0; 4], len: usize::MAX, code: 0 };
        Ok(LongFront { slots: boxed(MAX_WIDTH as u16)?, keys: boxed(none)?, count: 0, mul: NameFront::multiplier(0), ready: true })
    }

    /// One multiplication: the four words (the second, third and fourth rotated, so that
    /// equal words do not cancel: up to 24 bytes the third and fourth are the same) and the
    /// length xor-ed (shifted past a short key's length, which its first word holds: xor-ed
    /// there it would cancel, and names differing only by trailing NUL bytes share a slot
    /// under every multiplier), times the multiplier, the top bits.
    #[inline(always)]
    fn slot(mul: u64, w: &[u64; 4], len: usize) -> usize {
        let x = w[0] ^ w[1].rotate_left(17) ^ w[2].rotate_left(34) ^ w[3].rotate_left(51) ^ (len as u64) << 40;
        (x.wrapping_mul(mul) >> (64 - LONG_FRONT_BITS)) as usize
    }

    /// A view's words and its length: a view of 13 to 32 bytes within its buffer, its bytes'
    /// words there ([`NameCodes::long_words`]); with `SHORT`, a short view (at most 12 bytes,
    /// decision 60) too, the view's own 16 bytes read as a name of 16 (its words the view's
    /// two halves, the second thrice), so that one loop reads names of both kinds, and `None`
    /// for any other view (outside its buffers, past 32 bytes); without `SHORT`, any other
    /// view is [`NO_LENGTH`] long. `buffers` not empty ([`LongFront::buffers`]). With `SHORT`
    /// the view's kind is not a branch (where names of both kinds are mixed in a column, it
    /// would be mispredicted), and the test of a long view's bounds one never taken (so that
    /// the words' reads need not wait for it); without it, every view is read as long, as
    /// before decision 60 (the kind's select cost 8–15% where all views are long).
    /// (Through [`view_bytes`], 10M rows of 23-byte names took 209 ms on one thread against 194.)
    #[inline(always)]
    fn words<const SHORT: bool>(buffers: &[&[u8]], view: &u128) -> Option<([u64; 4], usize)> {
        let v = *view;
        let (len, buf, off) = ((v as u32) as usize, ((v >> 64) as u32) as usize, ((v >> 96) as u32) as usize);
        let (at, last) = match SHORT {
            true => {
                // (a short view's `buf` is name bytes: the buffer read is then the last, not used)
                let bytes = *buffers.get(buf.min(buffers.len().wrapping_sub(1)))?;
                let short = len <= 12;
                if !short & !((len <= LONG_FRONT_MAX) & (buf < buffers.len()) & (len <= bytes.len()) & (off <= bytes.len().wrapping_sub(len))) {
                    return None;
                }
                match short {
                    true => ((view as *const u128).cast::<u8>(), 8),
                    false => (bytes.as_ptr().wrapping_add(off), len.wrapping_sub(8)),
                }
            }
            false => {
                let end = off.checked_add(len).filter(|_| (13..=LONG_FRONT_MAX).contains(&len));
                let Some(bytes) = end.and_then(|end| buffers.get(buf)?.get(off..end)) else {
                    return Some(([0; 4], NO_LENGTH));
                };
                (bytes.as_ptr(), len - 8)
            }
        };
        // SAFETY: `at` holds `last + 8` bytes: a long view's `len` (13 to 32) within its
        // buffer, else the view's 16; each word is read at most at `last`.
        let word = |to: usize| unsafe { u64::from_le(std::ptr::read_unaligned(at.add(to) as *const u64)) };
        Some(([word(0), word(8.min(last)), word(16.min(last)), word(last)], len))
    }

    /// `buffers`, or one empty buffer when there are none (for [`LongFront::words`]).
    fn buffers<'a>(buffers: &'a [&'a [u8]]) -> &'a [&'a [u8]] {
        match buffers.is_empty() {
            true => &[&[]],
            false => buffers,
        }
    }

    /// The key in the slot of a view's words and length (the key of no name when empty).
    #[inline(always)]
    fn key(&self, w: &[u64; 4], len: usize) -> &LongKey {
        &self.keys[(self.slots[Self::slot(self.mul, w, len)] as usize).min(MAX_WIDTH)]
    }

    /// A new long name's key: placed in its slot, or under the first multiplier tried that
    /// places every name apart; past 32 bytes, or without such a multiplier, not `ready`.
    fn add(&mut self, key: LongKey) {
        if key.len > LONG_FRONT_MAX || self.count >= MAX_WIDTH {
            self.ready = false;
        }
        if !self.ready {
            return;
        }
        self.keys[self.count] = key;
        self.count += 1;
        let at = Self::slot(self.mul, &key.words, key.len);
        if self.slots[at] as usize == MAX_WIDTH {
            self.slots[at] = (self.count - 1) as u16;
            return;
        }
        match (1..=FRONT_TRIES).map(NameFront::multiplier).find(|&m| self.places_all(m)) {
            Some(mul) => self.place(mul),
            None => self.ready = false,
        }
    }

    /// Whether `mul` puts every long name in a slot of its own.
    fn places_all(&self, mul: u64) -> bool {
        apart::<{ LONG_FRONT_SLOTS / 64 }>(self.keys[..self.count].iter().map(|k| Self::slot(mul, &k.words, k.len)))
    }

    /// The slots under `mul` (every name apart: [`LongFront::places_all`]).
    fn place(&mut self, mul: u64) {
        self.mul = mul;
        self.slots.fill(MAX_WIDTH as u16);
        for (i, k) in self.keys[..self.count].iter().enumerate() {
            self.slots[Self::slot(mul, &k.words, k.len)] = i as u16;
        }
    }
}

/// The most views a column's [`ViewFront`] holds in a part: past it (views that do not
/// repeat) the front is `crowded`.
const VIEW_MAX: usize = MAX_WIDTH;
/// The most pieces a column's long views skip its front of views after pieces where it was
/// of little use.
const VIEW_BACKOFF: u32 = 64;

/// A table of views and their codes without probing (decisions 43, 46, 56): a view, as read
/// (padding and all), hashed by one multiplication to a slot, and the slot's key compared
/// with it — one load, one compare, no probing; the slot also holds the code. The multiplier
/// is chosen so that the keys held take distinct slots (a perfect hash, chosen again when a
/// new key collides); an empty slot holds a key that does not hash to it, so that no view
/// matches it (a slot holds a key exactly when its key hashes to it).
struct Front {
    slots: Box<[Slot; FRONT_SLOTS]>,
    mul: u64,
}

impl Front {
    fn new() -> Result<Front> {
        let mut front = Front { slots: boxed(Slot::EMPTY)?, mul: 0 };
        front.place(std::iter::empty(), NameFront::multiplier(0), std::iter::empty(), 0);
        Ok(front)
    }

    /// One multiplication: the halves folded (the length meets bytes 4–7 of the name, its
    /// first four bytes the last four), times the multiplier, the top bits.
    /// Keys whose folds are equal share a slot under every multiplier: one of them is then
    /// not held (in the names' front, found by the directory: slower, the same code).
    #[inline(always)]
    fn slot(mul: u64, view: u128) -> usize {
        let (lo, hi) = (view as u64, (view >> 64) as u64);
        ((lo ^ hi).wrapping_mul(mul) >> (64 - FRONT_BITS)) as usize
    }

    /// The code of a view held (exactly as read: a view with garbage in its padding is not
    /// found here).
    #[inline]
    fn find(&self, view: u128) -> Option<u8> {
        let slot = &self.slots[Self::slot(self.mul, view)];
        (slot.key == view).then_some(slot.code)
    }

    /// Whether slot `at` holds a key (its key hashes to it).
    fn taken(&self, at: usize) -> bool {
        Self::slot(self.mul, self.slots[at].key) == at
    }

    /// Puts `key` with its code in its slot (the square's rows `1 << shift` pairs):
    /// `false` when another key holds the slot.
    fn put(&mut self, key: u128, code: u8, shift: u32) -> bool {
        let at = Self::slot(self.mul, key);
        if self.taken(at) {
            return self.slots[at].key == key;
        }
        self.slots[at] = Slot { key, code, high: (code as u16) << shift };
        true
    }

    /// Whether `mul` puts each of `keys` in a slot of its own.
    fn places_all(mul: u64, keys: impl Iterator<Item = u128>) -> bool {
        apart::<{ FRONT_SLOTS / 64 }>(keys.map(|k| Self::slot(mul, k)))
    }

    /// The slots of `held` (every key put under the present multiplier) emptied, then
    /// `entries` put under `mul` (of entries sharing a slot, the first); the slot key 0
    /// hashes to holds a key that does not (only the slots touched are written).
    fn place(&mut self, held: impl Iterator<Item = u128>, mul: u64, entries: impl Iterator<Item = (u128, u8)>, shift: u32) {
        for key in held {
            let at = Self::slot(self.mul, key);
            if self.slots[at].key == key {
                self.slots[at] = Slot::EMPTY;
            }
        }
        self.slots[Self::slot(self.mul, 0)] = Slot::EMPTY;
        self.mul = mul;
        let zero = Self::slot(mul, 0);
        self.slots[zero].key = (1..128).map(|b| 1u128 << b).find(|&k| Self::slot(mul, k) != zero).unwrap_or(u128::MAX);
        for (key, code) in entries {
            self.put(key, code, shift);
        }
    }

    /// Every slot's `high` for a square's rows of `1 << shift` pairs.
    fn shift_to(&mut self, shift: u32) {
        for slot in self.slots.iter_mut() {
            slot.high = (slot.code as u16) << shift;
        }
    }
}

/// The pairs of codes of two columns' views (`code(a) << shift | code(b)` a row into `pairs`,
/// as long as `a` and `b`) through fronts `fa` and `fb` as they stand (the names' front for
/// both columns, or each column's front of views), the views not tested one by one: each is
/// xor-ed with its slot's key into one word, tested once at the end (decision 48). `false`
/// when a view was not its slot's key: some pairs are then wrong, and the caller reads the
/// piece another way.
#[inline(always)]
fn pairs_through(fa: &Front, fb: &Front, a: &[u128], b: &[u128], pairs: &mut [u16]) -> bool {
    let (sa, ma, sb, mb) = (&*fa.slots, fa.mul, &*fb.slots, fb.mul);
    let mut diff = Differences::NONE;
    for ((x, y), p) in a.iter().zip(b).zip(pairs) {
        let (i, j) = (&sa[Front::slot(ma, *x)], &sb[Front::slot(mb, *y)]);
        diff = diff.with(x, &i.key).with(y, &j.key);
        *p = i.high | j.code as u16;
    }
    diff.is_none()
}

/// [`pairs_through`] for a column of labels ([`Labels`]): each view's code in `front` (its
/// kind) into `lanes` (as long as `views`); `false` when a view was not its slot's key.
#[inline]
fn lanes_through(front: &Front, views: &[u128], lanes: &mut [u8]) -> bool {
    let (slots, mul) = (&*front.slots, front.mul);
    let mut diff = Differences::NONE;
    for (v, lane) in views.iter().zip(lanes) {
        let slot = &slots[Front::slot(mul, *v)];
        diff = diff.with(v, &slot.key);
        *lane = slot.code;
    }
    diff.is_none()
}

/// The views of one column met in one part (an Arrow chunk), with their names' codes, in a
/// [`Front`] of their own (decision 56; a cache of long views before, decision 55). A
/// gathered column, a join, a Parquet read (a dictionary per row group) point each name's
/// rows at one copy of its bytes: its long views are then the same bits (length, first four
/// bytes, buffer, offset — in another part the same bits may name other bytes: the front is
/// emptied when the part changes) and are found as a short name is, by one hash, one load
/// and one compare, their bytes not read. Once both columns' fronts hold views, a piece is
/// first read through them as short names are ([`pairs_through`]: no branch, no listing);
/// a piece that fails is read by the listing loops (where a long view is looked up here
/// before its bytes are read), then its views not held are put here ([`ViewFront::learn`]).
/// A column whose views do not repeat (a CSV read, a column built from a list: each row its
/// own bytes) fills the front to [`VIEW_MAX`] (`crowded`: neither read through nor learned
/// again in the part), and its long views skip the lookups after a piece where fewer than a
/// quarter of them were found, for 1, 2, 4 … up to 64 pieces (nor are they learned then).
struct ViewFront {
    front: Front,
    /// The views held and their codes (at most [`VIEW_MAX`]).
    held: Vec<(u128, u8)>,
    /// The part whose views are held ([`reduce_names`]' tag, 2 · part + column + 1; for a
    /// column of labels, part + 1).
    tag: u32,
    /// Set when a view of the part could not be held.
    crowded: bool,
    /// Pieces left to skip, the skip after the next piece of little use, and whether the
    /// piece read looks here (its views are then learned).
    skip: u32,
    backoff: u32,
    looks: bool,
}

impl ViewFront {
    fn new() -> Result<ViewFront> {
        let held = crate::memory::try_with_capacity(VIEW_MAX)?;
        Ok(ViewFront { front: Front::new()?, held, tag: 0, crowded: false, skip: 0, backoff: 1, looks: false })
    }

    /// Starts a piece of part `tag` (the square's rows `1 << shift` pairs): the front is
    /// emptied when the part changed.
    fn enter(&mut self, tag: u32, shift: u32) {
        if tag != self.tag {
            let mul = self.front.mul;
            self.front.place(self.held.iter().map(|&(k, _)| k), mul, std::iter::empty(), shift);
            self.held.clear();
            (self.tag, self.crowded) = (tag, false);
        }
        self.looks = self.skip <= 1;
    }

    /// Whether the piece's long views look in the front (the skip counted down).
    #[inline]
    fn begin(&mut self) -> bool {
        self.skip = self.skip.saturating_sub(1);
        self.skip == 0
    }

    /// After a piece that looked: `hits` of its `long` views found.
    #[inline]
    fn end(&mut self, hits: usize, long: usize) {
        if hits * 4 < long {
            self.skip = self.backoff + 1;
            self.backoff = (self.backoff * 2).min(VIEW_BACKOFF);
        } else {
            self.backoff = 1;
        }
    }

    /// Puts the views of a piece not held yet with their codes (a square's rows `1 << shift`
    /// pairs), when the piece looked here; under another multiplier when one collides.
    /// `crowded` at a new view past [`VIEW_MAX`] views or past 16 views of the piece that
    /// collided, or when no multiplier tried places them apart.
    fn learn(&mut self, views: impl Iterator<Item = (u128, u8)>, shift: u32) {
        if self.crowded || !self.looks {
            return;
        }
        let (mut clashed, mut n) = ([0u128; 16], 0);
        for (v, code) in views {
            if self.front.find(v).is_some() || clashed[..n].contains(&v) {
                continue;
            }
            if self.held.len() == VIEW_MAX || n == clashed.len() {
                self.crowded = true;
                return;
            }
            self.held.push((v, code));
            if !self.front.put(v, code, shift) {
                clashed[n] = v;
                n += 1;
            }
        }
        if n > 0 {
            let keys = || self.held.iter().map(|&(k, _)| k);
            match (1..=FRONT_TRIES).map(NameFront::multiplier).find(|&m| Front::places_all(m, keys())) {
                Some(mul) => self.front.place(keys(), mul, self.held.iter().copied(), shift),
                None => self.crowded = true,
            }
        }
    }
}

impl NameFront {
    fn new() -> Result<NameFront> {
        Ok(NameFront {
            table: Front::new()?,
            shift: 4,
            declined: false,
            directory: NameCodes::new(),
            long: LongFront::new()?,
            views: None,
            views_made: false,
            bytes_first: false,
            recount: 0,
        })
    }

    /// The `t`-th multiplier tried (odd; a fixed sequence, so that a block's table depends on
    /// its names only).
    fn multiplier(t: u64) -> u64 {
        let mut z = t.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (z ^ (z >> 31)) | 1
    }

    /// The code of a view placed in the front table (exactly as read).
    #[inline]
    fn find(&self, view: u128) -> Option<u8> {
        self.table.find(view)
    }

    /// The view's code, a view past 12 bytes read in `buffers` (its part's); 0 with
    /// [`NameFront::declined`] set for a 257th name or a long view not in `buffers`.
    #[inline]
    fn code(&mut self, view: u128, buffers: &[&[u8]]) -> u8 {
        match self.find(view) {
            Some(c) => c,
            None => self.miss(view, buffers),
        }
    }

    /// The directory's code of a view the front did not match; a new name is placed in the
    /// front (a new multiplier when its slot is taken).
    #[cold]
    #[inline(never)]
    fn miss(&mut self, view: u128, buffers: &[&[u8]]) -> u8 {
        let known = self.directory.names.len();
        let found = match (view as u32) > 12 {
            true => self.directory.long_code(view_bytes(buffers, view)),
            false => self.directory.code(view),
        };
        let Some(code) = found else {
            self.declined = true;
            return 0;
        };
        if self.directory.names.len() > known {
            if self.directory.names.len() > 1 << self.shift {
                self.shift += 1;
                self.table.shift_to(self.shift);
                for views in self.views.iter_mut().flat_map(|v| v.iter_mut()) {
                    views.front.shift_to(self.shift);
                }
            }
            let key = self.directory.names[code as usize];
            if key == LONG_NAME {
                // (found through the long front, or the directory's bytes; never the front)
                if let Some(&new) = self.directory.long_keys.last() {
                    self.long.add(new);
                }
                return code;
            }
            // (a short name's key in the long front too: its view's words, decision 60)
            if let Some((words, len)) = LongFront::words::<true>(&[&[]], &key) {
                self.long.add(LongKey { words, len, code });
            }
            if !self.table.put(key, code, self.shift) {
                // (none of the tries: the colliding names are left to the directory)
                if let Some(mul) =
                    (1..=FRONT_TRIES).map(Self::multiplier).find(|&m| Front::places_all(m, Self::short_names(&self.directory.names).map(|(k, _)| k)))
                {
                    self.place(mul);
                }
            }
        }
        code
    }

    /// The pairs of codes of two columns' views through the front as it stands
    /// ([`pairs_through`]); `false` when a view was not its slot's key (the caller then finds
    /// the piece's views one by one, [`NameFront::code`]).
    #[inline]
    fn pairs_of(&self, a: &[u128], b: &[u128], pairs: &mut [u16]) -> bool {
        pairs_through(&self.table, &self.table, a, b, pairs)
    }

    /// The pairs of a piece of a block where a long name was met: through each column's
    /// front of views once both hold views ([`ViewFront`], decision 56), else (or when a view
    /// was not there) by [`NameFront::pairs_long`] while every name met is long or, where
    /// short names were met too, while the last piece listed was mostly long views
    /// ([`BYTES_FIRST`], decision 60), else [`NameFront::pairs_listing`], the piece's views
    /// then learned. `parts`: each column's part's data buffers and its tag. `false` as those.
    #[inline]
    fn pairs_viewing(&mut self, a: &[u128], b: &[u128], parts: [(&[&[u8]], u32); 2], pairs: &mut [u16], listed: &mut [u16; 2 * PIECE_ROWS]) -> bool {
        if !self.views_made {
            // (without room for them, long views are read through their bytes; not tried again)
            self.views_made = true;
            self.views = ViewFront::new().and_then(|first| Ok(Box::new([first, ViewFront::new()?]))).ok();
        }
        let shift = self.shift;
        if let Some(views) = self.views.as_deref_mut() {
            views[0].enter(parts[0].1, shift);
            views[1].enter(parts[1].1, shift);
            let ready = views.iter().all(|v| !v.crowded && !v.held.is_empty());
            if ready && pairs_through(&views[0].front, &views[1].front, a, b, pairs) {
                views.iter_mut().for_each(|v| (v.skip, v.backoff) = (0, 1));
                return true;
            }
        }
        self.recount = self.recount.saturating_sub(1);
        let bytes = self.long.ready && self.bytes_first && self.recount > 0;
        let read = match bytes || self.directory.long.len() == self.directory.names.len() {
            true => self.pairs_long(a, b, parts, pairs, listed),
            false => self.pairs_listing(a, b, parts, pairs, listed),
        };
        if let Some(views) = self.views.as_deref_mut().filter(|v| read && v.iter().all(|v| !v.crowded)) {
            let low = (1 << shift) - 1;
            views[0].learn(a.iter().copied().zip(pairs.iter().map(|&p| (p >> shift) as u8)), shift);
            views[1].learn(b.iter().copied().zip(pairs.iter().map(|&p| (p & low) as u8)), shift);
        }
        read
    }

    /// [`NameFront::pairs_of`] for columns with views past 12 bytes (decision 53): those are
    /// left out of the test and listed without a branch (`listed`: a column's rows, then the
    /// other's), then coded among the long names met ([`NameFront::long_codes`]). `false`
    /// when a short view was not its slot's key or a long name was not met before (the
    /// caller then reads the piece view by view).
    #[inline]
    fn pairs_listing(&mut self, a: &[u128], b: &[u128], parts: [(&[&[u8]], u32); 2], pairs: &mut [u16], listed: &mut [u16; 2 * PIECE_ROWS]) -> bool {
        if pairs.len() > PIECE_ROWS {
            return false;
        }
        let (slots, mul) = (&*self.table.slots, self.table.mul);
        let (mut diff, mut na, mut nb) = (Differences::NONE, 0usize, PIECE_ROWS);
        for (r, ((x, y), p)) in a.iter().zip(b).zip(pairs.iter_mut()).enumerate() {
            // (a long view's slot is 0's, in cache: its key is masked out of the test anyway)
            let short = |v: &u128| usize::from((*v as u32) <= 12).wrapping_neg();
            let (i, j) = (&slots[Front::slot(mul, *x) & short(x)], &slots[Front::slot(mul, *y) & short(y)]);
            diff = diff.with_short(x, &i.key).with_short(y, &j.key);
            *p = i.high | j.code as u16;
            listed[na % (2 * PIECE_ROWS)] = r as u16;
            na += usize::from((*x as u32) > 12);
            listed[nb % (2 * PIECE_ROWS)] = r as u16;
            nb += usize::from((*y as u32) > 12);
        }
        if !diff.is_none() {
            return false;
        }
        (self.bytes_first, self.recount) = ((na + nb - PIECE_ROWS) * 64 >= BYTES_FIRST * 2 * pairs.len(), RECOUNT);
        let (first, second) = listed.split_at_mut(PIECE_ROWS);
        self.long_codes(0, &mut first[..na], a, parts[0].0, pairs) && self.long_codes(1, &mut second[..nb - PIECE_ROWS], b, parts[1].0, pairs)
    }

    /// [`NameFront::pairs_listing`] for a block whose names are all long (decision 55): every
    /// view is coded as long (a short view is not found), the pairs first through the
    /// columns' fronts of views, both columns in one loop without a branch (listing the views
    /// not found there), then through their bytes. Where short names were met too (decision
    /// 60; the long front `ready`), every view is read through its bytes or its own 16 bytes
    /// ([`NameFront::byte_pairs`]), the fronts of views not looked in.
    #[inline]
    fn pairs_long(&mut self, a: &[u128], b: &[u128], parts: [(&[&[u8]], u32); 2], pairs: &mut [u16], listed: &mut [u16; 2 * PIECE_ROWS]) -> bool {
        if pairs.len() > PIECE_ROWS {
            return false;
        }
        let (first, second) = listed.split_at_mut(PIECE_ROWS);
        let (first, second) = (&mut first[..pairs.len()], &mut second[..pairs.len()]);
        let (mut na, mut nb) = (pairs.len(), pairs.len());
        // (short names met too: read from their views, decision 60)
        let mixed = self.directory.long.len() < self.directory.names.len();
        // (where short names are met, their views would be found in the fronts of views: read
        // through the bytes, the pieces are not listed)
        let views = self.views.as_deref_mut().filter(|_| !(mixed && self.long.ready));
        match views.and_then(|v| (v[0].begin() & v[1].begin()).then_some(v)) {
            Some(views) => {
                let (sa, ma, sb, mb) = (&*views[0].front.slots, views[0].front.mul, &*views[1].front.slots, views[1].front.mul);
                (na, nb) = (0, 0);
                for (r, ((x, y), p)) in a.iter().zip(b).zip(pairs.iter_mut()).enumerate() {
                    let (i, j) = (&sa[Front::slot(ma, *x)], &sb[Front::slot(mb, *y)]);
                    *p = i.high | j.code as u16;
                    first[na % PIECE_ROWS] = r as u16;
                    na += usize::from(i.key != *x);
                    second[nb % PIECE_ROWS] = r as u16;
                    nb += usize::from(j.key != *y);
                }
                let (hits, long) = (2 * pairs.len() - na - nb, 2 * pairs.len());
                views.iter_mut().for_each(|v| v.end(hits, long));
            }
            None if self.long.ready => {
                return match mixed {
                    true => self.byte_pairs::<true>(a, b, [parts[0].0, parts[1].0], pairs),
                    false => self.byte_pairs::<false>(a, b, [parts[0].0, parts[1].0], pairs),
                }
            }
            None => {
                for (r, (x, y)) in first.iter_mut().zip(second.iter_mut()).enumerate() {
                    (*x, *y) = (r as u16, r as u16);
                }
            }
        }
        // (here every name met is long: a mixed block with the long front ready was read above)
        self.byte_codes(0, &first[..na], a, parts[0].0, pairs) && self.byte_codes(1, &second[..nb], b, parts[1].0, pairs)
    }

    /// The codes of the long views of one column (`side`: 0 for the pairs' first codes) at
    /// rows `list` into `pairs` (the other code kept: the codes are below `1 << shift`): the
    /// column's front of views first, without a branch, listing again (in place) the views
    /// not found there, then those through their bytes (`buffers`: the part's). `false` when
    /// a view is not a long name met before.
    #[inline(always)]
    fn long_codes(&mut self, side: usize, list: &mut [u16], views: &[u128], buffers: &[&[u8]], pairs: &mut [u16]) -> bool {
        if list.is_empty() {
            return true;
        }
        let shift = self.shift;
        let mut missed = list.len();
        if let Some(front) = self.views.as_deref_mut().map(|v| &mut v[side & 1]).and_then(|v| v.begin().then_some(v)) {
            missed = 0;
            for at in 0..list.len() {
                let r = list[at];
                let (Some(p), Some(&v)) = (pairs.get_mut(r as usize), views.get(r as usize)) else { return false };
                let slot = &front.front.slots[Front::slot(front.front.mul, v)];
                *p = with_code(*p, side, slot.code, shift);
                list[missed] = r;
                missed += usize::from(slot.key != v);
            }
            front.end(list.len() - missed, list.len());
        }
        self.byte_codes(side, &list[..missed], views, buffers, pairs)
    }

    /// The pairs of a piece through its views' bytes in the long front (it must be `ready`),
    /// both columns in one loop; with `SHORT`, short views too ([`LongFront::words`]).
    #[inline(always)]
    fn byte_pairs<const SHORT: bool>(&self, a: &[u128], b: &[u128], buffers: [&[&[u8]]; 2], pairs: &mut [u16]) -> bool {
        let (shift, mut differ) = (self.shift, 0u64);
        let (ba, bb) = (LongFront::buffers(buffers[0]), LongFront::buffers(buffers[1]));
        for ((x, y), p) in a.iter().zip(b).zip(pairs.iter_mut()) {
            let (Some((wa, la)), Some((wb, lb))) = (LongFront::words::<SHORT>(ba, x), LongFront::words::<SHORT>(bb, y)) else { return false };
            let (ka, kb) = (self.long.key(&wa, la), self.long.key(&wb, lb));
            differ |= ka.differs(&wa, la) | kb.differs(&wb, lb);
            *p = (ka.code as u16) << shift | kb.code as u16;
        }
        differ == 0
    }

    /// The codes of one column's long views at rows `list` through their bytes (`buffers`:
    /// the part's): in the long front ([`LongFront`]) or the directory.
    #[inline(always)]
    fn byte_codes(&mut self, side: usize, list: &[u16], views: &[u128], buffers: &[&[u8]], pairs: &mut [u16]) -> bool {
        let shift = self.shift;
        if self.long.ready {
            let mut differ = 0u64;
            for &r in list {
                let (Some(p), Some(v)) = (pairs.get_mut(r as usize), views.get(r as usize)) else { return false };
                let Some((w, len)) = LongFront::words::<false>(buffers, v) else { return false };
                let key = self.long.key(&w, len);
                differ |= key.differs(&w, len);
                *p = with_code(*p, side, key.code, shift);
            }
            return differ == 0;
        }
        for &r in list {
            let (Some(p), Some(&v)) = (pairs.get_mut(r as usize), views.get(r as usize)) else { return false };
            let Some(code) = self.directory.long_found(view_bytes(buffers, v)) else { return false };
            *p = with_code(*p, side, code, shift);
        }
        true
    }

    /// The short names of `names` (a directory's, per code) with their codes (the long ones are
    /// not in the front).
    fn short_names(names: &[u128]) -> impl Iterator<Item = (u128, u8)> + '_ {
        names.iter().zip(0..=u8::MAX).filter(|(&k, _)| k != LONG_NAME).map(|(&k, c)| (k, c))
    }

    /// The names placed under `mul` (each at its own slot; of names sharing a slot, the first).
    fn place(&mut self, mul: u64) {
        let names = &self.directory.names;
        self.table.place(Self::short_names(names).map(|(k, _)| k), mul, Self::short_names(names), self.shift);
    }
}

/// Views' differences from their slots' keys, or-ed ([`NameFront::pairs_of`], [`Labels`]'
/// lanes; decision 49): on x86-64 in an SSE2 register, where a view and its key cost one
/// load, one xor (reading the key) and one or; elsewhere in a `u128`.
#[derive(Clone, Copy)]
struct Differences(#[cfg(target_arch = "x86_64")] std::arch::x86_64::__m128i, #[cfg(not(target_arch = "x86_64"))] u128);

#[cfg(target_arch = "x86_64")]
impl Differences {
    // SAFETY (of the blocks below): SSE2 is part of x86-64, and `_mm_load_si128` reads 16
    // bytes aligned to 16 — a `u128`'s size and alignment (tested at compile time).
    const NONE: Differences = Differences(unsafe { std::mem::transmute::<u128, std::arch::x86_64::__m128i>(0) });

    /// `self` with `view ^ key` or-ed in.
    #[inline(always)]
    fn with(self, view: &u128, key: &u128) -> Differences {
        use std::arch::x86_64::{__m128i, _mm_load_si128, _mm_or_si128, _mm_xor_si128};
        const _: () = assert!(std::mem::align_of::<u128>() == 16 && std::mem::size_of::<u128>() == 16);
        let load = |r: &u128| unsafe { _mm_load_si128(r as *const u128 as *const __m128i) };
        Differences(unsafe { _mm_or_si128(self.0, _mm_xor_si128(load(view), load(key))) })
    }

    /// `self` with `view ^ key` or-ed in when the view is of at most 12 bytes (its length, the
    /// first 4 bytes, as an `i32` below 13: a length past `i32::MAX` is or-ed in too).
    #[inline(always)]
    fn with_short(self, view: &u128, key: &u128) -> Differences {
        use std::arch::x86_64::{__m128i, _mm_and_si128, _mm_cmplt_epi32, _mm_load_si128, _mm_or_si128, _mm_set1_epi32, _mm_shuffle_epi32, _mm_xor_si128};
        let load = |r: &u128| unsafe { _mm_load_si128(r as *const u128 as *const __m128i) };
        let v = load(view);
        let short = unsafe { _mm_cmplt_epi32(_mm_shuffle_epi32::<0>(v), _mm_set1_epi32(13)) };
        Differences(unsafe { _mm_or_si128(self.0, _mm_and_si128(short, _mm_xor_si128(v, load(key)))) })
    }

    /// [`Differences::with_short`], and a longer view's difference from `next` or-ed in, then
    /// `next` moved on by `step` (added to each 64-bit half; [`Labels::lanes_in_order`]: the
    /// view each long row should be).
    #[inline(always)]
    fn with_short_or_next(self, view: &u128, key: &u128, next: &mut Differences, step: Differences) -> Differences {
        use std::arch::x86_64::{
            __m128i, _mm_add_epi64, _mm_and_si128, _mm_andnot_si128, _mm_cmplt_epi32, _mm_load_si128, _mm_or_si128, _mm_set1_epi32, _mm_shuffle_epi32,
            _mm_xor_si128,
        };
        let load = |r: &u128| unsafe { _mm_load_si128(r as *const u128 as *const __m128i) };
        let v = load(view);
        let short = unsafe { _mm_cmplt_epi32(_mm_shuffle_epi32::<0>(v), _mm_set1_epi32(13)) };
        let want = unsafe { _mm_or_si128(_mm_and_si128(short, load(key)), _mm_andnot_si128(short, next.0)) };
        next.0 = unsafe { _mm_add_epi64(next.0, _mm_andnot_si128(short, step.0)) };
        Differences(unsafe { _mm_or_si128(self.0, _mm_xor_si128(v, want)) })
    }

    /// A view as a [`Differences`] (the `next` of [`Differences::with_short_or_next`]).
    fn of(view: u128) -> Differences {
        Differences(unsafe { std::mem::transmute::<u128, std::arch::x86_64::__m128i>(view) })
    }

    /// Whether every view was its key.
    #[inline(always)]
    fn is_none(self) -> bool {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_setzero_si128};
        unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(self.0, _mm_setzero_si128())) == 0xffff }
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl Differences {
    const NONE: Differences = Differences(0);

    #[inline(always)]
    fn with(self, view: &u128, key: &u128) -> Differences {
        Differences(self.0 | (view ^ key))
    }

    #[inline(always)]
    fn with_short(self, view: &u128, key: &u128) -> Differences {
        Differences(self.0 | if (*view as u32 as i32) < 13 { view ^ key } else { 0 })
    }

    #[inline(always)]
    fn with_short_or_next(self, view: &u128, key: &u128, next: &mut Differences, step: Differences) -> Differences {
        let want = if (*view as u32 as i32) < 13 {
            *key
        } else {
            let now = next.0;
            next.0 = now.wrapping_add(step.0);
            now
        };
        Differences(self.0 | (view ^ want))
    }

    fn of(view: u128) -> Differences {
        Differences(view)
    }

    #[inline(always)]
    fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// [`reduce_ids`] for names given as Arrow string views (16 bytes a row: the length, then a
/// name of at most 12 bytes inline, or its first 4 bytes and where the others are in the
/// part's data buffers, [`Parts::with_buffers`]): per state (a thread's blocks of rows,
/// [`in_blocks`]), each name is coded through a table of at most 256 names (no general
/// hashing) and the rows counted as `u8` codes; the states' names are then sorted (bytes) and
/// their squares added in that numbering.
/// `Ok(None)` for more than 256 names, a long view outside its buffers (or without them), or
/// rows [`reduce_ids`] declines (the caller takes the general path). The columns may come in
/// parts ([`Parts`]), ending anywhere.
pub fn reduce_names<K: Kinds + ?Sized>(a: &Parts<'_>, b: &Parts<'_>, outcomes: &K) -> Result<Option<NameTable>> {
    let m = a.len();
    if b.len() != m || outcomes.rows().is_some_and(|l| l != m) {
        return Err(Error::InvalidArgument("column lengths differ".into()));
    }
    let mut bounds: Vec<usize> = a.inner_starts().iter().chain(b.inner_starts()).chain(outcomes.starts()).copied().collect();
    bounds.sort_unstable();
    bounds.dedup();
    if m == 0 {
        return Ok(None);
    }
    struct State {
        names: NameFront,
        square: Box<[u32; NAME_CELLS]>,
        /// Set when a piece's views missed the front although no new name was met (garbage
        /// in a padding, names the front leaves to the directory): its pieces are then
        /// counted view by view.
        careful: bool,
        /// A piece's pairs of codes (`code(a) << shift | code(b)` a row, the front's shift).
        pairs: Box<[u16; PIECE_ROWS]>,
        /// A piece's outcome lanes and their state ([`Kinds::lanes`]).
        piece: Box<[LanePiece; 1]>,
        /// Set once a name past 12 bytes was met: pieces are then read by
        /// [`NameFront::pairs_viewing`] (the loops listing the long views use `listed`).
        long: bool,
        listed: Box<[u16; 2 * PIECE_ROWS]>,
    }
    crate::interrupt::watched(|stop| {
        let start = || -> Result<State> {
            let square = try_zeroed(NAME_CELLS)?.into_boxed_slice().try_into().map_err(|_| Error::InvalidArgument("reduce_names: square".into()))?;
            Ok(State { names: NameFront::new()?, square, careful: false, pairs: boxed(0)?, piece: LanePiece::new()?, long: false, listed: boxed(0)? })
        };
        let counted = in_blocks(m, &bounds, stop, start, |st, r| {
            if !outcomes.within(&r) {
                return false;
            }
            let (names, square) = (&mut st.names, &mut *st.square);
            // In pieces: a declined name (a 257th, a long view not in its buffers) ends the chunk early. Frames of
            // more than 256 names decline in their first rows; a whole chunk per block counted
            // before the test cost ~18 ms CPU at 1M rows (benches/bt.py, n = 1,000).
            let mut kinds = 0;
            for s in r.clone().step_by(PIECE_ROWS) {
                let e = (s + PIECE_ROWS).min(r.end);
                let pairs = &mut st.pairs[..e - s];
                let ((va, pa), (vb, pb)) = (a.rows(s..e), b.rows(s..e));
                let buffers = (a.buffers(pa), b.buffers(pb));
                // (a part's tag for the fronts of views: its index, its column, plus one)
                let parts = [(buffers.0, (pa as u32).wrapping_mul(2).wrapping_add(1)), (buffers.1, (pb as u32).wrapping_mul(2).wrapping_add(2))];
                let read = |names: &mut NameFront, pairs: &mut [u16], listed: &mut [u16; 2 * PIECE_ROWS]| match st.long {
                    true => names.pairs_viewing(va, vb, parts, pairs, listed),
                    false => names.pairs_of(va, vb, pairs),
                };
                if st.careful || !read(names, pairs, &mut st.listed) {
                    let (known, shift) = (names.directory.names.len(), names.shift);
                    for ((&x, &y), p) in va.iter().zip(vb).zip(pairs.iter_mut()) {
                        *p = (names.code(x, buffers.0) as u16) << 8 | names.code(y, buffers.1) as u16;
                    }
                    if names.declined {
                        return false;
                    }
                    // (new names may have widened the square's rows)
                    widen(square, shift, names.shift);
                    pairs.iter_mut().for_each(|p| *p = (*p >> 8) << names.shift | (*p & 0xff));
                    st.careful |= names.directory.names.len() == known;
                    st.long = !names.directory.long.is_empty();
                }
                let [LanePiece { lanes, state }] = &mut *st.piece;
                let lanes = &mut lanes[..e - s];
                kinds |= match outcomes.lanes(s..e, lanes, state) {
                    Some(all) => all | count_names(square, pairs.iter().zip(lanes.iter()).map(|(&p, &l)| (p, l as u64))),
                    None => count_names(square, pairs.iter().zip(outcomes.kinds(s..e)).map(|(&p, k)| (p, k))),
                };
            }
            kinds & !3 == 0
        })?;
        let Some(states) = counted else { return Ok(None) };
        let state_names: Vec<Vec<Vec<u8>>> =
            states.iter().map(|st| (0..st.names.directory.names.len()).map(|c| st.names.directory.name_bytes(c)).collect()).collect();
        let mut names: Vec<Vec<u8>> = state_names.iter().flatten().cloned().collect();
        names.sort_unstable();
        names.dedup();
        let n = names.len();
        if n > MAX_WIDTH {
            return Ok(None);
        }
        let mut total = try_zeroed::<u64>(n * n * 4)?;
        for (st, own) in states.iter().zip(&state_names) {
            let global: Vec<usize> = own.iter().map(|k| names.binary_search(k).unwrap_or(0)).collect();
            for (x, &gx) in global.iter().enumerate() {
                for (y, &gy) in global.iter().enumerate() {
                    let from = (x << st.names.shift | y) * 4;
                    let to = (gx * n + gy) * 4;
                    total[to..to + 4].iter_mut().zip(&st.square[from..from + 4]).for_each(|(t, &c)| *t += c as u64);
                }
            }
        }
        Ok(square_table(&total, 0, n)?.map(|t| NameTable { names, table: t.table }))
    })?
}

#[cfg(test)]
mod tests {
    use super::super::{random_rows, reduce, Outcomes};
    use super::*;

    /// Ids of every integer type, shifted anywhere in their range and with gaps, give the
    /// table of the general path (codes in value order), for each form of outcomes.
    #[test]
    fn matches_the_general_reduce() {
        let (a, b, o) = random_rows(40, 300_000, 7);
        // Ids with gaps: item k is the value 3k (so 3k+1, 3k+2 never appear).
        let (a3, b3): (Vec<i64>, Vec<i64>) = (a.iter().map(|&x| 3 * x as i64).collect(), b.iter().map(|&x| 3 * x as i64).collect());
        let codes: Vec<u32> = o.iter().map(|&v| (v * 2.0) as u32).collect();
        let values = [0.0, 0.5, 1.0];
        // Every outcome form against the general reduce of the same values as floats.
        let decisive: Vec<f64> = o.iter().map(|&v| if v == 0.5 { 1.0 } else { v }).collect();
        let ints: Vec<i8> = decisive.iter().map(|&v| v as i8).collect();
        let uints: Vec<u64> = decisive.iter().map(|&v| v as u64).collect();
        let bools: Vec<bool> = decisive.iter().map(|&v| v == 1.0).collect();
        let mut packed = vec![0u8; (bools.len() + 3).div_ceil(8)];
        for (r, &t) in bools.iter().enumerate() {
            packed[(r + 3) / 8] |= (t as u8) << ((r + 3) % 8);
        }
        let floats32: Vec<f32> = o.iter().map(|&v| v as f32).collect();
        let codes8: Vec<u8> = codes.iter().map(|&c| c as u8).collect();
        let want_o = reduce(40, &a, &b, Outcomes::Values(&o), None).unwrap();
        let want_d = reduce(40, &a, &b, Outcomes::Values(&decisive), None).unwrap();
        let want_w = reduce(40, &a, &b, Outcomes::AllWins, None).unwrap();
        type Count<'a> = Box<dyn Fn(&[i64], &[i64]) -> Option<IdTable> + 'a>;
        let cases: Vec<(Count, &PairTable)> = vec![
            (Box::new(|x, y| reduce_ids(x, y, &o[..]).unwrap()), &want_o),
            (Box::new(|x, y| reduce_ids(x, y, &floats32[..]).unwrap()), &want_o),
            (Box::new(|x, y| reduce_ids(x, y, &Coded::new(&codes, &values)).unwrap()), &want_o),
            (Box::new(|x, y| reduce_ids(x, y, &Coded::new(&codes8, &values)).unwrap()), &want_o),
            (Box::new(|x, y| reduce_ids(x, y, &ints[..]).unwrap()), &want_d),
            (Box::new(|x, y| reduce_ids(x, y, &uints[..]).unwrap()), &want_d),
            (Box::new(|x, y| reduce_ids(x, y, &bools[..]).unwrap()), &want_d),
            (Box::new(|x, y| reduce_ids(x, y, &Bits { bytes: &packed, offset: 3, len: bools.len() }).unwrap()), &want_d),
            (Box::new(|x, y| reduce_ids(x, y, &AllWins).unwrap()), &want_w),
        ];
        for (count, want) in cases {
            let check = |got: Option<IdTable>, keys: Vec<u64>| {
                let got = got.expect("simple rows");
                assert_eq!(got.keys, keys);
                assert_eq!(&got.table, want);
            };
            check(count(&a3, &b3), (0..40).map(|k| (3 * k as i64).key()).collect());
            for shift in [-60i64, i64::MIN + 5, i64::MAX - 200] {
                let (x, y): (Vec<i64>, Vec<i64>) = (a3.iter().map(|v| v + shift).collect(), b3.iter().map(|v| v + shift).collect());
                check(count(&x, &y), (0..40).map(|k| (3 * k + shift).key()).collect());
            }
        }
        // Narrow and unsigned id types (float outcomes).
        let small = |v: &[i64]| v.iter().map(|&x| x as i8 - 100).collect::<Vec<i8>>();
        let got = reduce_ids(&small(&a3), &small(&b3), &o[..]).unwrap().unwrap();
        assert_eq!((got.keys, got.table), ((0..40).map(|k| ((3 * k - 100) as i8).key()).collect(), want_o.clone()));
        let big = |v: &[i64]| v.iter().map(|&x| u64::MAX - 200 + x as u64).collect::<Vec<u64>>();
        let got = reduce_ids(&big(&a3), &big(&b3), &o[..]).unwrap().unwrap();
        assert_eq!((got.keys, got.table), ((0..40).map(|k| u64::MAX - 200 + 3 * k as u64).collect(), want_o.clone()));
        let got = reduce_ids(&a, &b, &o[..]).unwrap().unwrap();
        assert_eq!((got.keys, got.table), ((0..40).collect(), want_o));
    }

    /// An id outside the first rows' range (here only in the last row) is found and the pass
    /// rerun over the measured range; ranges too wide, self-comparisons and other outcomes
    /// (floats other than 0, ½, 1; integers other than 0, 1; codes past the table) are left
    /// to the general path.
    #[test]
    fn late_ids_and_declined_rows() {
        let (mut a, mut b, mut o) = random_rows(30, 200_000, 3);
        // (ids 0..30 first: a square of 32; 40 is outside it)
        *a.last_mut().unwrap() = 40;
        *b.last_mut().unwrap() = 0;
        let want = reduce(41, &a, &b, Outcomes::Values(&o), None).unwrap();
        let got = reduce_ids(&a, &b, &o[..]).unwrap().unwrap();
        assert_eq!(got.keys, (0..30).chain([40]).collect::<Vec<u64>>());
        let code: Vec<u32> = (0..41).map(|k| if k == 40 { 30 } else { k }).collect();
        assert_eq!(got.table.i.len(), want.i.len());
        for p in 0..want.i.len() {
            assert_eq!((code[want.i[p] as usize], code[want.j[p] as usize]), (got.table.i[p], got.table.j[p]));
            assert_eq!((want.wins_i[p], want.wins_j[p], want.ties[p]), (got.table.wins_i[p], got.table.wins_j[p], got.table.ties[p]));
        }
        a[5] = 1000;
        assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap(), None); // 1,001 wide
        a[5] = b[5];
        assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap(), None); // a self-comparison
        a[5] = (b[5] + 1) % 30;
        let mut ints: Vec<i32> = o.iter().map(|&v| (v == 1.0) as i32).collect();
        assert!(reduce_ids(&a, &b, &ints[..]).unwrap().is_some());
        ints[150_000] = 2;
        assert_eq!(reduce_ids(&a, &b, &ints[..]).unwrap(), None);
        let codes: Vec<u16> = (0..o.len()).map(|r| if r == 199_999 { 3 } else { 0 }).collect();
        assert_eq!(reduce_ids(&a, &b, &Coded::new(&codes, &[1.0, 0.0, 0.5])).unwrap(), None);
        o[150_000] = 0.25;
        assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap(), None);
        o[150_000] = f64::NAN;
        assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap(), None);
        assert_eq!(reduce_ids::<u32, _>(&[], &[], &AllWins).unwrap(), None);
        assert!(reduce_ids(&a, &b[1..], &AllWins).is_err());
        assert!(reduce_ids(&a, &b, &o[1..]).is_err());
    }

    /// A raised stop flag ends the pass with `Interrupted`.
    #[test]
    fn a_raised_stop_flag_interrupts() {
        let (a, b, o) = random_rows(30, 300_000, 5);
        let stop = Stop::raised();
        let r = stop.run(|| reduce_ids(&a, &b, &o[..]));
        assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
        let views: Vec<u128> = a.iter().map(|&x| StrKey::new(format!("m{x}").as_bytes()).packed().unwrap()).collect();
        let r = stop.run(|| reduce_names(&Parts::one(&views), &Parts::one(&views), &o[..]));
        assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    }

    /// A pass's states are made per thread, each counting the blocks its thread takes
    /// ([`in_blocks`]): in pools of 1 to 16 threads (more threads than blocks share a state's
    /// slot), ids and names give the general path's table, with names first met in the last
    /// block, and a 257th name met only in the last row still declines.
    #[test]
    fn states_per_thread_give_the_tables_of_any_pool() {
        let (n, m) = (MAX_WIDTH, 8 * MIN_BLOCK_ROWS + 12_345);
        let (mut a, mut b, o) = random_rows(n, m, 63);
        // (names 246 … 255 only in the last block's rows)
        let last = m.div_ceil(MAX_BLOCKS) * (MAX_BLOCKS - 1);
        for (x, y) in a.iter_mut().zip(b.iter_mut()).take(last) {
            (*x, *y) = (*x % 246, *y % 246);
            if x == y {
                *x = (*x + 1) % 246;
            }
        }
        assert!(a[last..].iter().chain(&b[last..]).any(|&k| k >= 246) && a[..last].iter().chain(&b[..last]).all(|&k| k < 246));
        let name = |k: u32| StrKey::new(format!("n{k:03}").as_bytes()).packed().unwrap();
        let (va, vb): (Vec<u128>, Vec<u128>) = (a.iter().map(|&k| name(k)).collect(), b.iter().map(|&k| name(k)).collect());
        let want = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        let (a64, b64): (Vec<i64>, Vec<i64>) = (a.iter().map(|&k| k as i64 - 50).collect(), b.iter().map(|&k| k as i64 - 50).collect());
        // (a 257th name, in the last row only)
        let mut other = vb.clone();
        other[m - 1] = name(999);
        // Label outcomes (every other tie the long "tie (bothbad)", its bytes in a buffer: the
        // labels' fronts of views kept over a thread's blocks), id columns in parts.
        let texts: [&[u8]; 4] = [b"model_b", b"tie", b"model_a", b"tie (bothbad)"];
        let long_tie = 13 | (u32::from_le_bytes(*b"tie ") as u128) << 32;
        let label = |(r, &x): (usize, &f64)| if x == 0.5 && r % 2 == 0 { long_tie } else { StrKey::new(texts[(2.0 * x) as usize]).packed().unwrap() };
        let lv: Vec<u128> = o.iter().enumerate().map(label).collect();
        let labels = Labels::new(Parts::one(&lv).with_buffers(vec![vec![texts[3]]]), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap();
        let cuts = [0, 1_000, MIN_BLOCK_ROWS + 7, 5 * MIN_BLOCK_ROWS, m];
        fn parts<'a>(x: &'a [i64], cuts: &[usize]) -> Parts<'a, i64> {
            Parts::new(cuts.windows(2).map(|w| &x[w[0]..w[1]]).collect())
        }
        let (pa, pb) = (parts(&a64, &cuts), parts(&b64, &cuts));
        for threads in [1, 2, 3, 5, 8, 16] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let ids = pool.install(|| reduce_ids(&a64, &b64, &o[..])).unwrap().unwrap();
            assert_eq!((ids.table, ids.keys.len()), (want.clone(), n), "{threads} threads: ids");
            let names = pool.install(|| reduce_names(&Parts::one(&va), &Parts::one(&vb), &o[..])).unwrap().unwrap();
            assert_eq!(names.table, want, "{threads} threads: names");
            assert_eq!(pool.install(|| reduce_names(&Parts::one(&va), &Parts::one(&other), &o[..])).unwrap(), None, "{threads} threads: a 257th name");
            assert_eq!(pool.install(|| reduce_ids(&a64, &b64, &labels)).unwrap().unwrap().table, want, "{threads} threads: ids, labels");
            assert_eq!(
                pool.install(|| reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels)).unwrap().unwrap().table,
                want,
                "{threads} threads: names, labels"
            );
            assert_eq!(pool.install(|| reduce_id_parts(&pa, &pb, &labels)).unwrap().unwrap().table, want, "{threads} threads: ids in parts");
        }
    }

    /// [`in_blocks`] makes a state per thread that takes a block, not one per block: one in a
    /// pool of one thread, at most one a thread for eight blocks; every row is handed once
    /// whatever the pool.
    #[test]
    fn in_blocks_makes_a_state_a_thread() {
        let m = 8 * MIN_BLOCK_ROWS + 5;
        for threads in [1, 2, 3, 16] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let made = std::sync::atomic::AtomicUsize::new(0);
            let states = pool
                .install(|| {
                    crate::interrupt::watched(|stop| {
                        let start = || {
                            made.fetch_add(1, Ordering::Relaxed);
                            Ok(0usize)
                        };
                        in_blocks(m, &[3 * MIN_BLOCK_ROWS + 1], stop, start, |rows: &mut usize, r| {
                            *rows += r.len();
                            true
                        })
                    })
                })
                .unwrap()
                .unwrap()
                .unwrap();
            let made = made.load(Ordering::Relaxed);
            assert_eq!(states.len(), made, "{threads} threads");
            assert!(made >= 1 && made <= threads.min(MAX_BLOCKS), "{threads} threads: {made} states");
            assert_eq!(states.iter().sum::<usize>(), m, "{threads} threads: rows");
        }
    }

    /// Names of up to 12 bytes (with garbage in the views' padding) give the general path's
    /// table over the names' ranks in byte order; a longer name, a 257th name, a
    /// self-comparison or another outcome decline.
    #[test]
    fn names_match_the_general_reduce() {
        let n = 60;
        let (a, b, o) = random_rows(n, 700_000, 11);
        // Names of 0 to 12 bytes whose byte order differs from the item order.
        // (the empty name too; a name is k in decimal, then filler up to k % 13 bytes)
        let names: Vec<Vec<u8>> = (0..n)
            .map(|k| if k == 0 { Vec::new() } else { format!("{k}{}", "zyxwvutsrqpo").into_bytes()[..(k % 13).max(k.to_string().len())].to_vec() })
            .collect();
        let mut sorted: Vec<&Vec<u8>> = names.iter().collect();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), n, "distinct names");
        let rank: Vec<u32> = names.iter().map(|x| sorted.iter().position(|y| *y == x).unwrap() as u32).collect();
        let view = |k: u32, r: usize| {
            let v = StrKey::new(&names[k as usize]).packed().unwrap();
            let len = names[k as usize].len();
            // Bytes past the name are padding: garbage in odd rows.
            if len < 12 && r % 2 == 1 {
                v | (0xab << (32 + 8 * len))
            } else {
                v
            }
        };
        let va: Vec<u128> = a.iter().enumerate().map(|(r, &k)| view(k, r)).collect();
        let vb: Vec<u128> = b.iter().enumerate().map(|(r, &k)| view(k, r)).collect();
        let want = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap().relabel(&rank).unwrap();
        let got = reduce_names(&Parts::one(&va), &Parts::one(&vb), &o[..]).unwrap().unwrap();
        assert_eq!(got.table, want);
        // Clean views (the pieces counted without a test per view), the last name first met
        // at row 640,000 (a piece that misses, then finds it), and garbage from row 650,000
        // on (the block counts view by view from there).
        let late = |x: &[u32], y: &[u32]| -> Vec<u32> {
            (0..x.len()).map(|r| if r < 640_000 && x[r] == n as u32 - 1 { u32::from(y[r] == 0) } else { x[r] }).collect()
        };
        let (a2, b2) = (late(&a, &b), late(&b, &a));
        assert!(a2[..640_000].iter().chain(&b2[..640_000]).all(|&k| k < n as u32 - 1) && a2.contains(&(n as u32 - 1)));
        let want2 = reduce(n, &a2, &b2, Outcomes::Values(&o), None).unwrap().relabel(&rank).unwrap();
        let view2 = |(r, &k): (usize, &u32)| if r < 650_000 { view(k, 0) } else { view(k, r) };
        let (va2, vb2): (Vec<u128>, Vec<u128>) = (a2.iter().enumerate().map(view2).collect(), b2.iter().enumerate().map(view2).collect());
        assert_eq!(reduce_names(&Parts::one(&va2), &Parts::one(&vb2), &o[..]).unwrap().unwrap().table, want2);
        let got_names: Vec<Vec<u8>> = got.names.clone();
        assert_eq!(got_names, sorted.into_iter().cloned().collect::<Vec<_>>());
        // Declined: a long name, a 257th name, a self-comparison, a tie as an integer outcome.
        let mut long = va.clone();
        long[600_000] = 13 | (7 << 64);
        assert_eq!(reduce_names(&Parts::one(&long), &Parts::one(&vb), &o[..]).unwrap(), None);
        let many: Vec<u128> = (0..va.len()).map(|r| StrKey::new(format!("n{}", r % 300).as_bytes()).packed().unwrap()).collect();
        let others: Vec<u128> = (0..va.len()).map(|r| StrKey::new(format!("o{}", r % 7).as_bytes()).packed().unwrap()).collect();
        assert_eq!(reduce_names(&Parts::one(&many), &Parts::one(&others), &AllWins).unwrap(), None);
        let mut same = vb.clone();
        same[3] = va[3];
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&same), &o[..]).unwrap(), None);
        let ints: Vec<u8> = o.iter().map(|&v| (v * 2.0) as u8).collect();
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &ints[..]).unwrap(), None);
        assert!(reduce_names(&Parts::one(&va), &Parts::one(&vb[1..]), &AllWins).is_err());
        // Outcome labels read as views in the pass: the same table; a long or unknown label
        // declines.
        let texts: [&[u8]; 4] = [b"model_b", b"tie", b"model_a", b"tie (bothbad)"];
        let lv: Vec<u128> = o.iter().map(|&x| StrKey::new(texts[(2.0 * x) as usize]).packed().unwrap()).collect();
        let labels = Labels::new(Parts::one(&lv), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap();
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels).unwrap().unwrap().table, want);
        // Labels with garbage in their padding: not in the front table, compared instead.
        let dirty: Vec<u128> = lv.iter().enumerate().map(|(r, &v)| if r % 3 == 0 { v | (0x5a << 120) } else { v }).collect();
        assert_eq!(
            reduce_names(&Parts::one(&va), &Parts::one(&vb), &Labels::new(Parts::one(&dirty), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap().unwrap().table,
            want
        );
        let mut other = lv.clone();
        other[5] = StrKey::new(b"model_c").packed().unwrap();
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &Labels::new(Parts::one(&other), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap(), None);
        other[5] = 13 | (7 << 64);
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &Labels::new(Parts::one(&other), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap(), None);
        // The same labels beside integer ids (whose pass reads a piece's lanes first).
        let want_ids = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        for views in [&lv, &dirty] {
            assert_eq!(reduce_ids(&a, &b, &Labels::new(Parts::one(views), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap().unwrap().table, want_ids);
        }
        assert_eq!(reduce_ids(&a, &b, &Labels::new(Parts::one(&other), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap(), None);
        other[5] = lv[5];
        other[699_999] = StrKey::new(b"model_c").packed().unwrap();
        assert_eq!(reduce_ids(&a, &b, &Labels::new(Parts::one(&other), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()).unwrap(), None);
        // Labels past 12 bytes (every other tie a "tie (bothbad)" view into a data buffer)
        // matched through the buffer's bytes: the same tables; without the buffer they
        // decline, and so does a long label of the same length and first bytes.
        let data = b"tie (bothbad)tie (bothbaX)".to_vec();
        let long_view = |off: usize| -> u128 {
            let prefix = u32::from_le_bytes(data[off..off + 4].try_into().unwrap());
            13 | (prefix as u128) << 32 | (off as u128) << 96
        };
        let bytes = || vec![vec![&data[..]]];
        let mixed: Vec<u128> = lv.iter().zip(&o).enumerate().map(|(r, (&v, &x))| if x == 0.5 && r % 2 == 0 { long_view(0) } else { v }).collect();
        assert!(mixed.iter().filter(|&&v| v == long_view(0)).count() > 100_000);
        fn read<'a>(views: &'a [u128], texts: &[&[u8]]) -> Labels<'a> {
            Labels::new(Parts::one(views), texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()
        }
        fn reading<'a>(views: &'a [u128], texts: &[&[u8]], buffers: Vec<Vec<&'a [u8]>>) -> Labels<'a> {
            Labels::new(Parts::one(views).with_buffers(buffers), texts, &[0.0, 0.5, 1.0, 0.5]).unwrap()
        }
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &reading(&mixed, &texts, bytes())).unwrap().unwrap().table, want);
        assert_eq!(reduce_ids(&a, &b, &reading(&mixed, &texts, bytes())).unwrap().unwrap().table, want_ids);
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &read(&mixed, &texts)).unwrap(), None);
        // … and beside short labels with garbage in their padding (read view by view)
        let dirty_mixed: Vec<u128> = mixed.iter().zip(&dirty).map(|(&m, &d)| if m == long_view(0) { m } else { d }).collect();
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &reading(&dirty_mixed, &texts, bytes())).unwrap().unwrap().table, want);
        let mut unknown = mixed.clone();
        unknown[400_000] = long_view(13);
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &reading(&unknown, &texts, bytes())).unwrap(), None);
        assert_eq!(reduce_ids(&a, &b, &reading(&unknown, &texts, bytes())).unwrap(), None);
        // Columns in parts (chunks) that end anywhere, each column's elsewhere; the labels'
        // long views name bytes in their own part's buffer (at 2·part): the same tables.
        let split = |v: &'_ [u128], at: &[usize]| -> Vec<Vec<u128>> {
            let mut cuts = vec![0];
            cuts.extend_from_slice(at);
            cuts.push(v.len());
            cuts.windows(2).map(|w| v[w[0]..w[1]].to_vec()).collect()
        };
        // (empty parts too: a first one, and one in the middle)
        let (pa, pb) = (split(&va, &[0, 1, 4097, 4097, 65_537, 300_000]), split(&vb, &[70_000, 196_613]));
        let cuts = [123_457, 600_001];
        let bufs: Vec<Vec<u8>> = (0..3).map(|k| [&b"??????"[..2 * k], &data[..13]].concat()).collect();
        let parted: Vec<Vec<u128>> = split(&mixed, &cuts)
            .into_iter()
            .enumerate()
            .map(|(k, part)| part.into_iter().map(|v| if v == long_view(0) { v | ((2 * k) as u128) << 96 } else { v }).collect())
            .collect();
        let part_bytes = |turn: usize| -> Vec<Vec<&[u8]>> { (0..3).map(|k| vec![&bufs[(k + turn) % 3][..]]).collect() };
        fn parts(p: &[Vec<u128>]) -> Parts<'_> {
            Parts::new(p.iter().map(|x| &x[..]).collect())
        }
        let labels = Labels::new(parts(&parted).with_buffers(part_bytes(0)), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap();
        assert_eq!(labels.starts(), &cuts);
        assert_eq!(reduce_names(&parts(&pa), &parts(&pb), &labels).unwrap().unwrap().table, want);
        assert_eq!(reduce_names(&parts(&pa), &parts(&pb), &o[..]).unwrap().unwrap().table, want);
        assert_eq!(reduce_ids(&a, &b, &labels).unwrap().unwrap().table, want_ids);
        // (a long view read in another part's buffer is not the label: declined)
        let misread = Labels::new(parts(&parted).with_buffers(part_bytes(1)), &texts, &[0.0, 0.5, 1.0, 0.5]).unwrap();
        assert_eq!(reduce_names(&parts(&pa), &parts(&pb), &misread).unwrap(), None);
    }

    /// Arrow string views of `texts` (a short one inline; a long one's bytes appended to
    /// the part's data buffers, a new buffer every `per` long texts) in parts cut at `cuts`.
    fn arrow_parts(texts: &[&[u8]], cuts: &[usize], per: usize) -> (Vec<Vec<u128>>, Vec<Vec<Vec<u8>>>) {
        let (mut parts, mut buffers) = (Vec::new(), Vec::new());
        let mut bounds = vec![0];
        bounds.extend_from_slice(cuts);
        bounds.push(texts.len());
        for w in bounds.windows(2) {
            let (mut views, mut bufs, mut long) = (Vec::new(), vec![Vec::new()], 0);
            for t in &texts[w[0]..w[1]] {
                views.push(match StrKey::new(t).packed() {
                    Some(v) => v,
                    None => {
                        if long > 0 && long % per == 0 {
                            bufs.push(Vec::new());
                        }
                        long += 1;
                        let (k, buf) = (bufs.len() - 1, bufs.last_mut().unwrap());
                        let prefix = u32::from_le_bytes(t[..4].try_into().unwrap());
                        let view = t.len() as u128 | (prefix as u128) << 32 | (k as u128) << 64 | (buf.len() as u128) << 96;
                        buf.extend_from_slice(t);
                        view
                    }
                });
            }
            parts.push(views);
            buffers.push(bufs);
        }
        (parts, buffers)
    }

    /// The names sorted, and the general reduce's table of rows `a`, `b` (ids into `names`)
    /// with outcomes `o`, its items numbered in that order.
    fn sorted_and_table(names: &[Vec<u8>], a: &[u32], b: &[u32], o: &[f64]) -> (Vec<Vec<u8>>, PairTable) {
        let mut sorted = names.to_vec();
        sorted.sort();
        let rank: Vec<u32> = names.iter().map(|x| sorted.binary_search(x).unwrap() as u32).collect();
        (sorted, reduce(names.len(), a, b, Outcomes::Values(o), None).unwrap().relabel(&rank).unwrap())
    }

    /// Random rows of `n` items ([`random_rows`]), their ids as `i64`, and their table.
    fn rows_and_table(n: usize, m: usize, seed: u64) -> (Vec<u32>, Vec<u32>, Vec<f64>, [Vec<i64>; 2], PairTable) {
        let (a, b, o) = random_rows(n, m, seed);
        let wide = |ids: &[u32]| -> Vec<i64> { ids.iter().map(|&x| x as i64).collect() };
        let (wa, wb) = (wide(&a), wide(&b));
        let want = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap();
        (a, b, o, [wa, wb], want)
    }

    /// A column's parts (views) and each part's data buffers.
    type Column = (Vec<Vec<u128>>, Vec<Vec<Vec<u8>>>);

    /// A [`Column`] as the pass reads it.
    fn with_buffers(p: &Column) -> Parts<'_> {
        Parts::new(p.0.iter().map(|v| &v[..]).collect()).with_buffers(p.1.iter().map(|bs| bs.iter().map(|b| &b[..]).collect()).collect())
    }

    /// A column of `ids` into `names` whose rows share their names' bytes within a part (as a
    /// gather, a Parquet read): part k (the parts cut at `cuts`) has one buffer holding the
    /// names rotated by `turn · (k + 1)`, each `stride` bytes apart (0: end to end); a row's
    /// long view points at its name there, or at its own copy appended when `own(k, row)`.
    fn shared_column(names: &[Vec<u8>], ids: &[u32], cuts: &[usize], turn: usize, stride: usize, own: impl Fn(usize, usize) -> bool) -> Column {
        let (n, bounds): (usize, Vec<usize>) = (names.len(), [0].iter().chain(cuts).chain([ids.len()].iter()).copied().collect());
        let (mut parts, mut buffers) = (Vec::new(), Vec::new());
        for (k, w) in bounds.windows(2).enumerate() {
            let (mut data, mut at) = (Vec::new(), vec![0usize; n]);
            for j in 0..n {
                let name = (j + turn * (k + 1)) % n;
                at[name] = data.len();
                data.extend_from_slice(&names[name]);
                data.resize(data.len().max(stride * (j + 1)), 0);
            }
            let views = (w[0]..w[1])
                .map(|r| {
                    let t = &names[ids[r] as usize];
                    StrKey::new(t).packed().unwrap_or_else(|| {
                        let off = if own(k, r) {
                            data.extend_from_slice(t);
                            data.len() - t.len()
                        } else {
                            at[ids[r] as usize]
                        };
                        t.len() as u128 | (u32::from_le_bytes(t[..4].try_into().unwrap()) as u128) << 32 | (off as u128) << 96
                    })
                })
                .collect();
            parts.push(views);
            buffers.push(vec![data]);
        }
        (parts, buffers)
    }

    /// Names past 12 bytes (decision 53), beside short ones, in parts with their own data
    /// buffers: the general path's table, whoever meets them first and however the columns
    /// are cut; a long view outside its buffers, or a 257th name, declines.
    #[test]
    fn long_names_match_the_general_reduce() {
        // 13 to 41 bytes (past 32: found through the directory), or 13 to 32 (through the long
        // front, decision 54), some alike but for one byte in the middle, or the last; and short.
        for longest in [41, 32] {
            long_names_at_most(longest);
        }
    }

    fn long_names_at_most(longest: usize) {
        let n = 90;
        let (a, b, o) = random_rows(n, 500_000, 31);
        let names: Vec<Vec<u8>> = (0..n)
            .map(|k| match k % 3 {
                0 => format!("model-{k:03}-instruct-v0.1").into_bytes(),
                1 => format!("{}{k:02}", "x".repeat(11 + k % (longest - 12))).into_bytes(),
                _ => format!("m{k}").into_bytes(),
            })
            .collect();
        assert_eq!(names.iter().map(|x| x.len()).max(), Some(longest));
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), n, "distinct names");
        let rank: Vec<u32> = names.iter().map(|x| sorted.binary_search(x).unwrap() as u32).collect();
        let want = reduce(n, &a, &b, Outcomes::Values(&o), None).unwrap().relabel(&rank).unwrap();
        let texts = |ids: &[u32]| -> Vec<&[u8]> { ids.iter().map(|&k| &names[k as usize][..]).collect() };
        let (ta, tb) = (texts(&a), texts(&b));
        for (cuts_a, cuts_b, per) in [(vec![], vec![], usize::MAX), (vec![1, 4097, 100_000], vec![250_001], 1000)] {
            let (pa, pb) = (arrow_parts(&ta, &cuts_a, per), arrow_parts(&tb, &cuts_b, per));
            let got = reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap();
            assert_eq!(got.names, sorted);
            assert_eq!(got.table, want, "cuts {cuts_a:?} {cuts_b:?}");
            // (the same with string labels)
            let texts3: [&[u8]; 3] = [b"model_b", b"tie", b"model_a"];
            let lv: Vec<u128> = o.iter().map(|&x| StrKey::new(texts3[(2.0 * x) as usize]).packed().unwrap()).collect();
            let labels = Labels::new(Parts::one(&lv), &texts3, &[0.0, 0.5, 1.0]).unwrap();
            assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&pb), &labels).unwrap().unwrap().table, want);
            // Without the buffers, or a view past its buffer's end: declined.
            assert_eq!(reduce_names(&Parts::new(pa.0.iter().map(|v| &v[..]).collect()), &with_buffers(&pb), &o[..]).unwrap(), None);
            let mut bad = pa.clone();
            let last = bad.0.len() - 1;
            let r = bad.0[last].iter().rposition(|&v| (v as u32) > 12).unwrap();
            bad.0[last][r] += 1 << 96;
            assert_eq!(reduce_names(&with_buffers(&bad), &with_buffers(&pb), &o[..]).unwrap(), None);
        }
        // Long names met late (the first 300,000 rows among 10 short names): the same table.
        let (mut a2, mut b2) = (a.clone(), b.clone());
        for r in 0..300_000 {
            (a2[r], b2[r]) = (3 * (a[r] % 10) + 2, 3 * ((a[r] % 10 + 1 + b[r] % 9) % 10) + 2);
        }
        let want2 = reduce(n, &a2, &b2, Outcomes::Values(&o), None).unwrap().relabel(&rank).unwrap();
        let (pa, pb) = (arrow_parts(&texts(&a2), &[], 7), arrow_parts(&texts(&b2), &[], 7));
        assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap().table, want2);
        // 257 long names: declined (256: read).
        let many: Vec<Vec<u8>> = (0..257).map(|k| format!("a-long-name-number-{k}").into_bytes()).collect();
        let ids = |shift: usize, k: usize| -> Vec<&[u8]> { (0..20_000).map(|r| &many[(r + shift) % k][..]).collect() };
        let (pa, pb) = (arrow_parts(&ids(0, 257), &[], usize::MAX), arrow_parts(&ids(1, 257), &[], usize::MAX));
        assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&pb), &AllWins).unwrap(), None);
        let (pa, pb) = (arrow_parts(&ids(0, 256), &[], usize::MAX), arrow_parts(&ids(1, 256), &[], usize::MAX));
        assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&pb), &AllWins).unwrap().unwrap().names.len(), 256, "(256 names: read)");
    }

    /// Numbers in parts ([`Chunked`]): the same table as in one slice, through both passes,
    /// the parts ending anywhere (an empty one too); rows across a part's end are not
    /// `within` one part (a pass declines them).
    #[test]
    fn chunked_outcomes_match_one_slice() {
        let (a, b, o) = random_rows(30, 200_000, 17);
        let (a64, b64): (Vec<i64>, Vec<i64>) = (a.iter().map(|&x| x as i64).collect(), b.iter().map(|&x| x as i64).collect());
        let parts: Vec<&[f64]> = vec![&o[..0], &o[..4097], &o[4097..70_001], &o[70_001..]];
        let chunked = Chunked::new(parts);
        assert_eq!((chunked.rows(), chunked.starts()), (Some(o.len()), &[0, 4097, 70_001][..]));
        let want = reduce_ids(&a64, &b64, &o[..]).unwrap().unwrap();
        assert_eq!(reduce_ids(&a64, &b64, &chunked).unwrap().unwrap(), want);
        let names: Vec<u128> = a.iter().map(|&k| StrKey::new(format!("n{k}").as_bytes()).packed().unwrap()).collect();
        let others: Vec<u128> = b.iter().map(|&k| StrKey::new(format!("n{k}").as_bytes()).packed().unwrap()).collect();
        let want = reduce_names(&Parts::one(&names), &Parts::one(&others), &o[..]).unwrap().unwrap();
        assert_eq!(reduce_names(&Parts::one(&names), &Parts::one(&others), &chunked).unwrap().unwrap(), want);
        assert!(!chunked.within(&(4000..4200)) && chunked.within(&(4100..4200)) && chunked.within(&(0..4097)));
        // Booleans in parts (bits at an offset in their bytes, as a sliced Arrow array's).
        let won: Vec<bool> = o.iter().map(|&x| x >= 0.5).collect();
        let packed: Vec<u8> = std::iter::repeat_n(false, 3)
            .chain(won.iter().copied())
            .collect::<Vec<bool>>()
            .chunks(8)
            .map(|c| c.iter().rev().fold(0, |b, &x| b << 1 | x as u8))
            .collect();
        let cuts = [0, 0, 4_097, 70_001, 200_000];
        let bits = BitParts::new(cuts.windows(2).map(|w| Bits { bytes: &packed, offset: 3 + w[0], len: w[1] - w[0] }).collect());
        assert_eq!((bits.rows(), bits.starts()), (Some(o.len()), &[0, 4097, 70_001][..]));
        assert!(!bits.within(&(4000..4200)) && bits.within(&(4100..4200)) && bits.kinds(4100..4200).eq(won[4100..4200].iter().map(|&x| x.kind())));
        let want = reduce_ids(&a64, &b64, &won[..]).unwrap().unwrap();
        assert_eq!(reduce_ids(&a64, &b64, &bits).unwrap().unwrap(), want);
        let want = reduce_names(&Parts::one(&names), &Parts::one(&others), &won[..]).unwrap().unwrap();
        assert_eq!(reduce_names(&Parts::one(&names), &Parts::one(&others), &bits).unwrap().unwrap(), want);
        assert!(chunked.kinds(4100..4200).eq(o[4100..4200].iter().map(|&x| x.kind())));
    }

    /// Id columns in parts (decision 62): cut anywhere (an empty part first, parts shorter and
    /// longer than a pass's chunk), the outcomes in one slice, in parts cut elsewhere, or
    /// labels in parts: the one slice's table; later parts' ids past the first rows' range
    /// (the range measured again); parts that end at different rows in the two columns refused.
    #[test]
    fn id_parts_match_one_slice() {
        let (a, b, o) = random_rows(40, 300_000, 62);
        // (the last third's ids 150 higher: past the first part's range)
        let shift = |x: &u32, r: usize| *x as i64 + if r >= 200_000 { 150 } else { 0 };
        let a64: Vec<i64> = a.iter().enumerate().map(|(r, x)| shift(x, r)).collect();
        let b64: Vec<i64> = b.iter().enumerate().map(|(r, x)| shift(x, r)).collect();
        let cuts = [0, 0, 4_097, 70_001, 70_002, 250_000, 300_000];
        fn parts<'a>(x: &'a [i64], cuts: &[usize]) -> Parts<'a, i64> {
            Parts::new(cuts.windows(2).map(|w| &x[w[0]..w[1]]).collect())
        }
        let (pa, pb) = (parts(&a64, &cuts), parts(&b64, &cuts));
        let want = reduce_ids(&a64, &b64, &o[..]).unwrap().unwrap();
        assert_eq!(want.keys.len(), 80);
        assert_eq!(reduce_id_parts(&pa, &pb, &o[..]).unwrap().unwrap(), want);
        let chunked = Chunked::new(vec![&o[..100_000], &o[100_000..100_001], &o[100_001..]]);
        assert_eq!(reduce_id_parts(&pa, &pb, &chunked).unwrap().unwrap(), want);
        let texts: [&[u8]; 3] = [b"model_b", b"tie", b"model_a"];
        let lv: Vec<u128> = o.iter().map(|&x| StrKey::new(texts[(2.0 * x) as usize]).packed().unwrap()).collect();
        let labels = Labels::new(Parts::new(vec![&lv[..5], &lv[5..]]), &texts, &[0.0, 0.5, 1.0]).unwrap();
        assert_eq!(reduce_id_parts(&pa, &pb, &labels).unwrap().unwrap(), want);
        assert_eq!(reduce_ids(&a64, &b64, &labels).unwrap().unwrap(), want);
        let other = Parts::new(vec![&b64[..10], &b64[10..]]);
        assert!(matches!(reduce_id_parts(&pa, &other, &o[..]), Err(Error::InvalidArgument(_))));
        let none: Parts<'_, i64> = Parts::new(vec![&[], &[]]);
        assert_eq!(reduce_id_parts(&none, &none, &AllWins).unwrap(), None);
    }

    /// Short names among long ones, each row its own bytes (decision 60): once a piece is
    /// mostly long views ([`BYTES_FIRST`]), pieces are read through their bytes whole, the
    /// short views from their own 16 bytes (the empty name among them) — the general path's
    /// table, in parts and buffers cut anywhere; a short view with garbage in its padding is
    /// still its name (the piece read view by view); a long view outside its buffers
    /// declines; a name past 32 bytes leaves the pieces listed.
    #[test]
    fn short_names_among_own_long_copies() {
        let n = 60;
        let (a, b, o) = random_rows(n, 300_000, 61);
        for longest in [32, 33] {
            // (every sixth name short, the empty one first, the others 13 to 29 bytes: 5/6 of
            // the views long, well past `BYTES_FIRST`)
            let names: Vec<Vec<u8>> = (0..n)
                .map(|k| match k % 6 {
                    0 => b"abcdefghijkl"[..k / 6].to_vec(),
                    1 if k == 1 => vec![b'y'; longest],
                    _ => format!("model-{k:03}-{}", "x".repeat(3 + k % 17)).into_bytes(),
                })
                .collect();
            assert_eq!(names.iter().filter(|t| t.len() <= 12).count(), n / 6);
            let (sorted, want) = sorted_and_table(&names, &a, &b, &o);
            let texts = |ids: &[u32]| -> Vec<&[u8]> { ids.iter().map(|&k| &names[k as usize][..]).collect() };
            for (cuts_a, cuts_b, per) in [(vec![], vec![], usize::MAX), (vec![3, 4099, 150_001], vec![200_000], 777)] {
                let (pa, pb) = (arrow_parts(&texts(&a), &cuts_a, per), arrow_parts(&texts(&b), &cuts_b, per));
                let got = reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap();
                assert_eq!((&got.names, &got.table), (&sorted, &want), "longest {longest}, cuts {cuts_a:?} {cuts_b:?}");
                // Garbage in a short view's padding late in the column: the same name.
                let mut odd = pa.clone();
                let last = odd.0.len() - 1;
                let r = odd.0[last].iter().rposition(|&v| (v as u32) == 2).unwrap();
                odd.0[last][r] |= 0xab << 120;
                assert_eq!(reduce_names(&with_buffers(&odd), &with_buffers(&pb), &o[..]).unwrap().unwrap().table, want);
                // A long view past its buffer's end, late: declined.
                let mut bad = pb.clone();
                let last = bad.0.len() - 1;
                let r = bad.0[last].iter().rposition(|&v| (v as u32) > 12).unwrap();
                bad.0[last][r] += 1 << 96;
                assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&bad), &o[..]).unwrap(), None);
            }
        }
        // The front itself: the first piece listed, the next read through the bytes (the
        // same pairs); a short view with garbage in its padding is not read there.
        let names: Vec<Vec<u8>> =
            (0..n).map(|k| if k % 6 == 0 { format!("m{k}").into_bytes() } else { format!("model-{k:03}-instruct").into_bytes() }).collect();
        let piece = |ids: &[u32]| -> Vec<&[u8]> { ids[..PIECE_ROWS].iter().map(|&k| &names[k as usize][..]).collect() };
        let (pa, pb) = (arrow_parts(&piece(&a), &[], usize::MAX), arrow_parts(&piece(&b), &[], usize::MAX));
        let (ba, bb): (Vec<&[u8]>, Vec<&[u8]>) = (pa.1[0].iter().map(|x| &x[..]).collect(), pb.1[0].iter().map(|x| &x[..]).collect());
        let mut front = NameFront::new().unwrap();
        let want: Vec<u16> = pa.0[0].iter().zip(&pb.0[0]).map(|(&x, &y)| (front.code(x, &ba) as u16) << 8 | front.code(y, &bb) as u16).collect();
        let want: Vec<u16> = want.iter().map(|&p| (p >> 8) << front.shift | (p & 0xff)).collect();
        let (mut pairs, mut listed) = (vec![0u16; PIECE_ROWS], Box::new([0u16; 2 * PIECE_ROWS]));
        for turn in 0..2 {
            assert!(front.pairs_viewing(&pa.0[0], &pb.0[0], [(&ba, 1), (&bb, 2)], &mut pairs, &mut listed));
            assert_eq!(pairs, want, "turn {turn}");
            assert!(front.bytes_first && front.long.ready);
        }
        let mut odd = pa.0[0].clone();
        let r = odd.iter().position(|&v| (v as u32) <= 12).unwrap();
        odd[r] |= 1 << 127;
        assert!(!front.byte_pairs::<true>(&odd, &pb.0[0], [&ba, &bb], &mut pairs));
        assert!(front.byte_pairs::<true>(&pa.0[0], &pb.0[0], [&ba, &bb], &mut pairs) && pairs == want);
    }

    /// Short names differing only by trailing NUL bytes (their views equal but for the
    /// length) take slots of their own in the long front: it stays ready, each found there.
    #[test]
    fn short_names_differing_by_trailing_nuls_keep_the_long_front() {
        let names: [&[u8]; 7] = [b"ab", b"ab\0", b"ab\0\0", b"model-0001-instruct", b"", b"\0", b"\0\0\0\0\0\0\0\0\0\0\0\0"];
        let parts = arrow_parts(&names, &[], usize::MAX);
        let buffers: Vec<&[u8]> = parts.1[0].iter().map(|x| &x[..]).collect();
        let mut front = NameFront::new().unwrap();
        let codes: Vec<u8> = parts.0[0].iter().map(|&v| front.code(v, &buffers)).collect();
        assert_eq!(codes, (0..7).collect::<Vec<u8>>());
        assert!(front.long.ready);
        for (v, &code) in parts.0[0].iter().zip(&codes) {
            let (w, len) = LongFront::words::<true>(&buffers, v).unwrap();
            let key = front.long.key(&w, len);
            assert_eq!((key.differs(&w, len), key.code), (0, code), "{:?}", names[code as usize]);
        }
    }

    /// The long names' front (decision 54): a name whose slot is taken moves the front to
    /// another multiplier; every name is then found by [`NameFront::pairs_listing`]'s loop
    /// without the directory; a new name, a view outside its buffer or of another length is
    /// not; a name past 32 bytes leaves the long views to the directory, still found.
    #[test]
    fn long_front_finds_its_names() {
        let text = |k: usize| format!("model-{k:04}-instruct").into_bytes();
        let words = |t: &[u8]| (NameCodes::long_words(t), t.len());
        let first = NameFront::multiplier(0);
        let mut seen = std::collections::HashMap::new();
        let (early, last) = (0..)
            .find_map(|k| {
                let (w, len) = words(&text(k));
                seen.insert(LongFront::slot(first, &w, len), k).map(|j| (j, k))
            })
            .unwrap();
        let ks: Vec<usize> = [early, last].into_iter().chain(last + 1..last + 41).collect();
        let texts: Vec<Vec<u8>> = ks.iter().map(|&k| text(k)).collect();
        let data: Vec<u8> = texts.concat();
        let view = |t: &[u8], at: usize| t.len() as u128 | (u32::from_le_bytes(t[..4].try_into().unwrap()) as u128) << 32 | (at as u128) << 96;
        let mut at = 0;
        let views: Vec<u128> = texts
            .iter()
            .map(|t| {
                at += t.len();
                view(t, at - t.len())
            })
            .collect();
        let buffers: [&[u8]; 1] = [&data];
        let mut front = NameFront::new().unwrap();
        let codes: Vec<u8> = views.iter().map(|&v| front.code(v, &buffers)).collect();
        assert!(!front.declined && front.long.ready && front.long.count == views.len());
        assert!(front.long.mul != first, "a collision made the long front choose another multiplier");
        let short = StrKey::new(b"m1").packed().unwrap();
        let short_code = front.code(short, &buffers);
        let (mut pairs, mut listed) = (vec![0u16; views.len()], Box::new([0u16; 2 * PIECE_ROWS]));
        let shorts = vec![short; views.len()];
        for (x, y) in [(&views, &shorts), (&shorts, &views), (&views, &views)] {
            assert!(front.pairs_listing(x, y, [(&buffers, 1), (&buffers, 2)], &mut pairs, &mut listed));
            for (r, &p) in pairs.iter().enumerate() {
                let code = |v: &Vec<u128>| if v[0] == short { short_code } else { codes[r] } as u16;
                assert_eq!(p, code(x) << front.shift | code(y));
            }
        }
        // A new name, a view past its buffer's end, in a buffer not there, of another length:
        // not found.
        let new = text(last + 100);
        let more: Vec<u8> = [&data[..], &new[..]].concat();
        let more_buffers: [&[u8]; 1] = [&more];
        let past = view(&texts[0], data.len() - 5);
        for (v, bufs) in [(view(&new, data.len()), &more_buffers), (past, &buffers), (views[0] + (1 << 64), &buffers), (views[0] + 1, &more_buffers)] {
            assert!(!front.pairs_listing(&[v], &[short], [(bufs, 1), (bufs, 2)], &mut pairs[..1], &mut listed), "{v:x}");
        }
        // A name of 33 bytes: the long views are found through the directory.
        let long33 = vec![b'z'; 33];
        let all: Vec<u8> = [&data[..], &long33[..]].concat();
        let all_buffers: [&[u8]; 1] = [&all];
        front.code(view(&long33, data.len()), &all_buffers);
        assert!(!front.long.ready && !front.declined);
        assert!(front.pairs_listing(&views, &shorts, [(&all_buffers, 3), (&all_buffers, 4)], &mut pairs, &mut listed));
        assert!(pairs.iter().zip(&codes).all(|(&p, &c)| p == (c as u16) << front.shift | short_code as u16));
    }

    /// Views that repeat (a gathered column, a Parquet read: each name's rows point at one
    /// copy of its bytes) are found through the columns' fronts of views (decisions 55, 56), per part: here
    /// each part's buffer holds the names in another order, so that the same view is another
    /// name in each part and in each column. Long names only (`pairs_long`) and long beside
    /// short ones and one past 32 bytes (`pairs_listing`, the directory); parts whose views
    /// repeat beside parts whose rows have their own bytes.
    #[test]
    fn repeated_views_are_found_per_part() {
        let n = 60;
        let (a, b, o) = random_rows(n, 200_000, 41);
        for with_short in [false, true] {
            let names: Vec<Vec<u8>> = (0..n)
                .map(|k| match k {
                    _ if with_short && k % 4 == 0 => format!("m{k}").into_bytes(),
                    // (a name past 32 bytes: the long views then found through the directory)
                    1 if with_short => format!("model-{k:03}-instruct-v0.1-and-a-longer-tail").into_bytes(),
                    _ => format!("model-{k:03}-instruct-v0.1").into_bytes(),
                })
                .collect();
            let (sorted, want) = sorted_and_table(&names, &a, &b, &o);
            for own in [2, 0] {
                // (parts of own bytes: every other part from part `own`)
                let own_part = |k: usize, _: usize| k % 2 == own;
                let (pa, pb) = (shared_column(&names, &a, &[70_000, 140_000], 7, 0, own_part), shared_column(&names, &b, &[100_000], 11, 0, own_part));
                let got = reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap();
                assert_eq!((&got.names, &got.table), (&sorted, &want), "short names too: {with_short}, parts of own bytes: {own}");
            }
        }
    }

    /// Each column's front of views (decision 56): the views learned are found with their
    /// codes under any multiplier (a collision moves it), in their part only (the front is
    /// emptied when the part changes, the empty string's view too); a piece that did not
    /// look is not learned; past [`VIEW_MAX`] views the front is crowded.
    #[test]
    fn view_fronts_hold_a_parts_views() {
        let mut front = ViewFront::new().unwrap();
        let shift = 6;
        // Long views of 100 names (buffer 0, offsets 23 apart) and the empty string's (0).
        let view = |k: u128| 23 | (u32::from_le_bytes(*b"mode") as u128) << 32 | (23 * k) << 96;
        let mut views: Vec<u128> = (0..100).map(view).collect();
        views.push(0);
        // Two views sharing a slot under the first multiplier: learned one piece apart.
        let first = front.front.mul;
        let mut seen = std::collections::HashMap::new();
        let (early, late) = (100..).find_map(|k| seen.insert(Front::slot(first, view(k)), k).map(|j| (j, k))).unwrap();
        views.push(view(early));
        let code = |r: usize| (r % 50) as u16;
        let pairs: Vec<u16> = (0..views.len()).map(|r| code(r) << shift | 7).collect();
        front.enter(1, shift);
        front.learn(views.iter().copied().zip(pairs.iter().map(|&p| (p >> shift) as u8)), shift);
        assert_eq!(front.front.mul, first, "no collision yet");
        front.enter(1, shift);
        front.learn([(view(late), 3)].into_iter(), shift);
        assert!(front.front.mul != first && !front.crowded, "a collision made the front choose another multiplier");
        for (r, &v) in views.iter().enumerate() {
            assert_eq!(front.front.find(v), Some(code(r) as u8), "view {r}");
        }
        assert_eq!((front.front.find(view(late)), front.held.len()), (Some(3), views.len() + 1));
        let mut out = vec![0u16; views.len()];
        assert!(pairs_through(&front.front, &front.front, &views, &views, &mut out));
        assert_eq!(out, (0..views.len()).map(|r| code(r) << shift | code(r)).collect::<Vec<_>>());
        // Another part: nothing found, the empty string's view not either.
        front.enter(3, shift);
        assert!(front.held.is_empty() && views.iter().all(|&v| front.front.find(v).is_none()));
        assert!(!pairs_through(&front.front, &front.front, &views[100..101], &views[100..101], &mut out[..1]));
        // A piece that did not look learns nothing; more than VIEW_MAX views crowd the front.
        (front.skip, front.backoff) = (3, 4);
        front.enter(3, shift);
        front.learn(views.iter().map(|&v| (v, 1)), shift);
        assert!(front.held.is_empty());
        front.skip = 0;
        front.enter(3, shift);
        let many: Vec<u128> = (0..VIEW_MAX as u128 + 1).map(view).collect();
        front.learn(many.iter().map(|&v| (v, 0)), shift);
        assert!(front.crowded && front.held.len() == VIEW_MAX);
        front.enter(5, shift);
        assert!(!front.crowded && front.held.is_empty(), "a new part starts afresh");
        // A block's piece read the listing way is learned, and then read through the fronts.
        let data: Vec<u8> = (0..100).flat_map(|k| format!("model-{k:03}-instruct-v0.1").into_bytes()).collect();
        let buffers: Vec<&[u8]> = vec![&data[..]];
        let (a, b): (Vec<u128>, Vec<u128>) = ((0..100).map(view).collect(), (0..100).map(|k| view((k + 1) % 100)).collect());
        let mut names = NameFront::new().unwrap();
        let codes: Vec<u8> = a.iter().map(|&v| names.code(v, &buffers)).collect();
        assert_eq!(codes, (0..100).collect::<Vec<u8>>());
        let (mut pairs, mut listed) = (vec![0u16; 100], boxed::<u16, { 2 * PIECE_ROWS }>(0).unwrap());
        assert!(names.pairs_viewing(&a, &b, [(&buffers, 1), (&buffers, 2)], &mut pairs, &mut listed));
        assert_eq!(pairs, (0..100).map(|k| (k as u16) << names.shift | ((k + 1) % 100) as u16).collect::<Vec<_>>());
        let views = names.views.as_deref().unwrap();
        assert!(views.iter().all(|v| v.held.len() == 100 && !v.crowded));
        let mut again = vec![0u16; 100];
        assert!(pairs_through(&views[0].front, &views[1].front, &a, &b, &mut again), "the next piece through the fronts");
        assert_eq!(again, pairs);
    }

    /// Names whose rows share their bytes within each part (a gather, a Parquet read), read
    /// through the columns' fronts of views (decision 56): 250 names, short, long and past 32
    /// bytes, met late, the same view bits naming other names in another part or column, a
    /// few rows with their own bytes among them: the general path's table.
    #[test]
    fn shared_views_match_the_general_reduce() {
        let n = 250;
        let (mut a, mut b, o) = random_rows(n, 400_000, 43);
        for r in 0..150_000 {
            (a[r], b[r]) = (a[r] % 40, (a[r] % 40 + 1 + b[r] % 39) % 40);
        }
        let names: Vec<Vec<u8>> = (0..n)
            .map(|k| match k % 5 {
                0 => format!("m{k}").into_bytes(),
                1 if k % 7 == 1 => format!("model-{k:03}-instruct-v0.1-and-a-longer-tail").into_bytes(),
                1 | 2 => format!("model-{k:03}-{}", "x".repeat(k % 18)).into_bytes(),
                _ => format!("model-{k:03}-instruct-v0.1").into_bytes(),
            })
            .collect();
        let (sorted, want) = sorted_and_table(&names, &a, &b, &o);
        // Each part's buffer holds the names 48 bytes apart (so that most long views of a part
        // are those of other names in another); every `own`-th row has its own bytes.
        let column = |names: &[Vec<u8>], ids: &[u32], cuts: &[usize], turn: usize, own: usize| shared_column(names, ids, cuts, turn, 48, |_, r| r % own == 0);
        let texts3: [&[u8]; 3] = [b"model_b", b"tie", b"model_a"];
        let lv: Vec<u128> = o.iter().map(|&x| StrKey::new(texts3[(2.0 * x) as usize]).packed().unwrap()).collect();
        for own in [usize::MAX, 5_003] {
            let (pa, pb) = (column(&names, &a, &[90_000, 250_000], 7, own), column(&names, &b, &[200_000], 11, own));
            let got = reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap();
            assert_eq!((&got.names, &got.table), (&sorted, &want), "own bytes every {own} rows");
            let labels = Labels::new(Parts::one(&lv), &texts3, &[0.0, 0.5, 1.0]).unwrap();
            assert_eq!(reduce_names(&with_buffers(&pa), &with_buffers(&pb), &labels).unwrap().unwrap().table, want);
        }
        // Long names only, their rows sharing their bytes: the same.
        let mut long: Vec<Vec<u8>> = names.iter().filter(|x| x.len() > 12).cloned().collect();
        long.sort();
        let k = long.len() as u32;
        let (la, lb): (Vec<u32>, Vec<u32>) = a.iter().zip(&b).map(|(&x, &y)| (x % k, (x % k + 1 + y % (k - 1)) % k)).unzip();
        let want = reduce(long.len(), &la, &lb, Outcomes::Values(&o), None).unwrap();
        let (pa, pb) = (column(&long, &la, &[100_000], 3, usize::MAX), column(&long, &lb, &[], 5, usize::MAX));
        let got = reduce_names(&with_buffers(&pa), &with_buffers(&pb), &o[..]).unwrap().unwrap();
        assert_eq!((&got.names, &got.table), (&long, &want), "long names only");
    }

    /// Long labels whose rows share their bytes within a part (a Parquet read), read through
    /// the block's front of label views (decision 57): the same view bits name another label
    /// in another part (the front is emptied when the part changes), some rows have their
    /// own bytes; an unknown label with the bits of a known one in another part declines.
    #[test]
    fn label_views_that_repeat_per_part() {
        let n = 20;
        let (a, b, o, [a64, b64], want) = rows_and_table(n, 300_000, 47);
        let (win_a, win_b, unknown): (&[u8], &[u8], &[u8]) = (b"win_a_longlabel", b"win_b_longlabel", b"win_c_longlabel");
        let texts: [&[u8]; 5] = [b"model_b", b"tie", b"model_a", win_a, win_b];
        let values = [0.0, 0.5, 1.0, 1.0, 0.0];
        // Part k's buffer: its two long labels at offsets 0 and 15 (`firsts[k]` first); a
        // row's label view points there, but every `own`-th row's at its own copy.
        let column = |firsts: &[&[u8]], own: usize| -> (Vec<Vec<u128>>, Vec<Vec<Vec<u8>>>) {
            let bounds = [0, 70_000, 200_000, o.len()];
            let (mut parts, mut buffers) = (Vec::new(), Vec::new());
            for (k, w) in bounds.windows(2).enumerate() {
                let second = if firsts[k] == win_b { win_a } else { win_b };
                let mut data = [firsts[k], second].concat();
                let views = (w[0]..w[1])
                    .map(|r| {
                        let text: &[u8] = match (o[r], r % 2) {
                            (x, 0) if x != 0.5 => texts[(2.0 * x) as usize],
                            (0.5, _) => b"tie",
                            (x, _) => [win_b, win_a][x as usize],
                        };
                        StrKey::new(text).packed().unwrap_or_else(|| {
                            let off = match (r % own == 0, text == firsts[k]) {
                                (true, _) => {
                                    data.extend_from_slice(text);
                                    data.len() - 15
                                }
                                (false, true) => 0,
                                (false, false) => 15,
                            };
                            15 | (u32::from_le_bytes(*b"win_") as u128) << 32 | (off as u128) << 96
                        })
                    })
                    .collect();
                parts.push(views);
                buffers.push(vec![data]);
            }
            (parts, buffers)
        };
        let view = |k: u32| StrKey::new(format!("model-{k:03}").as_bytes()).packed().unwrap();
        let (va, vb): (Vec<u128>, Vec<u128>) = (a.iter().map(|&k| view(k)).collect(), b.iter().map(|&k| view(k)).collect());
        let names: Vec<Vec<u8>> = (0..n as u32).map(|k| format!("model-{k:03}").into_bytes()).collect();
        // (a piece's label views learned by the block's front, the next piece read through it)
        let col = column(&[win_a, win_b, win_a], usize::MAX);
        let labels = Labels::new(with_buffers(&col), &texts, &values).unwrap();
        let (mut state, mut lanes) = (LaneState::default(), vec![0u8; PIECE_ROWS]);
        for _ in 0..2 {
            // (the first piece meets the long labels; the second is learned: kinds 0, 1, 2 or-ed)
            assert_eq!(labels.lanes(0..PIECE_ROWS, &mut lanes, &mut state), Some(3));
        }
        // (read through the front: no kinds or-ed)
        assert_eq!(labels.lanes(0..PIECE_ROWS, &mut lanes, &mut state), Some(0));
        assert!(lanes.iter().zip(&o).all(|(&l, &x)| l as u64 == x.kind()));
        let front = state.views.as_deref().expect("a long label met: the block keeps a front");
        assert!(front.held.len() == 5 && lanes_through(&front.front, &col.0[0][..PIECE_ROWS], &mut lanes));
        assert!(lanes.iter().zip(&o).all(|(&l, &x)| l as u64 == x.kind()));
        for own in [usize::MAX, 997] {
            let col = column(&[win_a, win_b, win_a], own);
            let labels = Labels::new(with_buffers(&col), &texts, &values).unwrap();
            assert_eq!(reduce_ids(&a64, &b64, &labels).unwrap().unwrap().table, want.clone(), "own bytes every {own} rows");
            let got = reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels).unwrap().unwrap();
            assert_eq!((&got.names, &got.table), (&names, &want), "own bytes every {own} rows");
        }
        // Part 2 holds an unknown label where parts 0 and 1 hold `win_a` and `win_b` (its views
        // the bits of theirs, held by the block's front in part 1 unless it is emptied): its
        // rows decline.
        let mut col = column(&[win_a, win_b, win_a], usize::MAX);
        col.1[2][0][..15].copy_from_slice(unknown);
        let labels = Labels::new(with_buffers(&col), &texts, &values).unwrap();
        assert_eq!(reduce_ids(&a64, &b64, &labels).unwrap(), None);
        assert_eq!(reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels).unwrap(), None);
    }

    /// Long labels each row its own copy, laid in row order (a CSV read, a list): a piece is
    /// read by [`Labels::lanes_in_order`] — the kinds right, copies across a part's second
    /// buffer, a buffer whose copies start past its first byte —, and it declines a piece where
    /// a copy's bytes differ, where a view skips to a later copy (the bytes it covers all the
    /// label's), where the copies run past the buffer's end, or where two long labels meet; the
    /// listing loops then read those pieces, and the reduces agree with the general one.
    #[test]
    fn label_copies_in_row_order() {
        let n = 20;
        let (a, b, o, [a64, b64], want) = rows_and_table(n, 300_000, 53);
        let (bad, other): (&[u8], &[u8]) = (b"tie (bothbad)", b"model_a (wins)");
        let texts: [&[u8]; 5] = [b"model_b", b"tie", b"model_a", bad, other];
        let values = [0.0, 0.5, 1.0, 0.5, 1.0];
        // Every other tie `bad`, every third win of a `other` when `both`; each its own copy,
        // appended to the part's current buffer (a new one from row `switch` of part 1), the
        // first buffer of each part starting with `skip` bytes of something else.
        let column = |both: bool, skip: usize, switch: usize| -> Column {
            let bounds = [0, 90_000, 210_000, o.len()];
            let (mut parts, mut buffers) = (Vec::new(), Vec::new());
            for (k, w) in bounds.windows(2).enumerate() {
                let mut bufs: Vec<Vec<u8>> = vec![vec![b'.'; skip]];
                let views = (w[0]..w[1])
                    .map(|r| {
                        let text: &[u8] = match o[r] {
                            0.5 if r % 2 == 0 => bad,
                            1.0 if both && r % 3 == 0 => other,
                            x => texts[(2.0 * x) as usize],
                        };
                        if k == 1 && r - w[0] == switch {
                            bufs.push(Vec::new());
                        }
                        StrKey::new(text).packed().unwrap_or_else(|| {
                            let buf = bufs.len() - 1;
                            let data = &mut bufs[buf];
                            data.extend_from_slice(text);
                            let head = text.len() as u128 | (u32::from_le_bytes(text[..4].try_into().unwrap()) as u128) << 32;
                            head | (buf as u128) << 64 | ((data.len() - text.len()) as u128) << 96
                        })
                    })
                    .collect();
                parts.push(views);
                buffers.push(bufs);
            }
            (parts, buffers)
        };
        let view = |k: u32| StrKey::new(format!("model-{k:03}").as_bytes()).packed().unwrap();
        let (va, vb): (Vec<u128>, Vec<u128>) = (a.iter().map(|&k| view(k)).collect(), b.iter().map(|&k| view(k)).collect());
        let names: Vec<Vec<u8>> = (0..n as u32).map(|k| format!("model-{k:03}").into_bytes()).collect();
        let agrees = |col: &Column, what: &str| {
            let labels = Labels::new(with_buffers(col), &texts, &values).unwrap();
            assert_eq!(reduce_ids(&a64, &b64, &labels).unwrap().unwrap().table, want.clone(), "{what}");
            let got = reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels).unwrap().unwrap();
            assert_eq!((&got.names, &got.table), (&names, &want), "{what}");
        };
        let in_order = |col: &Column, part: usize, rows: Range<usize>| {
            let labels = Labels::new(with_buffers(col), &texts, &values).unwrap();
            let mut lanes = vec![9u8; rows.len()];
            let all = labels.lanes_in_order(&col.0[part][rows.clone()], part, &mut lanes);
            let start = [0, 90_000, 210_000][part];
            let kinds = o[start + rows.start..start + rows.end].iter().map(|x| x.kind());
            (all, lanes.iter().zip(kinds).all(|(&l, k)| l as u64 == k))
        };
        for (skip, switch) in [(0, usize::MAX), (5, 1_000), (1, 0)] {
            let col = column(false, skip, switch);
            for (part, rows) in [(0, 0..PIECE_ROWS), (1, 0..PIECE_ROWS), (1, 800..800 + PIECE_ROWS), (2, 3..3 + PIECE_ROWS)] {
                let crosses = switch > rows.start && switch < rows.end && part == 1;
                let (all, right) = in_order(&col, part, rows.clone());
                assert_eq!(all.is_some(), !crosses, "skip {skip}, switch {switch}, part {part}, rows {rows:?}");
                assert!(all.is_none() || (all == Some(3) && right), "skip {skip}, part {part}, rows {rows:?}");
            }
            agrees(&col, &format!("skip {skip}, switch {switch}"));
        }
        // Through `lanes`: the first piece meets the long label (the listing loops), the
        // others are read in order (no front of views made).
        let col = column(false, 0, usize::MAX);
        let labels = Labels::new(with_buffers(&col), &texts, &values).unwrap();
        let (mut state, mut lanes) = (LaneState::default(), vec![0u8; PIECE_ROWS]);
        for rows in [0..PIECE_ROWS, PIECE_ROWS..2 * PIECE_ROWS, 2 * PIECE_ROWS..3 * PIECE_ROWS] {
            assert_eq!(labels.lanes(rows.clone(), &mut lanes, &mut state), Some(3));
            assert!(lanes.iter().zip(&o[rows]).all(|(&l, x)| l as u64 == x.kind()));
        }
        assert!(state.views.is_none() && !state.made);
        // (a long row's copy's offset)
        let third = (0..PIECE_ROWS).filter(|&r| col.0[0][r] as u32 > 12).nth(2).unwrap();
        let off = |col: &Column, r: usize| (col.0[0][r] >> 96) as usize;
        // A copy's bytes differ: declined, and the rows are then another label's.
        let mut changed = col.clone();
        let at = off(&changed, third) + 12;
        changed.1[0][0][at] = b'X';
        assert_eq!(in_order(&changed, 0, 0..PIECE_ROWS).0, None);
        let labels = Labels::new(with_buffers(&changed), &texts, &values).unwrap();
        assert_eq!(reduce_ids(&a64, &b64, &labels).unwrap(), None);
        // The piece's last long view skips to the next copy, whose bytes differ: the copies
        // the piece's long rows cover are all the label's, yet that view names other bytes.
        let mut skipped = col.clone();
        let last = (0..PIECE_ROWS).rev().find(|&r| col.0[0][r] as u32 > 12).unwrap();
        let next = off(&col, last) + 13;
        skipped.0[0][last] = (col.0[0][last] & (u128::MAX >> 32)) | (next as u128) << 96;
        skipped.1[0][0][next + 12] = b'X';
        assert_eq!(in_order(&skipped, 0, 0..PIECE_ROWS).0, None);
        // Copies that run past the buffer's end (the last view's bytes cut short).
        let mut cut = col.clone();
        cut.1[0][0].truncate(off(&col, last) + 12);
        cut.0[0].truncate(PIECE_ROWS);
        let mut lanes = vec![0u8; PIECE_ROWS];
        let labels = Labels::new(with_buffers(&cut), &texts, &values).unwrap();
        assert_eq!(labels.lanes_in_order(&cut.0[0], 0, &mut lanes), None);
        // Two long labels in a piece: declined, read by the listing loops.
        let both = column(true, 0, usize::MAX);
        assert_eq!(in_order(&both, 0, 0..PIECE_ROWS).0, None);
        agrees(&both, "two long labels");
        // The long rows' kind is the label's value's, whatever it is: 0, 1, or none of 0, ½
        // and 1 (`OTHER`: or-ed into the piece's kinds, so that the reduce declines).
        for value in [0.0, 1.0, 0.3] {
            let kind = lane_or_other(value.kind()) as u64;
            let labels = Labels::new(with_buffers(&col), &texts, &[0.0, 0.5, 1.0, value, 1.0]).unwrap();
            let mut lanes = vec![9u8; PIECE_ROWS];
            let all = labels.lanes_in_order(&col.0[0][..PIECE_ROWS], 0, &mut lanes).expect("copies in order");
            let long = |r: usize| col.0[0][r] as u32 > 12;
            assert!((0..PIECE_ROWS).all(|r| lanes[r] as u64 == if long(r) { kind & 3 } else { o[r].kind() }), "value {value}");
            assert_eq!(all & OTHER != 0, kind == OTHER, "value {value}");
        }
    }

    /// Long names each row its own copy (a CSV read): past the first pieces, both columns are
    /// read through their bytes in one loop ([`NameFront::byte_pairs`]); a name met first
    /// late in the block, in one column only (either), sends the piece back to be read view
    /// by view, and the table agrees with the general reduce.
    #[test]
    fn own_copies_with_a_name_met_late() {
        let (a, b, o) = random_rows(20, 200_000, 59);
        let names: Vec<Vec<u8>> = (0..21u32).map(|k| format!("model-{k:03}-instruct-v0.{k}").into_bytes()).collect();
        for side in 0..2 {
            let (mut a, mut b) = (a.clone(), b.clone());
            // (the block's last piece: its fronts of views long crowded, its pieces read
            // through their bytes)
            [&mut a, &mut b][side][199_900] = 20;
            let (sorted, want) = sorted_and_table(&names, &a, &b, &o);
            let (ca, cb) = (shared_column(&names, &a, &[], 0, 0, |_, _| true), shared_column(&names, &b, &[], 0, 0, |_, _| true));
            let got = reduce_names(&with_buffers(&ca), &with_buffers(&cb), &o[..]).unwrap().unwrap();
            assert_eq!((&got.names, &got.table), (&sorted, &want), "the late name in column {side}");
        }
    }

    /// `view_bytes` reads a long view's bytes in the buffer it names, and nothing for a short
    /// view, a buffer not given, or bytes past the buffer's end.
    #[test]
    fn view_bytes_within_the_buffers() {
        let bufs: [&[u8]; 2] = [b"..tie (bothbad)", b"model_a_and_more"];
        let view = |len: u32, buf: u32, off: u32| len as u128 | (buf as u128) << 64 | (off as u128) << 96;
        assert_eq!(view_bytes(&bufs, view(13, 0, 2)), b"tie (bothbad)");
        assert_eq!(view_bytes(&bufs, view(16, 1, 0)), b"model_a_and_more");
        assert_eq!(view_bytes(&bufs, view(13, 1, 3)), b"el_a_and_more");
        for v in [view(14, 1, 3), view(13, 2, 0), view(12, 0, 2), view(13, 0, u32::MAX), view(u32::MAX, 0, 0)] {
            assert_eq!(view_bytes(&bufs, v), b"");
        }
        assert_eq!(view_bytes(&[], view(13, 0, 2)), b"");
    }

    /// `same_bytes` (two words for 8–16 bytes) is `==` on byte strings: every length to 20,
    /// equal, one byte changed at each position, and lengths that differ.
    #[test]
    fn same_bytes_is_equality() {
        let text: Vec<u8> = (0..20u8).map(|k| b'a' + k).collect();
        for n in 0..=20 {
            let a = &text[..n];
            let copy = a.to_vec();
            assert!(same_bytes(a, &copy));
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 1;
                assert!(!same_bytes(a, &b), "{n} {at}");
            }
            if n > 0 {
                assert!(!same_bytes(a, &text[..n - 1]) && !same_bytes(&text[..n - 1], a));
            }
        }
    }

    /// The kinds of decision 43 (floats by a table of sign and exponent, the mantissa or-ed
    /// above the lanes) are those of comparing the value with 1, 0 and ½, for special values,
    /// neighbours of 0, ½, 1 and random bit patterns; integers likewise.
    #[test]
    fn kinds_are_those_of_the_compares() {
        let want = |v: f64| {
            if v == 1.0 {
                0
            } else if v == 0.0 {
                1
            } else if v == 0.5 {
                2
            } else {
                OTHER as u8
            }
        };
        let mut values =
            vec![0.0, -0.0, 0.5, 1.0, -0.5, -1.0, 2.0, 0.25, f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, 5e-324, -5e-324];
        for v in [0.0f64, 0.5, 1.0] {
            values.extend([f64::from_bits(v.to_bits() + 1), f64::from_bits(v.to_bits().wrapping_sub(1)), f64::from_bits(v.to_bits() | 1 << 51)]);
        }
        let mut s = 99u64;
        values.extend((0..100_000).map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            f64::from_bits(s)
        }));
        for &v in &values {
            assert_eq!(lane_or_other(v.kind()), want(v), "{v:e} ({:#x})", v.to_bits());
            let w = v as f32;
            assert_eq!(lane_or_other(w.kind()), want(w as f64), "{w:e} ({:#x})", w.to_bits());
            assert_eq!(lane_or_other(f32::from_bits(v.to_bits() as u32).kind()), want(f32::from_bits(v.to_bits() as u32) as f64));
        }
        for v in [f32::from_bits(1), f32::from_bits(0.5f32.to_bits() + 1), f32::from_bits(1f32.to_bits() + 1), -0.0f32] {
            assert_eq!(lane_or_other(v.kind()), want(v as f64), "{v:e}");
        }
        for v in [-2i64, -1, 0, 1, 2, i64::MIN, i64::MAX] {
            assert_eq!(lane_or_other(v.kind()), want(v as f64));
            assert_eq!(lane_or_other((v as u8).kind()), want((v as u8) as f64));
            assert_eq!(lane_or_other((v as u64).kind()), want((v as u64) as f64));
        }
        // A float other than 0, ½, 1 anywhere in the rows declines the pass.
        let (a, b, mut o) = random_rows(10, 100_000, 2);
        for bad in [f64::from_bits(1f64.to_bits() + 1), f64::from_bits(0.5f64.to_bits() + 1), 5e-324, -0.5] {
            o[77_777] = bad;
            assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap(), None, "{bad:e}");
        }
        o[77_777] = -0.0; // a zero: `b` won
        assert_eq!(reduce_ids(&a, &b, &o[..]).unwrap().unwrap().table, reduce(10, &a, &b, Outcomes::Values(&o), None).unwrap());
    }

    /// Long runs of one row (more than 65,535 in one cell of one block) and 256 names, whose
    /// front table needs several multipliers and leaves some names to the directory, give the
    /// general path's table.
    #[test]
    fn runs_and_many_names_match_the_general_reduce() {
        let (mut a, mut b, mut o) = random_rows(256, 600_000, 21);
        for r in 100_000..250_000 {
            (a[r], b[r], o[r]) = (7, 200, 0.5);
        }
        for r in 300_000..370_000 {
            (a[r], b[r], o[r]) = (200, 7, 1.0);
        }
        let want = reduce(256, &a, &b, Outcomes::Values(&o), None).unwrap();
        let (a16, b16): (Vec<u16>, Vec<u16>) = (a.iter().map(|&x| x as u16 + 1000).collect(), b.iter().map(|&x| x as u16 + 1000).collect());
        assert_eq!(reduce_ids(&a16, &b16, &o[..]).unwrap().unwrap().table, want);
        // Names of 1 to 12 bytes; their byte order is not the item order.
        let names: Vec<Vec<u8>> = (0..256u64).map(|k| format!("{:x}{}", k * 2_654_435_761 % 1_000_003, "_".repeat(k as usize % 6)).into_bytes()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        let rank: Vec<u32> = names.iter().map(|x| sorted.iter().position(|y| y == x).unwrap() as u32).collect();
        let view = |k: &u32| StrKey::new(&names[*k as usize]).packed().unwrap();
        let (va, vb): (Vec<u128>, Vec<u128>) = (a.iter().map(view).collect(), b.iter().map(view).collect());
        let got = reduce_names(&Parts::one(&va), &Parts::one(&vb), &o[..]).unwrap().unwrap();
        assert_eq!(got.table, want.relabel(&rank).unwrap());
        assert_eq!(got.names, sorted);
        // Names met late, after rows were counted: the square's rows widened from 16 pairs to
        // 32 in the first piece, then to 256 in one piece after 200,000 rows; or from 16 to
        // 256 after 150,000 rows.
        for (few, at) in [(20u32, 200_000), (3, 150_000)] {
            let (mut a2, mut b2) = (a.clone(), b.clone());
            for r in 0..at {
                (a2[r], b2[r]) = (a[r] % few, (a[r] % few + 1 + b[r] % (few - 1)) % few);
            }
            let want = reduce(256, &a2, &b2, Outcomes::Values(&o), None).unwrap();
            let (va, vb): (Vec<u128>, Vec<u128>) = (a2.iter().map(view).collect(), b2.iter().map(view).collect());
            let got = reduce_names(&Parts::one(&va), &Parts::one(&vb), &o[..]).unwrap().unwrap();
            assert_eq!(got.table, want.relabel(&rank).unwrap(), "{few} names in the first {at} rows");
        }
        // The front table: every name found again, whatever the multiplier — here names
        // chosen so that the last one takes the slot of an earlier one under the first
        // multiplier (so that the front must move to another).
        let first = NameFront::multiplier(0);
        let key = |k: usize| StrKey::new(format!("m{}", k * 2_654_435_761 % 1_000_003).as_bytes()).packed().unwrap();
        let mut seen = std::collections::HashMap::new();
        let (early, last) = (0..).find_map(|k| seen.insert(Front::slot(first, key(k)), k).map(|j| (j, k))).unwrap();
        // (the colliding pair first, then 50 more names)
        let vs: Vec<u128> = [early, last].into_iter().chain(last + 1..last + 51).map(key).collect();
        let mut front = NameFront::new().unwrap();
        let codes: Vec<u8> = vs.iter().map(|&v| front.code(v, &[])).collect();
        assert!(front.table.mul != first, "a collision made the front choose another multiplier");
        assert_eq!(front.shift, 6, "52 names: rows of 64 pairs");
        let mut pairs = vec![0u16; vs.len()];
        assert!(front.pairs_of(&vs, &vs, &mut pairs), "every name in the front");
        for ((&v, &c), &p) in vs.iter().zip(&codes).zip(&pairs) {
            assert_eq!((front.code(v, &[]), p), (c, (c as u16) << front.shift | c as u16));
            assert_eq!(front.directory.names[c as usize], v);
        }
        assert!(!front.pairs_of(&[key(last + 51)], &vs[..1], &mut pairs[..1]), "a new name is not in the front");
    }
}

#[cfg(test)]
mod timing {
    use super::super::random_rows;
    use super::*;

    /// `cargo test --release -p rankagg-core pairs::ids::timing -- --ignored --nocapture`:
    /// the counting pass on 10M rows of 100 int64 ids (float outcomes), and of 100 names,
    /// then both with string label outcomes, one thread and the pool; rows per second per
    /// core; and the read floor of six of those inputs (their bytes read once, nothing
    /// counted), with each pass's time over it.
    #[test]
    #[ignore]
    fn rows_per_second() {
        let (a, b, o) = random_rows(100, 10_000_000, 1);
        let (a64, b64): (Vec<i64>, Vec<i64>) = (a.iter().map(|&x| x as i64).collect(), b.iter().map(|&x| x as i64).collect());
        let view = |k: u32| StrKey::new(format!("model-{k:03}").as_bytes()).packed().unwrap();
        let (va, vb): (Vec<u128>, Vec<u128>) = (a.iter().map(|&k| view(k)).collect(), b.iter().map(|&k| view(k)).collect());
        // Names of 23 bytes (`model-042-instruct-v0.1`), each row's bytes in the data buffer.
        let long_column = |ids: &[u32]| -> (Vec<u128>, Vec<u8>) {
            let mut data = Vec::with_capacity(23 * ids.len());
            let views = ids
                .iter()
                .map(|&k| {
                    let text = format!("model-{k:03}-instruct-v0.1");
                    let view = 23 | (u32::from_le_bytes(*b"mode") as u128) << 32 | (data.len() as u128) << 96;
                    data.extend_from_slice(text.as_bytes());
                    view
                })
                .collect();
            (views, data)
        };
        let (la, lb) = (long_column(&a), long_column(&b));
        // The same names, each row's view pointing at its name's bytes (as a gather or a Parquet read).
        let shared = |ids: &[u32]| -> (Vec<u128>, Vec<u8>) {
            let (views, data) = long_column(&(0..100).collect::<Vec<u32>>());
            (ids.iter().map(|&k| views[k as usize]).collect(), data)
        };
        let (sa, sb) = (shared(&a), shared(&b));
        // Names of 10 to 27 bytes (`model-042-xxxx`: a sixth of them inline), a name's rows its
        // bytes (real model names differ in length).
        let mixed_column = |ids: &[u32]| -> (Vec<u128>, Vec<u8>) {
            let mut data = Vec::new();
            let views: Vec<u128> = (0..100u32)
                .map(|k| {
                    let text = format!("model-{k:03}-{}", "x".repeat(k as usize % 18));
                    StrKey::new(text.as_bytes()).packed().unwrap_or_else(|| {
                        data.extend_from_slice(text.as_bytes());
                        text.len() as u128 | (u32::from_le_bytes(*b"mode") as u128) << 32 | ((data.len() - text.len()) as u128) << 96
                    })
                })
                .collect();
            (ids.iter().map(|&k| views[k as usize]).collect(), data)
        };
        let (xa, xb) = (mixed_column(&a), mixed_column(&b));
        // The same names, each row its own copy of a long name's bytes (a CSV read of real names).
        let mixed_own = |ids: &[u32]| -> (Vec<u128>, Vec<u8>) {
            let mut data = Vec::new();
            let views = ids
                .iter()
                .map(|&k| {
                    let text = format!("model-{k:03}-{}", "x".repeat(k as usize % 18));
                    StrKey::new(text.as_bytes()).packed().unwrap_or_else(|| {
                        data.extend_from_slice(text.as_bytes());
                        text.len() as u128 | (u32::from_le_bytes(*b"mode") as u128) << 32 | ((data.len() - text.len()) as u128) << 96
                    })
                })
                .collect();
            (views, data)
        };
        let (ya, yb) = (mixed_own(&a), mixed_own(&b));
        fn long((views, data): &(Vec<u128>, Vec<u8>)) -> Parts<'_> {
            Parts::one(&views[..]).with_buffers(vec![vec![&data[..]]])
        }
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let median = |f: &(dyn Fn() + Sync)| {
                let mut times: Vec<f64> = (0..7)
                    .map(|_| {
                        let t = std::time::Instant::now();
                        pool.install(f);
                        t.elapsed().as_secs_f64()
                    })
                    .collect();
                times.sort_by(f64::total_cmp);
                times[3]
            };
            let ids = median(&|| drop(reduce_ids(&a64, &b64, &o[..]).unwrap().unwrap()));
            let names = median(&|| drop(reduce_names(&Parts::one(&va), &Parts::one(&vb), &o[..]).unwrap().unwrap()));
            let texts: [&[u8]; 3] = [b"model_b", b"tie", b"model_a"];
            let lv: Vec<u128> = o.iter().map(|&x| StrKey::new(texts[(2.0 * x) as usize]).packed().unwrap()).collect();
            let labels = Labels::new(Parts::one(&lv), &texts, &[0.0, 0.5, 1.0]).unwrap();
            let with_labels = median(&|| drop(reduce_ids(&a64, &b64, &labels).unwrap().unwrap()));
            let names_labels = median(&|| drop(reduce_names(&Parts::one(&va), &Parts::one(&vb), &labels).unwrap().unwrap()));
            // LMArena's labels: every other tie "tie (bothbad)", a view into a data buffer.
            let data = b"tie (bothbad)";
            let long_view = 13 | (u32::from_le_bytes(*b"tie ") as u128) << 32;
            let mixed: Vec<u128> = lv.iter().zip(&o).enumerate().map(|(r, (&v, &x))| if x == 0.5 && r % 2 == 0 { long_view } else { v }).collect();
            let lmarena =
                Labels::new(Parts::one(&mixed).with_buffers(vec![vec![&data[..]]]), &[b"model_b", b"tie", b"model_a", data], &[0.0, 0.5, 1.0, 0.5]).unwrap();
            let names_lmarena = median(&|| drop(reduce_names(&Parts::one(&va), &Parts::one(&vb), &lmarena).unwrap().unwrap()));
            // The same labels, each "tie (bothbad)" its own copy (as a CSV read or a list).
            let mut own_data = Vec::new();
            let own: Vec<u128> = mixed
                .iter()
                .map(|&v| {
                    if v != long_view {
                        return v;
                    }
                    own_data.extend_from_slice(data);
                    long_view | ((own_data.len() - data.len()) as u128) << 96
                })
                .collect();
            let own_labels =
                Labels::new(Parts::one(&own).with_buffers(vec![vec![&own_data[..]]]), &[b"model_b", b"tie", b"model_a", data], &[0.0, 0.5, 1.0, 0.5]).unwrap();
            let names_own = median(&|| drop(reduce_names(&Parts::one(&va), &Parts::one(&vb), &own_labels).unwrap().unwrap()));
            let long_names = median(&|| drop(reduce_names(&long(&la), &long(&lb), &o[..]).unwrap().unwrap()));
            let shared_names = median(&|| drop(reduce_names(&long(&sa), &long(&sb), &o[..]).unwrap().unwrap()));
            let mixed_names = median(&|| drop(reduce_names(&long(&xa), &long(&xb), &o[..]).unwrap().unwrap()));
            let mixed_own_names = median(&|| drop(reduce_names(&long(&ya), &long(&yb), &o[..]).unwrap().unwrap()));
            println!(
                "{threads} thread(s): names of 23 bytes, float outcomes: each row its own bytes (as a CSV read) {:.1} ms, a name's rows its bytes (as a gather) {:.1} ms; names of 10 to 27 bytes, a name's rows its bytes {:.1} ms, each row its own bytes {:.1} ms",
                long_names * 1e3,
                shared_names * 1e3,
                mixed_names * 1e3,
                mixed_own_names * 1e3
            );
            println!(
                "{threads} thread(s): int64 ids {:.1} ms, {:.0}M rows/s ({:.0}M per thread); names {:.1} ms, {:.0}M rows/s; with label outcomes: int64 ids {:.1} ms, names {:.1} ms; names with LMArena's labels (1/6 long) {:.1} ms (each long label its own bytes {:.1} ms)",
                ids * 1e3,
                10.0 / ids,
                10.0 / ids / threads as f64,
                names * 1e3,
                10.0 / names,
                with_labels * 1e3,
                names_labels * 1e3,
                names_lmarena * 1e3,
                names_own * 1e3
            );
            // The read floor (issue 20's "memory floor"): each input's bytes read once, every
            // column in parallel blocks of 1 MiB and its words summed (nothing counted).
            let floor = |columns: &[&[u8]]| {
                median(&|| {
                    std::hint::black_box(read_once(columns));
                })
            };
            let bytes = |x: &[u128]| -> Vec<u8> { x.iter().flat_map(|v| v.to_le_bytes()).collect() };
            let (ob, ib): (Vec<u8>, [Vec<u8>; 2]) =
                (o.iter().flat_map(|x| x.to_le_bytes()).collect(), [&a64, &b64].map(|c| c.iter().flat_map(|x| x.to_le_bytes()).collect()));
            let (nb, lb8) = ([&va, &vb].map(|c| bytes(c)), bytes(&lv));
            let (ownb, ownd) = ([&la.0, &lb.0].map(|c| bytes(c)), [&la.1, &lb.1]);
            let (mixb, mixd) = ([&ya.0, &yb.0].map(|c| bytes(c)), [&ya.1, &yb.1]);
            let floors = [
                ("int64 ids, float outcomes", floor(&[&ib[0], &ib[1], &ob]), ids),
                ("names, float outcomes", floor(&[&nb[0], &nb[1], &ob]), names),
                ("int64 ids, string labels", floor(&[&ib[0], &ib[1], &lb8]), with_labels),
                ("names, string labels", floor(&[&nb[0], &nb[1], &lb8]), names_labels),
                ("23-byte names, each row its own bytes", floor(&[&ownb[0], &ownb[1], ownd[0], ownd[1], &ob]), long_names),
                ("names of 10 to 27 bytes, each row its own bytes", floor(&[&mixb[0], &mixb[1], mixd[0], mixd[1], &ob]), mixed_own_names),
            ];
            for (what, floor, pass) in floors {
                println!("{threads} thread(s): read floor of {what} {:.1} ms, the pass {:.2}× it", floor * 1e3, pass / floor);
            }
        }
    }

    /// Every byte of `columns` read once (their 8-byte words summed), in parallel blocks.
    fn read_once(columns: &[&[u8]]) -> u64 {
        columns
            .iter()
            .map(|c| {
                c.par_chunks(1 << 20)
                    .map(|block| block.chunks_exact(8).fold(0u64, |s, w| s.wrapping_add(u64::from_le_bytes(w.try_into().unwrap()))))
                    .sum::<u64>()
            })
            .fold(0, u64::wrapping_add)
    }
}
