//! vhod's GOST R 34.10-2012 code as a command-line tool, for checking it against OpenSSL's
//! gost engine (conformance/gost/openssl-check.sh). Exit status 0 on success, 1 on any failure
//! (a signature that does not verify included), with the reason on stderr.
//!
//! ```text
//! gost_oracle genkey --paramset SET --out KEY.pem [--pub PUB.pem]
//! gost_oracle sign   --key KEY.pem [--paramset SET] --in MSG --out SIG
//! gost_oracle verify (--pub PUB.pem | --cert CERT.pem) --in MSG --sig SIG
//! gost_oracle verify-cert --cert CERT.pem [--issuer ISSUER.pem]
//! gost_oracle pubkey --key KEY.pem --out PUB.pem
//! ```
//! SET is OpenSSL's name with the key size (`256-TCA`, `256-A`, `512-C`, ...), the standard's
//! name (`id-tc26-gost-3410-2012-256-paramSetA`) or the OID. Keys are PEM (PKCS#8 `PRIVATE KEY`,
//! `PUBLIC KEY`); signatures are raw `s‖r` big-endian, as `openssl dgst -sign` writes them.

use std::collections::HashMap;
use std::process::ExitCode;

use vhod::crypto::gost::{ParamSet, SigningKey, VerifyingKey, verify_certificate_signature};

fn main() -> ExitCode {
    match run() {
        Ok(note) => {
            println!("{note}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gost_oracle: {e}");
            ExitCode::FAILURE
        }
    }
}

fn param_set(name: &str) -> Result<ParamSet, String> {
    ParamSet::ALL
        .into_iter()
        .find(|ps| {
            let openssl = ps
                .openssl_name()
                .map(|(alg, set)| format!("{}-{set}", &alg["gost2012_".len()..]));
            ps.name() == name || ps.oid().to_string() == name || openssl.as_deref() == Some(name)
        })
        .ok_or_else(|| format!("unknown parameter set '{name}'"))
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn read_text(path: &str) -> Result<String, String> {
    String::from_utf8(read(path)?).map_err(|_| format!("{path}: not text"))
}

fn write(path: &str, data: &[u8]) -> Result<(), String> {
    std::fs::write(path, data).map_err(|e| format!("{path}: {e}"))
}

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let cmd = args
        .next()
        .ok_or("no command (genkey, sign, verify, verify-cert, pubkey)")?;
    let rest: Vec<String> = args.collect();
    if !rest.len().is_multiple_of(2) {
        return Err("options come in pairs: --name value".into());
    }
    let opts: HashMap<&str, &str> = rest
        .chunks(2)
        .map(|kv| (kv[0].trim_start_matches("--"), kv[1].as_str()))
        .collect();
    let opt = |name: &str| {
        opts.get(name)
            .copied()
            .ok_or_else(|| format!("{cmd}: --{name} is required"))
    };
    let e = |err: vhod::crypto::gost::GostError| err.to_string();

    match cmd.as_str() {
        "genkey" => {
            let key = SigningKey::generate(param_set(opt("paramset")?)?).map_err(e)?;
            write(opt("out")?, key.to_pkcs8_pem().map_err(e)?.as_bytes())?;
            if let Some(path) = opts.get("pub") {
                write(
                    path,
                    key.verifying_key()
                        .to_public_key_pem()
                        .map_err(e)?
                        .as_bytes(),
                )?;
            }
            Ok(format!("generated a {} key", key.param_set()))
        }
        "sign" => {
            let key = SigningKey::from_pkcs8_pem(&read_text(opt("key")?)?).map_err(e)?;
            if let Some(want) = opts.get("paramset") {
                let want = param_set(want)?;
                if want != key.param_set() {
                    return Err(format!("key is {}, not {want}", key.param_set()));
                }
            }
            let sig = key.sign(&read(opt("in")?)?).map_err(e)?;
            write(opt("out")?, &sig)?;
            Ok(format!("signed with a {} key", key.param_set()))
        }
        "verify" => {
            let vk = match (opts.get("pub"), opts.get("cert")) {
                (Some(p), None) => VerifyingKey::from_public_key_pem(&read_text(p)?),
                (None, Some(c)) => VerifyingKey::from_certificate_pem(&read_text(c)?),
                _ => return Err("verify: give exactly one of --pub and --cert".into()),
            }
            .map_err(e)?;
            vk.verify(&read(opt("in")?)?, &read(opt("sig")?)?)
                .map_err(e)?;
            Ok(format!("Verified OK ({})", vk.param_set()))
        }
        "verify-cert" => {
            let pem = read_text(opt("cert")?)?;
            let (_, der) = der::pem::decode_vec(pem.as_bytes()).map_err(|x| x.to_string())?;
            let issuer = match opts.get("issuer") {
                Some(path) => VerifyingKey::from_certificate_pem(&read_text(path)?),
                None => VerifyingKey::from_certificate_der(&der),
            }
            .map_err(e)?;
            verify_certificate_signature(&der, &issuer).map_err(e)?;
            Ok(format!("certificate signature OK ({})", issuer.param_set()))
        }
        "pubkey" => {
            let key = SigningKey::from_pkcs8_pem(&read_text(opt("key")?)?).map_err(e)?;
            let pem = key.verifying_key().to_public_key_pem().map_err(e)?;
            write(opt("out")?, pem.as_bytes())?;
            Ok(format!("wrote the {} public key", key.param_set()))
        }
        other => Err(format!("unknown command '{other}'")),
    }
}
