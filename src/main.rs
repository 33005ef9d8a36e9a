//! The `loadlab` binary: the command line lives in the library.

fn main() -> std::process::ExitCode {
    loadlab::app::main()
}
