//! A real SMTP server for the e-mail tests: Python's aiosmtpd (installed once per machine in a
//! throw-away venv, as .ci/run does for pyoidc) running tests/fixtures/smtp_sink.py, plain, with
//! STARTTLS or with implicit TLS; every accepted message is one JSON line in a file.

#![allow(dead_code)] // each test file uses a part
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A venv holding aiosmtpd (made once per machine, reused after).
pub fn python() -> PathBuf {
    let venv = std::env::temp_dir().join("vhod-aiosmtpd-venv");
    let py = venv.join("bin/python");
    let ready = || {
        Command::new(&py)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "python3 -m venv (apt-get install python3-venv)");
        let ok = Command::new(&py)
            .args(["-m", "pip", "install", "--quiet", "aiosmtpd==1.4.6"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "pip install aiosmtpd");
    }
    py
}

/// How the sink speaks: plain SMTP, STARTTLS required before mail, or TLS from the first byte;
/// the TLS modes with the server's PEM certificate and key files.
pub enum Mode<'a> {
    Plain,
    StartTls { cert: &'a Path, key: &'a Path },
    Tls { cert: &'a Path, key: &'a Path },
}

/// The SMTP server on `port`, appending what it receives to `out`; killed when dropped.
pub struct Sink(Child);

impl Sink {
    pub fn start(port: u16, out: &Path) -> Sink {
        Sink::start_with(port, out, Mode::Plain)
    }

    pub fn start_with(port: u16, out: &Path, mode: Mode<'_>) -> Sink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_sink.py");
        let mut command = Command::new(python());
        command.arg(script).arg(port.to_string()).arg(out);
        match mode {
            Mode::Plain => {}
            Mode::StartTls { cert, key } => {
                command.arg("starttls").arg(cert).arg(key);
            }
            Mode::Tls { cert, key } => {
                command.arg("tls").arg(cert).arg(key);
            }
        }
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP sink starts");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink listens");
        Sink(child)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The messages the sink accepted so far.
pub fn received(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
