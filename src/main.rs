use clap::Parser;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VHOD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = vhod::cli::Cli::parse();
    if let Err(e) = vhod::cli::run(cli).await {
        eprintln!("vhod: {e:#}");
        std::process::exit(1);
    }
}
