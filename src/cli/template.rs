use super::EXIT_USAGE;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(args: Args) -> u8 {
    let _ = args;
    eprintln!("Error: not built yet");
    EXIT_USAGE
}
