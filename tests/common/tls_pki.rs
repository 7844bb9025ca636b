//! A test PKI in a temporary directory (removed on drop), for the dependencies vhod reaches over
//! TLS (an SMTP relay, Redis): a CA (`ca.pem`), a server certificate it issued for 127.0.0.1 and
//! localhost (`server.pem`, `server.key`), a client certificate it issued (`client.pem`,
//! `client.key`) and an unrelated CA (`other-ca.pem`).
#![allow(dead_code)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::path::PathBuf;

pub struct Pki(PathBuf);

impl Pki {
    pub fn new(purpose: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!("vhod-{purpose}-pki-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            let key = KeyPair::generate().unwrap();
            let pem = params.self_signed(&key).unwrap().pem();
            (params, key, pem)
        };
        let (ca_params, ca_key, ca_pem) = ca(&format!("vhod test {purpose} CA"));
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        let leaf = |names: Vec<String>, common_name: &str| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(names).unwrap();
            params
                .distinguished_name
                .push(DnType::CommonName, common_name);
            let pem = params.signed_by(&key, &issuer).unwrap().pem();
            (pem, key.serialize_pem())
        };
        let (server_pem, server_key) = leaf(
            vec!["127.0.0.1".to_string(), "localhost".to_string()],
            &format!("{purpose}.test"),
        );
        let (client_pem, client_key) = leaf(Vec::new(), "vhod node");
        let (_, _, other_pem) = ca("vhod some other CA");
        for (file, text) in [
            ("ca.pem", ca_pem),
            ("server.pem", server_pem),
            ("server.key", server_key),
            ("client.pem", client_pem),
            ("client.key", client_key),
            ("other-ca.pem", other_pem),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        Pki(dir)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// [`Pki::file`] as the string a configuration holds.
    pub fn path(&self, name: &str) -> String {
        self.file(name).display().to_string()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
