//! `vhod jws verify --key KEY.pem TOKEN`: checks a compact JWS (ESIA's GOST tokens included) with
//! a public key or certificate, prints its header and claims, and exits 0 only when it verifies.

use crate::crypto::jws_verify;
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum JwsCmd {
    /// Verify a compact JWS: RS256, PS256, ES256, GOST3410_2012_256 or GOST3410_2012_512.
    Verify(JwsVerify),
}

#[derive(Args, Debug)]
pub struct JwsVerify {
    /// The issuer's public key or certificate (PEM).
    #[arg(long)]
    pub key: PathBuf,
    /// The token; `-` reads it from standard input.
    pub token: String,
}

pub fn jws_cmd(cmd: JwsCmd) -> anyhow::Result<()> {
    let JwsCmd::Verify(v) = cmd;
    let key =
        std::fs::read_to_string(&v.key).map_err(|e| anyhow::anyhow!("{}: {e}", v.key.display()))?;
    let token = if v.token == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        v.token
    };
    let ok = jws_verify::verify_compact(&token, &key)?;
    println!("{}", serde_json::to_string_pretty(&ok.header)?);
    println!("{}", serde_json::to_string_pretty(&ok.payload)?);
    eprintln!("signature verified");
    Ok(())
}
