//! Writing results: standard output (a closed pipe is not an error, as with ripgrep), files written
//! atomically, and diagnostics on standard error.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::args::DiagnosticFormat;
use super::exit;
use crate::diagnostics::Code;
use crate::diagnostics::{self, Diagnostic};

/// The temporary files being written, removed if the run is interrupted (see
/// [`remove_unfinished`]).
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned list is still the list: a panic elsewhere must not keep temporary files.
    UNFINISHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every temporary report file still being written: called when the run is interrupted
/// (Ctrl-C, SIGTERM), so no half-written file is left, and no report is renamed into place.
pub fn remove_unfinished() {
    for path in unfinished().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
pub fn color_for(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A line on standard error that never panics: a closed stderr (`2>&-`, a reader gone) is not
/// worth failing a run over, unlike `eprintln!`.
pub fn note(line: std::fmt::Arguments) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

pub fn diagnostics(list: &[Diagnostic], format: DiagnosticFormat) {
    match format {
        DiagnosticFormat::Human => {
            let text = diagnostics::render_human(list, color_for(std::io::stderr().is_terminal()));
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        DiagnosticFormat::Json => {
            let _ = write(None, &diagnostics::render_json(list));
        }
    }
}

/// Writes what `fill` produces to `path` (through a buffer into a temporary file in the same
/// directory, then a rename, so readers never see half a report) or to standard output, without
/// holding it all in memory. A closed pipe is success; a value that cannot be serialised
/// (`InvalidData`) is a bug, said as one.
pub fn write_with(
    path: Option<&Path>,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<i32, Vec<Diagnostic>> {
    let failed = |e: std::io::Error, what: &str| {
        let diag = if e.kind() == std::io::ErrorKind::InvalidData {
            Diagnostic::error(
                Code::Internal,
                format!("the output could not be written: {e}"),
            )
            .with_help("this is a bug in attestor: please report it with the command you ran")
        } else {
            Diagnostic::error(Code::WriteFailed, format!("cannot write {what}: {e}"))
        };
        vec![diag]
    };
    // Every output goes through one buffered writer; only where it lands differs.
    let buffered = |sink: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, sink);
        fill(&mut buffered)?;
        buffered.flush()
    };
    let Some(path) = path else {
        return match buffered(&mut std::io::stdout().lock()) {
            Ok(()) => Ok(exit::CLEAN),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::CLEAN),
            Err(e) => Err(failed(e, "output")),
        };
    };
    // A device or pipe (`--output /dev/null`, a FIFO) is written in place: renaming a temporary
    // file over it would replace the device itself. A file is written beside its target and
    // renamed over it, so readers never see half a report.
    let in_place = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    let temp = (!in_place).then(|| {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dir.join(format!(".{file_name}.{}.tmp", std::process::id()))
    });
    if let Some(temp) = &temp {
        unfinished().push(temp.clone());
    }
    let result = match &temp {
        None => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut device| buffered(&mut device)),
        Some(temp) => std::fs::File::create(temp)
            .and_then(|mut file| buffered(&mut file))
            .and_then(|()| {
                // Renamed while the list is held: an interrupt either removes the temporary file
                // before, or finds the report complete after.
                let mut list = unfinished();
                list.retain(|p| p != temp);
                std::fs::rename(temp, path)
            }),
    };
    match result {
        Ok(()) => {}
        Err(e) if in_place && e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            if let Some(temp) = &temp {
                let _ = std::fs::remove_file(temp);
            }
            return Err(failed(e, &path.display().to_string()));
        }
    }
    Ok(exit::CLEAN)
}

/// Writes `text` to `path` (via a temporary file in the same directory, then a rename, so readers
/// never see half a report) or to standard output.
pub fn write(path: Option<&Path>, text: &str) -> Result<i32, Vec<Diagnostic>> {
    write_with(path, |w| w.write_all(text.as_bytes()))
}
