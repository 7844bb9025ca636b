use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = vhod::cli::Cli::parse();
    // The log format is configuration (`log.format`); a configuration that does not load is
    // reported by `run` below, with the text log.
    let format = vhod::config::Config::load(cli.config.as_deref())
        .map(|c| c.log.format)
        .unwrap_or_default();
    vhod::server::logging::init(&format);
    if let Err(e) = vhod::cli::run(cli).await {
        eprintln!("vhod: {e:#}");
        std::process::exit(1);
    }
}
