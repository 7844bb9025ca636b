//! Parameter sets of GOST R 34.10-2012 (RFC 4357, RFC 7836, RFC 9215) and their OIDs.
//!
//! Every curve is kept in short Weierstrass form `y² = x³ + a·x + b (mod p)` with a base
//! point `(x, y)` of prime order `q`. The two TC26 curves defined as twisted Edwards curves
//! (256-bit paramSetA and 512-bit paramSetC, cofactor 4) are given in the Weierstrass form
//! that RFC 7836 / the TC26 recommendations list beside the Edwards form; `tests.rs` checks
//! that every base point is on its curve and has order `q`.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{NonZero, Odd, Uint};
use der::asn1::ObjectIdentifier;

use super::GostError;

/// `id-tc26-gost3410-12-256`: GOST R 34.10-2012 public key with a 256-bit modulus.
pub const OID_GOST3410_2012_256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.1");
/// `id-tc26-gost3410-12-512`: GOST R 34.10-2012 public key with a 512-bit modulus.
pub const OID_GOST3410_2012_512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.2");
/// `id-tc26-gost3411-12-256`: Streebog-256.
pub const OID_STREEBOG256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.2");
/// `id-tc26-gost3411-12-512`: Streebog-512.
pub const OID_STREEBOG512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.3");
/// `id-tc26-signwithdigest-gost3410-12-256`: certificate signature, Streebog-256 + 256-bit key.
pub const OID_SIGN_WITH_STREEBOG256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.3.2");
/// `id-tc26-signwithdigest-gost3410-12-512`: certificate signature, Streebog-512 + 512-bit key.
pub const OID_SIGN_WITH_STREEBOG512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.3.3");

/// Size of a key: selects the field size, the hash (Streebog-256 or -512) and the OIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySize {
    /// 256-bit modulus, Streebog-256, 64-byte signatures.
    Bits256,
    /// 512-bit modulus, Streebog-512, 128-byte signatures.
    Bits512,
}

impl KeySize {
    /// Bytes of one coordinate, of `r`, of `s` and of the private key.
    pub const fn scalar_len(self) -> usize {
        match self {
            KeySize::Bits256 => 32,
            KeySize::Bits512 => 64,
        }
    }
    /// Bytes of a signature (`s‖r`).
    pub const fn signature_len(self) -> usize {
        2 * self.scalar_len()
    }
    /// Public key algorithm OID (`id-tc26-gost3410-12-256` / `-512`).
    pub const fn key_algorithm_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Bits256 => OID_GOST3410_2012_256,
            KeySize::Bits512 => OID_GOST3410_2012_512,
        }
    }
    /// Streebog OID of the matching size.
    pub const fn digest_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Bits256 => OID_STREEBOG256,
            KeySize::Bits512 => OID_STREEBOG512,
        }
    }
    /// Signature algorithm OID used in certificates (`id-tc26-signwithdigest-gost3410-12-*`).
    pub const fn signature_algorithm_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Bits256 => OID_SIGN_WITH_STREEBOG256,
            KeySize::Bits512 => OID_SIGN_WITH_STREEBOG512,
        }
    }
}

/// A GOST R 34.10-2012 parameter set, named by its OID. Several OIDs share one curve
/// (TC26 256-bit B/C/D are CryptoPro A/B/C; XchA is CryptoPro-A, XchB is CryptoPro-C);
/// they stay distinct here so that a key is written back with the OID it was read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamSet {
    /// `id-tc26-gost-3410-2012-256-paramSetA`, 1.2.643.7.1.2.1.1.1 (twisted Edwards curve, cofactor 4).
    Tc26Gost256A,
    /// `id-tc26-gost-3410-2012-256-paramSetB`, 1.2.643.7.1.2.1.1.2 (the CryptoPro-A curve).
    Tc26Gost256B,
    /// `id-tc26-gost-3410-2012-256-paramSetC`, 1.2.643.7.1.2.1.1.3 (the CryptoPro-B curve).
    Tc26Gost256C,
    /// `id-tc26-gost-3410-2012-256-paramSetD`, 1.2.643.7.1.2.1.1.4 (the CryptoPro-C curve).
    Tc26Gost256D,
    /// `id-GostR3410-2001-CryptoPro-A-ParamSet`, 1.2.643.2.2.35.1.
    CryptoProA,
    /// `id-GostR3410-2001-CryptoPro-B-ParamSet`, 1.2.643.2.2.35.2.
    CryptoProB,
    /// `id-GostR3410-2001-CryptoPro-C-ParamSet`, 1.2.643.2.2.35.3.
    CryptoProC,
    /// `id-GostR3410-2001-CryptoPro-XchA-ParamSet`, 1.2.643.2.2.36.0 (the CryptoPro-A curve).
    CryptoProXchA,
    /// `id-GostR3410-2001-CryptoPro-XchB-ParamSet`, 1.2.643.2.2.36.1 (the CryptoPro-C curve).
    CryptoProXchB,
    /// `id-GostR3410-2001-TestParamSet`, 1.2.643.2.2.35.0: the curve of the worked example of
    /// GOST R 34.10-2012 (RFC 7091 A.1). For tests only.
    Test256,
    /// `id-tc26-gost-3410-12-512-paramSetA`, 1.2.643.7.1.2.1.2.1.
    Tc26Gost512A,
    /// `id-tc26-gost-3410-12-512-paramSetB`, 1.2.643.7.1.2.1.2.2.
    Tc26Gost512B,
    /// `id-tc26-gost-3410-2012-512-paramSetC`, 1.2.643.7.1.2.1.2.3 (twisted Edwards curve, cofactor 4).
    Tc26Gost512C,
    /// `id-tc26-gost-3410-2012-512-paramSetTest`, 1.2.643.7.1.2.1.2.0: the curve of the worked
    /// example of GOST R 34.10-2012 (RFC 7091 A.2). For tests only.
    Test512,
}

/// Curve constants as big-endian hex, full width (64 or 128 digits).
pub(super) struct CurveHex {
    pub p: &'static str,
    pub a: &'static str,
    pub b: &'static str,
    pub q: &'static str,
    pub x: &'static str,
    pub y: &'static str,
    /// `#E(GF(p)) / q`: 4 for the two curves with a twisted Edwards form, else 1.
    pub cofactor: u32,
}

const TEST_256: CurveHex = CurveHex {
    p: "8000000000000000000000000000000000000000000000000000000000000431",
    a: "0000000000000000000000000000000000000000000000000000000000000007",
    b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    x: "0000000000000000000000000000000000000000000000000000000000000002",
    y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    cofactor: 1,
};

const TC26_256_A: CurveHex = CurveHex {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
    b: "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
    q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    x: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
    y: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
    cofactor: 4,
};

const CRYPTOPRO_A: CurveHex = CurveHex {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    b: "00000000000000000000000000000000000000000000000000000000000000A6",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    x: "0000000000000000000000000000000000000000000000000000000000000001",
    y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
    cofactor: 1,
};

const CRYPTOPRO_B: CurveHex = CurveHex {
    p: "8000000000000000000000000000000000000000000000000000000000000C99",
    a: "8000000000000000000000000000000000000000000000000000000000000C96",
    b: "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
    q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
    x: "0000000000000000000000000000000000000000000000000000000000000001",
    y: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
    cofactor: 1,
};

const CRYPTOPRO_C: CurveHex = CurveHex {
    p: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
    a: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
    b: "000000000000000000000000000000000000000000000000000000000000805A",
    q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
    x: "0000000000000000000000000000000000000000000000000000000000000000",
    y: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
    cofactor: 1,
};

const TEST_512: CurveHex = CurveHex {
    p: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
        F1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    a: "0000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000007",
    b: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC43\
        61834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
        A82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    x: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762\
        FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C\
        83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    cofactor: 1,
};

const TC26_512_A: CurveHex = CurveHex {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
        FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
        FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
    b: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265\
        EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
        27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    x: "0000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000003",
    y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921\
        DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
    cofactor: 1,
};

const TC26_512_B: CurveHex = CurveHex {
    p: "8000000000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000000006F",
    a: "8000000000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000000006C",
    b: "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F\
        3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
    q: "8000000000000000000000000000000000000000000000000000000000000001\
        49A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
    x: "0000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000002",
    y: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335\
        DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
    cofactor: 1,
};

const TC26_512_C: CurveHex = CurveHex {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
        FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    a: "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E1430645\
        46E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
    b: "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE0\
        38CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
    q: "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
        C98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    x: "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043A\
        A27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
    y: "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9B\
        E18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
    cofactor: 4,
};

impl ParamSet {
    /// Every parameter set, 256-bit first.
    pub const ALL: [ParamSet; 14] = [
        ParamSet::Tc26Gost256A,
        ParamSet::Tc26Gost256B,
        ParamSet::Tc26Gost256C,
        ParamSet::Tc26Gost256D,
        ParamSet::CryptoProA,
        ParamSet::CryptoProB,
        ParamSet::CryptoProC,
        ParamSet::CryptoProXchA,
        ParamSet::CryptoProXchB,
        ParamSet::Test256,
        ParamSet::Tc26Gost512A,
        ParamSet::Tc26Gost512B,
        ParamSet::Tc26Gost512C,
        ParamSet::Test512,
    ];

    /// The parameter set's OID (what `publicKeyParamSet` holds).
    pub const fn oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            ParamSet::Tc26Gost256A => "1.2.643.7.1.2.1.1.1",
            ParamSet::Tc26Gost256B => "1.2.643.7.1.2.1.1.2",
            ParamSet::Tc26Gost256C => "1.2.643.7.1.2.1.1.3",
            ParamSet::Tc26Gost256D => "1.2.643.7.1.2.1.1.4",
            ParamSet::CryptoProA => "1.2.643.2.2.35.1",
            ParamSet::CryptoProB => "1.2.643.2.2.35.2",
            ParamSet::CryptoProC => "1.2.643.2.2.35.3",
            ParamSet::CryptoProXchA => "1.2.643.2.2.36.0",
            ParamSet::CryptoProXchB => "1.2.643.2.2.36.1",
            ParamSet::Test256 => "1.2.643.2.2.35.0",
            ParamSet::Tc26Gost512A => "1.2.643.7.1.2.1.2.1",
            ParamSet::Tc26Gost512B => "1.2.643.7.1.2.1.2.2",
            ParamSet::Tc26Gost512C => "1.2.643.7.1.2.1.2.3",
            ParamSet::Test512 => "1.2.643.7.1.2.1.2.0",
        })
    }

    /// The parameter set with this OID, if it is one of ours.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<ParamSet> {
        ParamSet::ALL.into_iter().find(|ps| ps.oid() == *oid)
    }

    /// The name used in the standards (`id-tc26-gost-3410-2012-256-paramSetA`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            ParamSet::Tc26Gost256A => "id-tc26-gost-3410-2012-256-paramSetA",
            ParamSet::Tc26Gost256B => "id-tc26-gost-3410-2012-256-paramSetB",
            ParamSet::Tc26Gost256C => "id-tc26-gost-3410-2012-256-paramSetC",
            ParamSet::Tc26Gost256D => "id-tc26-gost-3410-2012-256-paramSetD",
            ParamSet::CryptoProA => "id-GostR3410-2001-CryptoPro-A-ParamSet",
            ParamSet::CryptoProB => "id-GostR3410-2001-CryptoPro-B-ParamSet",
            ParamSet::CryptoProC => "id-GostR3410-2001-CryptoPro-C-ParamSet",
            ParamSet::CryptoProXchA => "id-GostR3410-2001-CryptoPro-XchA-ParamSet",
            ParamSet::CryptoProXchB => "id-GostR3410-2001-CryptoPro-XchB-ParamSet",
            ParamSet::Test256 => "id-GostR3410-2001-TestParamSet",
            ParamSet::Tc26Gost512A => "id-tc26-gost-3410-12-512-paramSetA",
            ParamSet::Tc26Gost512B => "id-tc26-gost-3410-12-512-paramSetB",
            ParamSet::Tc26Gost512C => "id-tc26-gost-3410-2012-512-paramSetC",
            ParamSet::Test512 => "id-tc26-gost-3410-2012-512-paramSetTest",
        }
    }

    /// How OpenSSL's gost engine names the set in `-pkeyopt paramset:NAME` together with its
    /// algorithm (`gost2012_256` or `gost2012_512`); `None` for the 512-bit test set, which the
    /// engine does not offer.
    pub const fn openssl_name(self) -> Option<(&'static str, &'static str)> {
        let (alg, name) = match self {
            ParamSet::Tc26Gost256A => ("gost2012_256", "TCA"),
            ParamSet::Tc26Gost256B => ("gost2012_256", "TCB"),
            ParamSet::Tc26Gost256C => ("gost2012_256", "TCC"),
            ParamSet::Tc26Gost256D => ("gost2012_256", "TCD"),
            ParamSet::CryptoProA => ("gost2012_256", "A"),
            ParamSet::CryptoProB => ("gost2012_256", "B"),
            ParamSet::CryptoProC => ("gost2012_256", "C"),
            ParamSet::CryptoProXchA => ("gost2012_256", "XA"),
            ParamSet::CryptoProXchB => ("gost2012_256", "XB"),
            ParamSet::Test256 => ("gost2012_256", "0"),
            ParamSet::Tc26Gost512A => ("gost2012_512", "A"),
            ParamSet::Tc26Gost512B => ("gost2012_512", "B"),
            ParamSet::Tc26Gost512C => ("gost2012_512", "C"),
            ParamSet::Test512 => return None,
        };
        Some((alg, name))
    }

    /// 256- or 512-bit.
    pub const fn key_size(self) -> KeySize {
        match self {
            ParamSet::Tc26Gost512A
            | ParamSet::Tc26Gost512B
            | ParamSet::Tc26Gost512C
            | ParamSet::Test512 => KeySize::Bits512,
            _ => KeySize::Bits256,
        }
    }

    /// Whether `GostR3410-2012-PublicKeyParameters` carries the digest OID for this set, as
    /// OpenSSL's gost engine writes it (RFC 9215 §4: omitted for the TC26 256-bit sets A–D and
    /// the 512-bit set C, present for the others).
    pub const fn writes_digest_oid(self) -> bool {
        !matches!(
            self,
            ParamSet::Tc26Gost256A
                | ParamSet::Tc26Gost256B
                | ParamSet::Tc26Gost256C
                | ParamSet::Tc26Gost256D
                | ParamSet::Tc26Gost512C
        )
    }

    /// Index of the curve among the distinct curves (parameter sets sharing a curve share it).
    pub(super) const fn curve_slot(self) -> usize {
        match self {
            ParamSet::Test256 => 0,
            ParamSet::Tc26Gost256A => 1,
            ParamSet::Tc26Gost256B | ParamSet::CryptoProA | ParamSet::CryptoProXchA => 2,
            ParamSet::Tc26Gost256C | ParamSet::CryptoProB => 3,
            ParamSet::Tc26Gost256D | ParamSet::CryptoProC | ParamSet::CryptoProXchB => 4,
            ParamSet::Test512 => 5,
            ParamSet::Tc26Gost512A => 6,
            ParamSet::Tc26Gost512B => 7,
            ParamSet::Tc26Gost512C => 8,
        }
    }

    pub(super) const fn curve_hex(self) -> &'static CurveHex {
        match self {
            ParamSet::Tc26Gost256A => &TC26_256_A,
            ParamSet::Tc26Gost256B | ParamSet::CryptoProA | ParamSet::CryptoProXchA => &CRYPTOPRO_A,
            ParamSet::Tc26Gost256C | ParamSet::CryptoProB => &CRYPTOPRO_B,
            ParamSet::Tc26Gost256D | ParamSet::CryptoProC | ParamSet::CryptoProXchB => &CRYPTOPRO_C,
            ParamSet::Test256 => &TEST_256,
            ParamSet::Tc26Gost512A => &TC26_512_A,
            ParamSet::Tc26Gost512B => &TC26_512_B,
            ParamSet::Tc26Gost512C => &TC26_512_C,
            ParamSet::Test512 => &TEST_512,
        }
    }
}

impl core::fmt::Display for ParamSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A curve ready for arithmetic: Montgomery parameters for `p` (coordinates) and `q` (scalars).
#[derive(Clone, Copy, Debug)]
pub(super) struct Curve<const L: usize> {
    pub fp: FixedMontyParams<L>,
    pub fq: FixedMontyParams<L>,
    pub q: NonZero<Uint<L>>,
    pub a: FixedMontyForm<L>,
    pub b: FixedMontyForm<L>,
    pub b3: FixedMontyForm<L>,
    pub gx: FixedMontyForm<L>,
    pub gy: FixedMontyForm<L>,
    pub cofactor: u32,
}

impl<const L: usize> Curve<L> {
    /// The curve of `ps`; an error if `ps` is not of this width (`L` limbs).
    pub fn new(ps: ParamSet) -> Result<Self, GostError> {
        if Uint::<L>::BYTES != ps.key_size().scalar_len() {
            return Err(GostError::KeySizeMismatch);
        }
        let h = ps.curve_hex();
        let hex = |s: &str| -> Result<Uint<L>, GostError> {
            // Constant strings: the length check keeps `from_be_hex` from panicking.
            if s.len() != 2 * Uint::<L>::BYTES {
                return Err(GostError::KeySizeMismatch);
            }
            Ok(Uint::<L>::from_be_hex(s))
        };
        let p = Odd::new(hex(h.p)?)
            .into_option()
            .ok_or(GostError::KeySizeMismatch)?;
        let q = Odd::new(hex(h.q)?)
            .into_option()
            .ok_or(GostError::KeySizeMismatch)?;
        let fp = FixedMontyParams::new_vartime(p);
        let fq = FixedMontyParams::new_vartime(q);
        let fe = |x: Uint<L>| FixedMontyForm::new(&x, &fp);
        let b = fe(hex(h.b)?);
        Ok(Curve {
            fp,
            fq,
            q: q.into_nz(),
            a: fe(hex(h.a)?),
            b,
            b3: b.double().add(&b),
            gx: fe(hex(h.x)?),
            gy: fe(hex(h.y)?),
            cofactor: h.cofactor,
        })
    }

    /// The order `q` of the base point.
    pub fn order(&self) -> &Uint<L> {
        self.q.as_ref()
    }

    /// The field prime `p`.
    #[cfg(test)]
    pub fn prime(&self) -> &Uint<L> {
        self.fp.modulus().as_ref()
    }
}
