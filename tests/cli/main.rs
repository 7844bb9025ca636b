//! The `vhod` binary: configuration errors, clients and accounts commands on the same database as serve.

use std::io::Write;
use std::process::{Command, Stdio};

fn vhod(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.current_dir(dir)
        .env_remove("VHOD_CONFIG")
        .env(
            "VHOD_DATABASE__URL",
            format!("sqlite://{}/vhod.db", dir.display()),
        )
        .env("VHOD_KEYS__KEK_FILE", dir.join("kek"))
        .env("VHOD_PASSWORD__MEMORY_KIB", "1024")
        .env("VHOD_PASSWORD__ITERATIONS", "1")
        .env("VHOD_LOG", "warn");
    c
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vhod-cli-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

mod keys_and_audit;
mod startup_and_clients;
