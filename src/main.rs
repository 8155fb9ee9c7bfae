use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = verdict::cli::Cli::parse();
    let code = verdict::app::main(cli);
    ExitCode::from(u8::try_from(code).unwrap_or(3))
}
