//! Reading a snapshot file as a stream, so a file of any size is never held whole.
//!
//! One thread reads the file (hashing the bytes exactly as read, and inflating gzip); the calling
//! thread splits the JSON at its top-level keys and at item boundaries of the item lists
//! (`configurationItems`, `baseConfigurationItems`), and hands batches of whole items to worker
//! threads that parse them ([`super::read_item`]) keeping only what the policies read. Every
//! other top-level value (metadata, `fileVersion`, …) is small and kept as raw JSON for the
//! format readers to decode.
//!
//! The splitter checks the top level's grammar and finds item boundaries (it tracks strings,
//! escapes and nesting); everything inside a value is validated by serde_json when it is parsed,
//! so malformed JSON is rejected as before, with its absolute position. Results come back in file
//! order whatever order the workers finish in.

use std::io::Read;
use std::sync::mpsc;

use super::{ItemProblem, Keep, ReadItem};

/// Bytes read from the file at a time.
const CHUNK: usize = 4 << 20;
/// Bytes of whole items handed to a worker at a time.
pub(crate) const BATCH: usize = 1 << 20;
/// The keys whose values are lists of configuration items, parsed item by item.
pub(crate) const ITEM_LISTS: [&str; 2] = ["configurationItems", "baseConfigurationItems"];

/// A top-level value other than an item list, as raw JSON.
pub(crate) struct Field {
    pub key: String,
    /// Offset of the key's opening quote.
    pub key_offset: usize,
    /// Offset of the value's first byte.
    pub offset: usize,
    pub raw: Vec<u8>,
}

/// An item list as read: each item parsed, or why it could not be, batch by batch in file
/// order (never concatenated: a million items would be copied once more).
pub(crate) struct List {
    pub key: &'static str,
    pub batches: Vec<Vec<Parsed>>,
}

impl List {
    pub fn len(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
}

pub(crate) enum Parsed {
    Item(ReadItem),
    Problem(ItemProblem),
}

/// A snapshot file's top level, its item lists parsed.
pub(crate) struct Streamed {
    pub fields: Vec<Field>,
    pub lists: Vec<List>,
}

/// Why a stream could not be read as a JSON object.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The bytes could not be read (I/O, or not valid gzip): the message says which.
    Read(String),
    /// The first value is not a JSON object (or the file is empty).
    NotAnObject,
    /// Malformed JSON at an absolute byte offset of the (inflated) text.
    Syntax { offset: usize, message: String },
    /// Bytes that are not UTF-8 at an absolute offset.
    NotUtf8 { offset: usize },
}

/// Where the splitter reads from: chunks of the inflated text, in order.
pub(crate) type Chunks = mpsc::Receiver<Result<Vec<u8>, String>>;

/// Starts the thread that reads `reader` in chunks, inflating gzip (detected by its magic bytes)
/// and hashing the bytes as read. Joining it gives the SHA-256 of the raw bytes.
pub(crate) fn spawn_reader<R: Read + Send + 'static>(
    reader: R,
) -> (Chunks, std::thread::JoinHandle<String>) {
    // Two chunks in flight: the reader stays ahead without holding the file.
    let (send, receive) = mpsc::sync_channel(2);
    let handle = std::thread::spawn(move || {
        use sha2::{Digest, Sha256};
        let mut hashing = Hashing {
            inner: reader,
            hasher: Sha256::new(),
        };
        let mut magic = [0u8; 2];
        let mut have = 0;
        let mut failed = false;
        while have < 2 {
            match hashing.read(&mut magic[have..]) {
                Ok(0) => break,
                Ok(n) => have += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = send.send(Err(format!("cannot read snapshot: {e}")));
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            let head = std::io::Cursor::new(magic[..have].to_vec());
            if magic[..have] == [0x1f, 0x8b] {
                let gz = flate2::read::MultiGzDecoder::new(head.chain(&mut hashing));
                pump(gz, &send, "not a valid gzip file");
            } else {
                pump(head.chain(&mut hashing), &send, "cannot read snapshot");
            }
        }
        // Whatever the splitter stopped at, the digest covers the whole file.
        let _ = std::io::copy(&mut hashing, &mut std::io::sink());
        hex::encode(hashing.hasher.finalize())
    });
    (receive, handle)
}

/// Sends `reader`'s bytes in chunks until the end, a read error, or the receiver hanging up.
fn pump(
    mut reader: impl Read,
    send: &mpsc::SyncSender<Result<Vec<u8>, String>>,
    what_failed: &str,
) {
    loop {
        let mut chunk = vec![0; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match reader.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = send.send(Err(format!("{what_failed}: {e}")));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        chunk.truncate(filled);
        if send.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Whole items of one list, handed to a worker.
struct Batch {
    sequence: usize,
    list: usize,
    /// Absolute offset of `bytes[0]`.
    base: usize,
    bytes: Vec<u8>,
    /// Each item's range in `bytes`.
    items: Vec<(usize, usize)>,
}

/// A batch's items parsed, or the first malformed item's syntax error.
type BatchResult = (usize, usize, Result<Vec<Parsed>, StreamError>);

/// Reads a snapshot's top level from `chunks`, parsing item lists on `workers` threads in batches
/// of about `batch` bytes.
pub(crate) fn read(
    chunks: Chunks,
    keep: &Keep,
    workers: usize,
    batch: usize,
) -> Result<Streamed, StreamError> {
    let workers = workers.max(1);
    let (batch_send, batch_receive) = mpsc::sync_channel::<Batch>(workers * 2);
    let batch_receive = std::sync::Mutex::new(batch_receive);
    let (done_send, done_receive) = mpsc::channel::<BatchResult>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let batches = &batch_receive;
            let done = done_send.clone();
            scope.spawn(move || {
                loop {
                    // The lock is held only to take the next batch.
                    let next = batches.lock().map(|r| r.recv());
                    let Ok(Ok(batch)) = next else { return };
                    let parsed = parse_batch(&batch, keep);
                    if done.send((batch.sequence, batch.list, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_send);
        let mut splitter = Splitter::new(chunks, batch);
        let split = splitter.top_level(&mut |batch| {
            // A send fails only when every worker has stopped, which they do only at the end.
            let _ = batch_send.send(batch);
        });
        drop(batch_send);
        let mut results: Vec<BatchResult> = done_receive.iter().collect();
        let (fields, list_keys) = split?;
        results.sort_by_key(|r| r.0);
        let mut lists: Vec<List> = list_keys
            .iter()
            .map(|&key| List {
                key: ITEM_LISTS[key],
                batches: Vec::new(),
            })
            .collect();
        for (_, list, parsed) in results {
            let parsed = parsed?;
            let at = list_keys.iter().position(|&k| k == list).unwrap_or(0);
            lists[at].batches.push(parsed);
        }
        Ok(Streamed { fields, lists })
    })
}

fn parse_batch(batch: &Batch, keep: &Keep) -> Result<Vec<Parsed>, StreamError> {
    let text = std::str::from_utf8(&batch.bytes).map_err(|e| StreamError::NotUtf8 {
        offset: batch.base + e.valid_up_to(),
    })?;
    let mut parsed = Vec::with_capacity(batch.items.len());
    // Items waiting for resolution share their batch's type, account and region names; the
    // resolved list shares one copy of each.
    let mut interner = super::Interner::default();
    for &(start, end) in &batch.items {
        let base = batch.base + start;
        match super::read_item(&text[start..end], base, keep) {
            Ok(mut read) => {
                read.item = interner.item(read.item);
                parsed.push(Parsed::Item(read));
            }
            Err(super::ItemFailure::Problem(problem)) => parsed.push(Parsed::Problem(problem)),
            Err(super::ItemFailure::Syntax { offset, message }) => {
                return Err(StreamError::Syntax { offset, message });
            }
        }
    }
    Ok(parsed)
}

/// The top-level grammar over a stream of chunks.
struct Splitter {
    chunks: Chunks,
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    start: usize,
    pos: usize,
    /// Absolute offset from which bytes must be kept across refills (a value being captured, a
    /// batch being gathered).
    mark: Option<usize>,
    eof: bool,
    sequence: usize,
    /// Bytes of items per batch.
    batch: usize,
    /// Length of a byte-order mark at the start (3 or 0): offsets given out are in the text
    /// after it, as the diagnostics show the file.
    bom: usize,
}

type Fields = (Vec<Field>, Vec<usize>);

impl Splitter {
    fn new(chunks: Chunks, batch: usize) -> Self {
        Splitter {
            chunks,
            buf: Vec::new(),
            start: 0,
            pos: 0,
            mark: None,
            eof: false,
            sequence: 0,
            batch,
            bom: 0,
        }
    }

    /// Absolute offset of `pos` in the raw text (byte-order mark included).
    fn offset(&self) -> usize {
        self.start + self.pos
    }

    /// An absolute offset as given out: in the text after the byte-order mark.
    fn public(&self, offset: usize) -> usize {
        offset - self.bom
    }

    /// Makes `buf[pos]` available; false at the end of the input.
    fn fill(&mut self) -> Result<bool, StreamError> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        let cut = self.mark.map_or(self.pos, |m| m - self.start);
        self.buf.drain(..cut);
        self.start += cut;
        self.pos -= cut;
        match self.chunks.recv() {
            Ok(Ok(chunk)) => {
                if self.buf.is_empty() {
                    self.buf = chunk;
                } else {
                    self.buf.extend_from_slice(&chunk);
                }
                Ok(true)
            }
            Ok(Err(message)) => Err(StreamError::Read(message)),
            Err(mpsc::RecvError) => {
                self.eof = true;
                Ok(false)
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, StreamError> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    /// The next byte that is not JSON whitespace, not consumed.
    fn peek_token(&mut self) -> Result<Option<u8>, StreamError> {
        while let Some(b) = self.peek()? {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(Some(b));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    fn syntax(&self, message: impl Into<String>) -> StreamError {
        StreamError::Syntax {
            offset: self.public(self.offset()),
            message: message.into(),
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), StreamError> {
        match self.peek_token()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.syntax(format!("expected {what}"))),
            None => Err(self.syntax(format!("the file ends where {what} was expected"))),
        }
    }

    /// Skips a string whose opening quote is at `pos`.
    fn skip_string(&mut self) -> Result<(), StreamError> {
        self.pos += 1;
        loop {
            if !self.fill()? {
                return Err(self.syntax("the file ends inside a string"));
            }
            let rest = &self.buf[self.pos..];
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(i) if rest[i] == b'"' => {
                    self.pos += i + 1;
                    return Ok(());
                }
                Some(i) => {
                    // An escape: skip the backslash and the byte it escapes.
                    self.pos += i + 1;
                    if !self.fill()? {
                        return Err(self.syntax("the file ends inside a string"));
                    }
                    self.pos += 1;
                }
                None => self.pos = self.buf.len(),
            }
        }
    }

    /// Skips one value starting at the next token; its content is validated when parsed.
    fn skip_value(&mut self) -> Result<(), StreamError> {
        let Some(first) = self.peek_token()? else {
            return Err(self.syntax("the file ends where a value was expected"));
        };
        match first {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while let Some(b) = self.peek()? {
                    match b {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                Err(self.syntax(if first == b'{' {
                    "the file ends inside an object"
                } else {
                    "the file ends inside a list"
                }))
            }
            b',' | b'}' | b']' | b':' => Err(self.syntax("expected a value")),
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                while let Some(b) = self.peek()? {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(())
            }
        }
    }

    /// The next value, captured as raw bytes with its offset.
    fn capture_value(&mut self) -> Result<(usize, Vec<u8>), StreamError> {
        self.peek_token()?;
        let start = self.offset();
        self.mark = Some(start);
        let skipped = self.skip_value();
        self.mark = None;
        skipped?;
        Ok((
            self.public(start),
            self.buf[start - self.start..self.pos].to_vec(),
        ))
    }

    /// Reads the top-level object: item lists go to `emit` in batches, other values are returned.
    fn top_level(&mut self, emit: &mut dyn FnMut(Batch)) -> Result<Fields, StreamError> {
        // Editors on Windows and PowerShell's `Out-File -Encoding utf8` write a byte-order mark.
        for (i, byte) in b"\xef\xbb\xbf".iter().enumerate() {
            if self.peek()? != Some(*byte) {
                if i > 0 {
                    return Err(StreamError::NotUtf8 { offset: 0 });
                }
                break;
            }
            self.pos += 1;
            self.bom = i + 1;
        }
        match self.peek_token()? {
            Some(b'{') => self.pos += 1,
            _ => return Err(StreamError::NotAnObject),
        }
        let mut fields: Vec<Field> = Vec::new();
        let mut lists: Vec<usize> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        if self.peek_token()? == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                if self.peek_token()? != Some(b'"') {
                    return Err(self.syntax("expected a key (a string in double quotes)"));
                }
                let (key_offset, raw_key) = self.capture_value()?;
                let key: String = std::str::from_utf8(&raw_key)
                    .ok()
                    .and_then(|text| serde_json::from_str(text).ok())
                    .ok_or(StreamError::Syntax {
                        offset: key_offset,
                        message: "malformed key".into(),
                    })?;
                if seen.contains(&key) {
                    return Err(StreamError::Syntax {
                        offset: key_offset,
                        message: format!("duplicate key `{key}`"),
                    });
                }
                seen.push(key.clone());
                self.expect(b':', "`:` after a key")?;
                if let Some(list) = ITEM_LISTS.iter().position(|k| *k == key)
                    && self.peek_token()? == Some(b'[')
                {
                    lists.push(list);
                    self.items(list, emit)?;
                } else {
                    let (offset, raw) = self.capture_value()?;
                    fields.push(Field {
                        key,
                        key_offset,
                        offset,
                        raw,
                    });
                }
                match self.peek_token()? {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => return Err(self.syntax("expected `,` or `}`")),
                    None => return Err(self.syntax("the file ends inside the top-level object")),
                }
            }
        }
        if self.peek_token()?.is_some() {
            return Err(self.syntax("trailing characters after the top-level object"));
        }
        Ok((fields, lists))
    }

    /// Reads an item list whose `[` is the next token, emitting batches of whole items.
    fn items(&mut self, list: usize, emit: &mut dyn FnMut(Batch)) -> Result<(), StreamError> {
        self.pos += 1;
        // The batch being gathered: each item's absolute (start, end). The mark keeps its bytes.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut emit_batch = |this: &mut Splitter, ranges: &mut Vec<(usize, usize)>| {
            let (Some(&(first, _)), Some(&(_, end))) = (ranges.first(), ranges.last()) else {
                return;
            };
            emit(Batch {
                sequence: this.sequence,
                list,
                base: this.public(first),
                bytes: this.buf[first - this.start..end - this.start].to_vec(),
                items: ranges
                    .iter()
                    .map(|&(s, e)| (s - first, e - first))
                    .collect(),
            });
            ranges.clear();
            this.sequence += 1;
            this.mark = None;
        };
        if self.peek_token()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.peek_token()?;
            let start = self.offset();
            if ranges.is_empty() {
                self.mark = Some(start);
            }
            self.skip_value()?;
            ranges.push((start, self.offset()));
            if self.offset() - ranges[0].0 >= self.batch {
                emit_batch(self, &mut ranges);
            }
            match self.peek_token()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    emit_batch(self, &mut ranges);
                    return Ok(());
                }
                Some(_) => return Err(self.syntax("expected `,` or `]` after an item")),
                None => return Err(self.syntax("the file ends inside an item list")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` in chunks of `size` bytes.
    fn chunks(text: &[u8], size: usize) -> Chunks {
        let (send, receive) = mpsc::sync_channel(text.len() / size + 2);
        for chunk in text.chunks(size) {
            send.send(Ok(chunk.to_vec())).unwrap();
        }
        receive
    }

    /// The top-level fields (key, raw value) and the items, as text.
    type Split = (Vec<(String, String)>, Vec<String>);

    fn split(text: &str, size: usize) -> Result<Split, StreamError> {
        let mut batches = Vec::new();
        let mut splitter = Splitter::new(chunks(text.as_bytes(), size), 8);
        let (fields, _) = splitter.top_level(&mut |b| batches.push(b))?;
        let fields = fields
            .into_iter()
            .map(|f| (f.key, String::from_utf8(f.raw).unwrap()))
            .collect();
        let items = batches
            .iter()
            .flat_map(|b| {
                b.items.iter().map(|&(s, e)| {
                    // Each item's absolute position is where it is in the text.
                    let item = std::str::from_utf8(&b.bytes[s..e]).unwrap().to_string();
                    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
                    assert_eq!(&body.as_bytes()[b.base + s..b.base + e], item.as_bytes());
                    item
                })
            })
            .collect();
        Ok((fields, items))
    }

    #[test]
    fn items_and_fields_split_the_same_whatever_the_chunk_size() {
        let text = "\u{feff}{ \"fileVersion\" : \"1.0\", \"configurationItems\": [ {\"a\": \"x]}\\\"\"} ,\n[1, {\"b\": [2]}], 3, \"s,\" ,null],\n \"meta\": {\"k\": [true, false]}, \"n\": -1.5e3 }\n";
        let want = split(text, 1 << 20).unwrap();
        assert_eq!(
            want.1,
            [
                r#"{"a": "x]}\""}"#,
                r#"[1, {"b": [2]}]"#,
                "3",
                r#""s,""#,
                "null"
            ]
        );
        assert_eq!(
            want.0,
            [
                ("fileVersion".to_string(), "\"1.0\"".to_string()),
                ("meta".into(), r#"{"k": [true, false]}"#.into()),
                ("n".into(), "-1.5e3".into()),
            ]
        );
        for size in 1..16 {
            let got = split(text, size).unwrap();
            assert_eq!(got.0, want.0, "chunks of {size}");
            assert_eq!(got.1, want.1, "chunks of {size}");
        }
    }

    #[test]
    fn malformed_top_levels_are_located() {
        for (text, offset, needle) in [
            ("{\"a\": 1 \"b\": 2}", 8, "expected `,` or `}`"),
            ("{\"a\" 1}", 5, "`:` after a key"),
            ("{\"configurationItems\": [1 2]}", 26, "expected `,` or `]`"),
            (
                "{\"configurationItems\": [{\"a\": \"b",
                32,
                "ends inside a string",
            ),
            ("{\"a\": {\"b\": [", 13, "ends inside an object"),
            ("{\"a\": 1, \"a\": 2}", 9, "duplicate key `a`"),
            ("{\"a\": 1} x", 9, "trailing characters"),
            ("{1: 2}", 1, "expected a key"),
        ] {
            match split(text, 3) {
                Err(StreamError::Syntax {
                    offset: at,
                    message,
                }) => {
                    assert_eq!(at, offset, "{text}: {message}");
                    assert!(message.contains(needle), "{text}: {message}");
                }
                other => panic!("{text}: {:?}", other.map(|_| ())),
            }
        }
        for text in ["", "  ", "[1]", "\"x\"", "7"] {
            assert!(
                matches!(split(text, 2), Err(StreamError::NotAnObject)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_reader_hashes_every_byte_and_inflates_gzip() {
        use sha2::{Digest, Sha256};
        use std::io::Write;
        let text = br#"{"configurationItems": []}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        for raw in [text.to_vec(), gz] {
            let (chunks, reader) = spawn_reader(std::io::Cursor::new(raw.clone()));
            let read: Vec<u8> = chunks.iter().flat_map(Result::unwrap).collect();
            assert_eq!(read, text);
            assert_eq!(reader.join().unwrap(), hex::encode(Sha256::digest(&raw)));
        }
        let (chunks, _) = spawn_reader(std::io::Cursor::new(b"\x1f\x8bgarbage".to_vec()));
        let first = chunks.recv().unwrap();
        assert!(first.unwrap_err().contains("not a valid gzip file"));
    }
}
