fn main() -> std::process::ExitCode {
    chartfix::cli::main()
}
