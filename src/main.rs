use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic inside a reader is caught and reported on its source; keep
    // the message to one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        verdict::diag!("verdict: internal error: {info}")
    }));
    let cli = verdict::cli::Cli::parse();
    let code = verdict::app::main(cli);
    ExitCode::from(u8::try_from(code).unwrap_or(3))
}
