//! Located problems in user input (policy files, snapshots) and how they are shown.
//!
//! Everything that reports a problem with a file builds a [`Diagnostic`]; this is the only module that
//! knows about miette, so the rendering library can change without touching the parsers or lint rules.

mod codes;

pub use codes::Code;

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

/// A byte range in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// A value with the place in its source file it came from (policy files, attestations, tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A file's name and full text, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// Byte offset of a 1-based line and column, as reported by serde_json.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        offset_of(&self.text, line, column)
    }
}

/// Byte offset in `text` of a 1-based line and column, as reported by serde_json.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + col_bytes;
        }
        offset += l.len();
    }
    text.len()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem, optionally located in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub level: Level,
    /// The lint rule or check that found it (e.g. `unknown-key`); stable, documented, greppable.
    pub code: Code,
    pub message: String,
    pub file: Option<Arc<SourceFile>>,
    pub span: Option<Span>,
    /// Short text shown under the highlighted source.
    pub label: Option<String>,
    /// Further places in the same file that explain the problem, each with its own text.
    pub secondary_labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            file: None,
            span: None,
            label: None,
            secondary_labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: &Arc<SourceFile>, span: Span) -> Self {
        self.file = Some(file.clone());
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Points at another place in the same file (shown in human output only).
    pub fn with_secondary_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary_labels.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Help that names the closest of `candidates` to `input`, or else says `otherwise`.
    pub fn with_suggestion<'a>(
        self,
        input: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: impl Into<String>,
    ) -> Self {
        let help = did_you_mean(input, candidates).unwrap_or_else(|| otherwise.into());
        self.with_help(help)
    }

    /// (file, line, column) of the start of the span, when located.
    pub fn location(&self) -> Option<(&str, usize, usize)> {
        let file = self.file.as_ref()?;
        let span = self.span?;
        let (line, col) = file.line_col(span.start);
        Some((&file.name, line, col))
    }

    fn sort_key(&self) -> (String, usize, &'static str, String) {
        (
            self.file
                .as_ref()
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            self.span.map_or(0, |s| s.start),
            self.code.as_str(),
            self.message.clone(),
        )
    }
}

/// Sorts diagnostics by file and position so output is stable whatever order checks ran in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.level == Level::Error)
}

/// Renders diagnostics for a person: source snippet, caret under the span, help line.
pub fn render_human(diagnostics: &[Diagnostic], color: bool) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = MietteAdapter::new(diagnostic);
        if handler.render_report(&mut out, &report).is_err() {
            let _ = writeln!(out, "{}: {}", diagnostic.code, diagnostic.message);
        }
        if let Some((file, line, col)) = diagnostic.location() {
            // miette shows the position in its frame; repeat it as plain text so it greps well.
            let _ = writeln!(out, "  at {file}:{line}:{col}");
        }
        out.push('\n');
    }
    out
}

/// Machine-readable diagnostics for `--format json`.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    #[derive(Serialize)]
    struct JsonDiagnostic<'a> {
        level: Level,
        code: &'a str,
        message: &'a str,
        file: Option<&'a str>,
        line: Option<usize>,
        column: Option<usize>,
        end_line: Option<usize>,
        end_column: Option<usize>,
        help: Option<&'a str>,
    }
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d.location().map(|(_, l, c)| (l, c)).unzip();
            let (end_line, end_column) = match (&d.file, d.span) {
                (Some(f), Some(s)) => {
                    let (l, c) = f.line_col(s.end);
                    (Some(l), Some(c))
                }
                _ => (None, None),
            };
            JsonDiagnostic {
                level: d.level,
                code: d.code.as_str(),
                message: &d.message,
                file: d.file.as_ref().map(|f| f.name.as_str()),
                line,
                column,
                end_line,
                end_column,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let errors = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    let value = serde_json::json!({
        "diagnostics": items,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
    });
    crate::json::pretty_value(&value)
}

/// Bridges a [`Diagnostic`] to miette's rendering traits.
struct MietteAdapter<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<Excerpts>,
}

impl<'a> MietteAdapter<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        let source = diagnostic.file.clone().map(Excerpts);
        MietteAdapter { diagnostic, source }
    }
}

/// The most of a file a diagnostic quotes around each place it points at. AWS Config writes its
/// snapshot files as one line, so quoting the line of a bad item would print the whole file.
const EXCERPT_BYTES: usize = 240;

/// A file as miette reads it for a diagnostic: the lines around each span, as usual, unless
/// they are long; then a window of [`EXCERPT_BYTES`] around the span, numbered where it lies.
struct Excerpts(Arc<SourceFile>);

impl miette::SourceCode for Excerpts {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.0.text.as_str();
        let full = text
            .as_bytes()
            .read_span(span, context_lines_before, context_lines_after)?;
        let (start, end) = (
            full.span().offset(),
            full.span().offset() + full.data().len(),
        );
        let from = span.offset().min(text.len());
        let to = (span.offset() + span.len()).clamp(from, text.len());
        // Context before or after the span is kept whole only while it is short.
        let window_start = if from - start <= EXCERPT_BYTES {
            start
        } else {
            floor_char_boundary(text, from - EXCERPT_BYTES / 2)
        };
        let window_end = if end - to <= EXCERPT_BYTES {
            end
        } else {
            ceil_char_boundary(text, to + EXCERPT_BYTES / 2)
        };
        let window_end = window_end.min(ceil_char_boundary(
            text,
            window_start.max(from) + 4 * EXCERPT_BYTES,
        ));
        let before = &text.as_bytes()[..window_start];
        let line = before.iter().filter(|b| **b == b'\n').count();
        let column = window_start
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
        let data = &text.as_bytes()[window_start..window_end];
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name.clone(),
            data,
            (window_start, data.len()).into(),
            line,
            column,
            data.iter().filter(|b| **b == b'\n').count(),
        )))
    }
}

fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

impl std::fmt::Debug for MietteAdapter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::fmt::Display for MietteAdapter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for MietteAdapter<'_> {}

impl miette::Diagnostic for MietteAdapter<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = self.diagnostic.span?;
        // Primary: miette's header names its position even when a secondary label comes first.
        let label = miette::LabeledSpan::new_primary_with_span(
            self.diagnostic.label.clone(),
            (span.start, span.end - span.start),
        );
        let secondary = self.diagnostic.secondary_labels.iter().map(|(s, text)| {
            miette::LabeledSpan::new_with_span(Some(text.clone()), (s.start, s.end - s.start))
        });
        Some(Box::new(std::iter::once(label).chain(secondary)))
    }
}

/// "did you mean" for a misspelt name, chosen by edit distance among the candidates.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate `input` is most likely a misspelling of, if any is close enough.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score =
            strsim::jaro_winkler(&input.to_ascii_lowercase(), &candidate.to_ascii_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Opens an input for reading. A named pipe opens without waiting for a writer: one nobody
/// writes reads as empty (a located "empty" error) instead of hanging; a pipe with a writer (a
/// shell's `<(gunzip -c snapshot.json.gz)`) reads as usual.
pub fn open_input(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
                .open(path)?;
            // Back to blocking reads, so a slow writer is waited for rather than read as EAGAIN.
            let flags = rustix::fs::fcntl_getfl(&file)?;
            rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)?;
            return Ok(file);
        }
    }
    std::fs::File::open(path)
}

/// [`open_input`], read whole.
pub fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    open_input(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads a file a person wrote, as a diagnostic-ready source.
pub(crate) fn read_source(path: &std::path::Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let name = path.display().to_string();
    let bytes = read_input(path)
        .map_err(|e| Diagnostic::error(Code::UnreadableFile, format!("cannot read {name}: {e}")))?;
    source_from_bytes(name, bytes)
}

/// A YAML input's bytes as text: UTF-8 or an error giving the first bad byte's offset; a
/// byte-order mark is dropped (offsets in diagnostics are after it).
pub fn source_from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<SourceFile>, Diagnostic> {
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(
            Code::InvalidUtf8,
            format!(
                "{name} is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(SourceFile::new(name, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad item in a one-line file of any size is quoted as a short window around it, under
    /// its real line and column; spans at either end, empty, or longer than the window still
    /// render.
    #[test]
    fn a_long_line_is_quoted_as_a_window_around_the_span() {
        let mut text = format!("{{\"a\": [{}", "1, ".repeat(300_000));
        let bad = text.len();
        text.push_str("oops, ");
        text.push_str(&"2, ".repeat(300_000));
        text.push_str("]}\nsecond line\n");
        let file = SourceFile::new("big.json", text.clone());
        let cases = [
            Span::new(bad, bad + 4),
            Span::new(0, 1),
            Span::new(text.len(), text.len()),
            Span::new(bad, bad),
            Span::new(10, text.len() - 3),
        ];
        for span in cases {
            let d = Diagnostic::error(Code::InvalidInput, "bad")
                .at(&file, span)
                .with_label("here")
                .with_secondary_label(Span::new(1, 2), "and here");
            let out = render_human(&[d], false);
            assert!(out.len() < 4_000, "{} bytes for {span:?}", out.len());
        }
        let d = Diagnostic::error(Code::InvalidInput, "bad")
            .at(&file, Span::new(bad, bad + 4))
            .with_label("here");
        let out = render_human(&[d], false);
        assert!(out.contains("oops"), "{out}");
        assert!(out.contains(&format!("big.json:1:{}", bad + 1)), "{out}");
    }

    #[test]
    fn short_lines_are_quoted_whole_with_their_neighbours() {
        let file = SourceFile::new("p.yaml", "policies:\n  - id: x\n    oops: 1\n  - id: y\n");
        let at = file.text.find("oops").unwrap();
        let d = Diagnostic::error(Code::UnknownKey, "unknown key")
            .at(&file, Span::new(at, at + 4))
            .with_label("here");
        let out = render_human(&[d], false);
        assert!(out.contains("- id: x") && out.contains("- id: y"), "{out}");
        assert!(out.contains("p.yaml:3:5"), "{out}");
    }

    #[test]
    fn line_col_counts_characters() {
        let file = SourceFile::new("f.yaml", "ab\nçd: x\n");
        let offset = file.text.find("d:").unwrap();
        assert_eq!(file.line_col(offset), (2, 2));
        assert_eq!(file.offset_of(2, 2), offset);
    }

    #[test]
    fn suggestion_picks_closest() {
        let got = did_you_mean("severty", ["severity", "title", "id"]);
        assert_eq!(got.as_deref(), Some("did you mean `severity`?"));
        assert_eq!(did_you_mean("zzz", ["severity"]), None);
    }

    #[test]
    fn human_rendering_names_the_location() {
        let file = SourceFile::new("p.yaml", "id: x\nbad: 1\n");
        let d = Diagnostic::error(Code::UnknownKey, "unknown key `bad`").at(&file, Span::new(6, 9));
        let text = render_human(&[d], false);
        assert!(text.contains("unknown key `bad`"), "{text}");
        assert!(text.contains("p.yaml:2:1"), "{text}");
    }
}
