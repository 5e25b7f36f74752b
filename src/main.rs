//! The `attestor` binary: everything lives in the library; this only hands over the exit code.

/// See Cargo.toml: glibc's per-thread arenas held freed parse buffers as resident memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    attestor::cli::main()
}
