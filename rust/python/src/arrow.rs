//! Reading string columns through the Arrow C stream interface (`__arrow_c_stream__`), without
//! copying: Polars, pyarrow and others hand over their buffers, we hash names in place.
//!
//! Supported formats: `vu` (string view, Polars' native strings), `u` (utf8), `U` (large utf8),
//! and the binary equivalents `vz`, `z`, `Z`; and booleans (`b`, bits read in place by the counting
//! pass of `reduce_ids`). Columns with nulls are refused (the Python layer
//! reports nulls by column and row before calling in).

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use rankagg_core::factorize::{view_within, Column, StrKey};
use rankagg_core::pairs::Bits;

#[repr(C)]
pub struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
pub struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
pub struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

impl Drop for ArrowSchema {
    fn drop(&mut self) {
        if let Some(r) = self.release {
            unsafe { r(self) }
        }
    }
}
impl Drop for ArrowArray {
    fn drop(&mut self) {
        if let Some(r) = self.release {
            unsafe { r(self) }
        }
    }
}
impl Drop for ArrowArrayStream {
    fn drop(&mut self) {
        if let Some(r) = self.release {
            unsafe { r(self) }
        }
    }
}

fn empty_schema() -> ArrowSchema {
    ArrowSchema {
        format: ptr::null(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    }
}

fn empty_array() -> ArrowArray {
    ArrowArray {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 0,
        n_children: 0,
        buffers: ptr::null_mut(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    View,
    Offsets32,
    Offsets64,
}

/// One chunk of a string column, borrowed from its producer (kept alive by `_owner`).
pub struct StrChunk {
    layout: Layout,
    pub(crate) len: usize,
    offset: usize,
    /// views (View) or offsets (Offsets32/64)
    main: *const u8,
    /// data buffers (View: the variadic buffers; offsets layouts: one buffer)
    data: Vec<*const u8>,
    /// View: the size of each data buffer (the stream's last buffer), for
    /// [`StrChunk::data_buffers`]
    sizes: Vec<usize>,
    /// The bytes a row's string may end at: View, per data buffer, its size (0 where the
    /// buffer is null or its size not given); offsets layouts, the last offset (0 without a
    /// data buffer). [`Column::key`] tests each long string against it.
    extents: Vec<usize>,
    /// The first row (of this chunk) whose string lay outside [`StrChunk::extents`] (a
    /// malformed array), `usize::MAX` while none: [`Column::key`] reads such a row as the
    /// empty name and notes it here, and the caller refuses the chunk afterwards.
    malformed: AtomicUsize,
    _owner: ArrowArray,
}

impl StrChunk {
    /// The chunk's string views (16 bytes a row), when it is a view column whose views are
    /// aligned for `u128`.
    pub fn views(&self) -> Option<&[u128]> {
        if self.layout != Layout::View {
            return None;
        }
        if self.len == 0 {
            return Some(&[]); // (an empty chunk's buffer may be null)
        }
        // SAFETY: within the views buffer (it holds `offset + len` views).
        let start = unsafe { (self.main as *const u128).add(self.offset) };
        if (start as usize) % std::mem::align_of::<u128>() != 0 {
            return None;
        }
        // SAFETY: a view column holds `offset + len` views of 16 bytes at `main` (Arrow's
        // layout), alive as long as `_owner`, which `self` holds; aligned (tested above).
        Some(unsafe { std::slice::from_raw_parts(start, self.len) })
    }

    /// The data buffers of a view column (Arrow's variadic buffers, each its size long), where
    /// its views past 12 bytes point (`rankagg_core::pairs::view_bytes`); none for the other
    /// layouts, or when the sizes are not given.
    pub fn data_buffers(&self) -> Vec<&[u8]> {
        if self.layout != Layout::View {
            return Vec::new();
        }
        self.data
            .iter()
            .zip(&self.sizes)
            .map(|(&data, &size)| {
                if data.is_null() {
                    return &[][..];
                }
                // SAFETY: a data buffer of `size` bytes (the stream's variadic sizes), alive
                // as long as `_owner`, which `self` holds, and only read.
                unsafe { std::slice::from_raw_parts(data, size) }
            })
            .collect()
    }
}

impl StrChunk {
    /// The first row whose string lay outside the chunk's buffers (a view past its data
    /// buffers, offsets out of order: a malformed array, as `pyarrow.Array.from_buffers`
    /// builds without a check and Polars takes as it is), among the rows whose keys were read
    /// ([`Column::key`]; every row once factorized). `None` for a well-formed chunk.
    pub fn first_malformed(&self) -> Option<usize> {
        let row = self.malformed.load(Ordering::Relaxed);
        (row != usize::MAX).then_some(row)
    }

    /// Notes row `row` as malformed; its key is the empty name's (never read further).
    #[cold]
    fn refuse(&self, row: usize) -> StrKey<'_> {
        self.malformed.fetch_min(row, Ordering::Relaxed);
        StrKey::Long(&[])
    }
}

// The buffers are immutable for the lifetime of the chunk (Arrow's contract) and are only read.
unsafe impl Send for StrChunk {}
unsafe impl Sync for StrChunk {}

impl Column for StrChunk {
    type Key<'a> = StrKey<'a>;
    fn len(&self) -> usize {
        self.len
    }
    /// A long string's bytes are read only within the chunk's buffers ([`view_within`], the
    /// offsets in order and within the last one): another row is noted as malformed
    /// ([`StrChunk::first_malformed`]) and read as the empty name.
    #[inline]
    fn key(&self, row: usize) -> StrKey<'_> {
        let r = self.offset + row;
        // SAFETY: `main` holds `offset + len` views, or `offset + len + 1` offsets (Arrow's
        // layout; not null for a chunk of rows: `read_string_stream`), alive as long as
        // `_owner`; a string's bytes are read only where `extents` says its buffer holds them.
        unsafe {
            let (s, e) = match self.layout {
                Layout::View => {
                    let view = ptr::read_unaligned((self.main as *const u128).add(r));
                    if let Some(short) = StrKey::short_view(view) {
                        return StrKey::Short(short);
                    }
                    if !view_within(view, &self.extents) {
                        return self.refuse(row);
                    }
                    let (len, buf, off) = ((view as u32) as usize, ((view >> 64) as u32) as usize, ((view >> 96) as u32) as usize);
                    return StrKey::Long(std::slice::from_raw_parts(self.data[buf].add(off), len));
                }
                Layout::Offsets32 => {
                    let o = self.main as *const i32;
                    (*o.add(r) as i64, *o.add(r + 1) as i64)
                }
                Layout::Offsets64 => {
                    let o = self.main as *const i64;
                    (*o.add(r), *o.add(r + 1))
                }
            };
            let end = self.extents.first().copied().unwrap_or(0);
            if s < 0 || e < s || e as usize > end {
                return self.refuse(row);
            }
            if e == s {
                return StrKey::new(&[]); // (no byte read: the data buffer may be null)
            }
            StrKey::new(std::slice::from_raw_parts(self.data[0].add(s as usize), (e - s) as usize))
        }
    }
    #[inline(always)]
    fn packed(&self, row: usize) -> Option<u128> {
        if self.layout == Layout::View {
            let view = unsafe { ptr::read_unaligned((self.main as *const u128).add(self.offset + row)) };
            return StrKey::short_view(view);
        }
        self.key(row).packed()
    }
    fn unpack(&self, packed: u128) -> StrKey<'_> {
        StrKey::Short(packed)
    }
}

/// Why a stream could not be read as strings.
#[derive(Debug)]
pub enum StreamError {
    WrongType(String),
    HasNulls,
    Producer(String),
    /// An array whose shape no reader below may rely on (a negative length, offset or buffer
    /// count, a buffer missing): named as such.
    Malformed(String),
}

/// Consumes an `ArrowArrayStream` (moved out of its capsule): its format and its arrays
/// (chunks), refusing arrays with nulls.
///
/// # Safety
/// `raw` must point to a valid, unreleased stream; ownership moves to this function.
unsafe fn read_stream(raw: *mut ArrowArrayStream) -> Result<(String, Vec<ArrowArray>), StreamError> {
    let mut stream = ptr::read(raw);
    (*raw).release = None; // we own it now
    let mut schema = empty_schema();
    let get_schema = stream.get_schema.ok_or_else(|| StreamError::Producer("no get_schema".into()))?;
    if get_schema(&mut stream, &mut schema) != 0 {
        return Err(StreamError::Producer(last_error(&mut stream)));
    }
    let format = if schema.format.is_null() { String::new() } else { CStr::from_ptr(schema.format).to_string_lossy().into_owned() };
    let get_next = stream.get_next.ok_or_else(|| StreamError::Producer("no get_next".into()))?;
    let mut arrays = Vec::new();
    loop {
        let mut arr = empty_array();
        if get_next(&mut stream, &mut arr) != 0 {
            return Err(StreamError::Producer(last_error(&mut stream)));
        }
        if arr.release.is_none() {
            break; // end of stream
        }
        if arr.null_count != 0 {
            return Err(StreamError::HasNulls);
        }
        // (the shape every reader below relies on: a buffer list of at least two, the rows'
        // buffer there when there are rows, no negative count)
        let rows_buffer = |a: &ArrowArray| !a.buffers.is_null() && a.n_buffers >= 2 && (a.length == 0 || !(*a.buffers.add(1)).is_null());
        if arr.length < 0 || arr.offset < 0 || !rows_buffer(&arr) {
            return Err(StreamError::Malformed(format!(
                "chunk {}: an array of {} buffers, length {}, offset {}",
                arrays.len(),
                arr.n_buffers,
                arr.length,
                arr.offset
            )));
        }
        arrays.push(arr);
    }
    Ok((format, arrays))
}

/// Consumes an `ArrowArrayStream` (moved out of its capsule) and returns its chunks.
///
/// # Safety
/// `raw` must point to a valid, unreleased stream; ownership moves to this function.
pub unsafe fn read_string_stream(raw: *mut ArrowArrayStream) -> Result<Vec<StrChunk>, StreamError> {
    let (format, arrays) = read_stream(raw)?;
    let layout = match format.as_str() {
        "vu" | "vz" => Layout::View,
        "u" | "z" => Layout::Offsets32,
        "U" | "Z" => Layout::Offsets64,
        _ => return Err(StreamError::WrongType(format)),
    };
    let mut chunks = Vec::new();
    for arr in arrays {
        let nb = arr.n_buffers as usize;
        // (read_stream checked the array's shape: at least two buffers, the second there)
        if layout != Layout::View && nb < 3 {
            return Err(StreamError::Malformed(format!("chunk {}: a string array of {nb} buffers", chunks.len())));
        }
        let bufs = std::slice::from_raw_parts(arr.buffers, nb);
        let (main, data, sizes) = match layout {
            Layout::View => {
                // validity, views, variadic data buffers…, variadic sizes (int64, one a buffer)
                let data: Vec<*const u8> = if nb >= 3 { bufs[2..nb - 1].iter().map(|p| *p as *const u8).collect() } else { Vec::new() };
                let sizes: Vec<usize> = if nb >= 3 && !bufs[nb - 1].is_null() {
                    std::slice::from_raw_parts(bufs[nb - 1] as *const i64, nb - 3).iter().map(|&s| s.max(0) as usize).collect()
                } else {
                    Vec::new()
                };
                (bufs[1] as *const u8, data, sizes)
            }
            _ => (bufs[1] as *const u8, vec![bufs[2] as *const u8], Vec::new()),
        };
        let (len, offset) = (arr.length as usize, arr.offset as usize);
        let extents = match layout {
            Layout::View => data.iter().zip(sizes.iter().chain(std::iter::repeat(&0))).map(|(d, &s)| if d.is_null() { 0 } else { s }).collect(),
            // (the last offset: a data buffer holds at least that many bytes, Arrow's layout)
            _ if data[0].is_null() || len == 0 => vec![0],
            Layout::Offsets32 => vec![usize::try_from(*(main as *const i32).add(offset + len)).unwrap_or(0)],
            Layout::Offsets64 => vec![usize::try_from(*(main as *const i64).add(offset + len)).unwrap_or(0)],
        };
        let malformed = AtomicUsize::new(usize::MAX);
        chunks.push(StrChunk { layout, len, offset, main, data, sizes, extents, malformed, _owner: arr });
    }
    Ok(chunks)
}

/// One chunk of a boolean column (bits, eight to a byte), borrowed from its producer.
pub struct BoolChunk {
    len: usize,
    /// The bit of row 0.
    offset: usize,
    values: *const u8,
    _owner: ArrowArray,
}

// The buffers are immutable for the lifetime of the chunk (Arrow's contract) and are only read.
unsafe impl Send for BoolChunk {}
unsafe impl Sync for BoolChunk {}

impl BoolChunk {
    /// The chunk's values as the counting pass reads them.
    pub fn bits(&self) -> Bits<'_> {
        if self.values.is_null() {
            // (an empty chunk's buffer may be null)
            return Bits { bytes: &[], offset: 0, len: 0 };
        }
        // SAFETY: a boolean array's values buffer holds `offset + len` bits, alive as long as
        // `_owner`, which `self` holds.
        let bytes = unsafe { std::slice::from_raw_parts(self.values, (self.offset + self.len).div_ceil(8)) };
        Bits { bytes, offset: self.offset, len: self.len }
    }
}

/// Consumes an `ArrowArrayStream` of booleans (format `b`) and returns its chunks.
///
/// # Safety
/// `raw` must point to a valid, unreleased stream; ownership moves to this function.
pub unsafe fn read_bool_stream(raw: *mut ArrowArrayStream) -> Result<Vec<BoolChunk>, StreamError> {
    let (format, arrays) = read_stream(raw)?;
    if format != "b" {
        return Err(StreamError::WrongType(format));
    }
    Ok(arrays
        .into_iter()
        .map(|arr| {
            let bufs = std::slice::from_raw_parts(arr.buffers, arr.n_buffers as usize);
            BoolChunk { len: arr.length as usize, offset: arr.offset as usize, values: bufs[1] as *const u8, _owner: arr }
        })
        .collect())
}

unsafe fn last_error(stream: &mut ArrowArrayStream) -> String {
    match stream.get_last_error {
        Some(f) => {
            let p = f(stream);
            if p.is_null() {
                "unknown error".into()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
        None => "unknown error".into(),
    }
}
