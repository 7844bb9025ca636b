//! The JWS algorithms vhod signs its own tokens with.

use crate::crypto::gost::{KeySize, ParamSet};

/// Algorithms vhod can sign with. The GOST names are the JWS `alg` values ESIA uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SigningAlg {
    #[default]
    Rs256,
    Es256,
    /// GOST R 34.10-2012, 256-bit key, over Streebog-256 of the signing input (`GOST3410_2012_256`).
    Gost256,
    /// GOST R 34.10-2012, 512-bit key, over Streebog-512 of the signing input (`GOST3410_2012_512`).
    Gost512,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 4] = [
        SigningAlg::Rs256,
        SigningAlg::Es256,
        SigningAlg::Gost256,
        SigningAlg::Gost512,
    ];

    /// The accepted names, for error messages.
    pub const NAMES: &'static str = "RS256, ES256, GOST3410_2012_256 or GOST3410_2012_512";

    pub fn name(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
            SigningAlg::Gost256 => "GOST3410_2012_256",
            SigningAlg::Gost512 => "GOST3410_2012_512",
        }
    }

    pub fn parse(s: &str) -> Option<SigningAlg> {
        Self::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The GOST key size of a GOST algorithm.
    pub fn gost_size(self) -> Option<KeySize> {
        match self {
            SigningAlg::Gost256 => Some(KeySize::Bits256),
            SigningAlg::Gost512 => Some(KeySize::Bits512),
            SigningAlg::Rs256 | SigningAlg::Es256 => None,
        }
    }

    /// The parameter set of the GOST keys vhod generates itself (imported keys keep theirs).
    ///
    /// 256-bit: CryptoPro-A (`id-GostR3410-2001-CryptoPro-A-ParamSet`, 1.2.643.2.2.35.1). Its curve
    /// is the one ESIA's own keys use: CryptoPro-XchA and TC26 `paramSetB` name the very same
    /// curve (RFC 7836 §A.1, RFC 4357 §10.2), so any verifier that checks ESIA's tokens computes
    /// on it. Of the three OIDs for that curve, CryptoPro-A is the one assigned to *signature*
    /// keys (XchA is for key agreement), and the one every GOST implementation in use reads:
    /// CryptoPro CSP, OpenSSL's gost engine (`paramset:A`), BouncyCastle, ViPNet.
    /// 512-bit: TC26 `id-tc26-gost-3410-12-512-paramSetA`, the set CAs issue 512-bit keys on.
    pub fn own_param_set(self) -> Option<ParamSet> {
        match self {
            SigningAlg::Gost256 => Some(ParamSet::CryptoProA),
            SigningAlg::Gost512 => Some(ParamSet::Tc26Gost512A),
            SigningAlg::Rs256 | SigningAlg::Es256 => None,
        }
    }

    /// The algorithm of a GOST key of `size`.
    pub fn of_gost_size(size: KeySize) -> SigningAlg {
        match size {
            KeySize::Bits256 => SigningAlg::Gost256,
            KeySize::Bits512 => SigningAlg::Gost512,
        }
    }
}
