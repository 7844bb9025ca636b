//! Unit tests: the worked examples of GOST R 34.10-2012 (RFC 7091 appendix A), Streebog
//! vectors (GOST R 34.11-2012 / RFC 6986), point multiplications from RFC 8133, curve
//! consistency, round trips on every parameter set, and refusal of malformed input.

use crypto_bigint::Uint;

use super::comb::CombTable;
use super::curves::Curve;
use super::field::{Fe, uint_to_be, uint_to_le};
use super::point::{Point, mul_ct, mul2_vartime};
use super::sign::{SecretKey, sign_with_k};
use super::*;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(s).expect("test vector hex")
}

fn uint<const L: usize>(s: &str) -> Uint<L> {
    let b = unhex(s);
    let mut full = vec![0u8; Uint::<L>::BYTES - b.len()];
    full.extend_from_slice(&b);
    Uint::from_be_slice(&full)
}

/// Test-only signing with a given nonce `k` and hash integer `e` (hex, big-endian), returning
/// `(public x, public y, r, s)` as big-endian hex.
fn sign_with_given_k<const L: usize>(
    ps: ParamSet,
    d: &str,
    e: &str,
    k: &str,
) -> (String, String, String, String) {
    let c = Curve::<L>::new(ps).unwrap();
    let d = uint::<L>(d);
    let table = CombTable::new(&c).unwrap();
    let (qx, qy) = table.mul(&d, &c).to_affine().unwrap();
    let (r, s) = sign_with_k(&c, &table, &d, &uint(e), &uint(k)).expect("r, s non-zero");
    let h = |x: &Uint<L>| hex::encode_upper(uint_to_be(x));
    (h(&qx.retrieve()), h(&qy.retrieve()), h(&r), h(&s))
}

#[test]
fn rfc7091_a1_example_256() {
    let (qx, qy, r, s) = sign_with_given_k::<N256>(
        ParamSet::Test256,
        "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
        "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
        "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
    );
    assert_eq!(
        qx,
        "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B"
    );
    assert_eq!(
        qy,
        "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"
    );
    assert_eq!(
        r,
        "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493"
    );
    assert_eq!(
        s,
        "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40"
    );

    // The same signature through the public API: the digest whose little-endian value is e.
    let key = SigningKey::from_bytes_le(
        ParamSet::Test256,
        &unhex_rev("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28"),
    )
    .unwrap();
    let digest = unhex_rev("2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5");
    let sig = unhex(&format!("{s}{r}"));
    key.verifying_key().verify_digest(&digest, &sig).unwrap();
    let (x, y) = key.verifying_key().coordinates_be();
    assert_eq!(hex::encode_upper(x), qx);
    assert_eq!(hex::encode_upper(y), qy);
}

#[test]
fn rfc7091_a2_example_512() {
    let (qx, qy, r, s) = sign_with_given_k::<N512>(
        ParamSet::Test512,
        "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020
         72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
        "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591
         7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
        "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658
         86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
    );
    assert_eq!(
        qx,
        "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD\
         5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1"
    );
    assert_eq!(
        qy,
        "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61\
         EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC"
    );
    assert_eq!(
        r,
        "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3\
         5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36"
    );
    assert_eq!(
        s,
        "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5\
         823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A"
    );
}

/// Hex (big-endian) → little-endian bytes.
fn unhex_rev(s: &str) -> Vec<u8> {
    let mut b = unhex(s);
    b.reverse();
    b
}

#[test]
fn streebog_m1_m2() {
    // GOST R 34.11-2012 / RFC 6986 §10: M1 is the ASCII digits, M2 the CP1251 text
    // "Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы".
    let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
    assert_eq!(
        hex::encode(streebog512(m1)),
        "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa\
         00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
    );
    assert_eq!(
        hex::encode(streebog256(m1)),
        "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
    );
    let m2 = unhex(
        "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5
         ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb",
    );
    assert_eq!(
        hex::encode(streebog512(&m2)),
        "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376\
         035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
    );
    assert_eq!(
        hex::encode(streebog256(&m2)),
        "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"
    );
}

fn check_mul<const L: usize>(ps: ParamSet, k: &str, x: &str, y: &str) {
    let c = Curve::<L>::new(ps).unwrap();
    let (px, py) = mul_ct(&Point::generator(&c), &uint(k), &c)
        .to_affine()
        .unwrap();
    assert_eq!(px.retrieve(), uint::<L>(x), "{ps} x");
    assert_eq!(py.retrieve(), uint::<L>(y), "{ps} y");
}

#[test]
fn rfc8133_base_point_multiples() {
    check_mul::<N256>(
        ParamSet::CryptoProA,
        "1F2538097D5A031FA68BBB43C84D12B3DE47B7061C0D5E24993E0C873CDBA6B3",
        "BBC77CF42DC1E62D06227935379B4AA4D14FEA4F565DDF4CB4FA4D31579F9676",
        "8E16604A4AFDF28246684D4996274781F6CB80ABBBA1414C1513EC988509DABF",
    );
    check_mul::<N256>(
        ParamSet::CryptoProB,
        "499D72B90299CAB0DA1F8BE19D9122F622A13B32B730C46BD0664044F2144FAD",
        "61D6F916DB717222D74877F179F7EBEF7CD4D24D8C1F523C048E34A1DF30F8DD",
        "3EC48863049CFCFE662904082E78503F4973A4E105E2F1B18C69A5E7FB209000",
    );
    check_mul::<N256>(
        ParamSet::CryptoProC,
        "3A54AC3F19AD9D0B1EAC8ACDCEA70E581F1DAC33D13FEAFD81E762378639C1A8",
        "96B7F09C94D297C257A7DA48364C0076E59E48D221CBA604AE111CA3933B446A",
        "54E4953D86B77ECCEB578500931E822300F7E091F79592CA202A020D762C34A6",
    );
    check_mul::<N512>(
        ParamSet::Tc26Gost512A,
        "3CE54325DB52FE798824AEAD11BB16FA766857D04A4AF7D468672F16D90E7396
         046A46F815693E85B1CE5464DA9270181F82333B0715057BBE8D61D400505F0E",
        "B93093EB0FCC463239B7DF276E09E592FCFC9B635504EA4531655D76A0A3078E
         2B4E51CFE2FA400CC5DE9FBE369DB204B3E8ED7EDD85EE5CCA654C1AED70E396",
        "809770B8D910EA30BD2FA89736E91DC31815D2D9B31128077EEDC371E9F69466
         F497DC64DD5B1FADC587F860EE256109138C4A9CD96B628E65A8F590520FC882",
    );
}

fn curve_consistency<const L: usize>(ps: ParamSet) {
    let c = Curve::<L>::new(ps).unwrap();
    assert!(
        super::point::is_on_curve(&c, &c.gx, &c.gy),
        "{ps}: G on curve"
    );
    assert!(
        c.order().bit_width() + 3 >= c.prime().bit_width(),
        "{ps}: cofactor at most 4"
    );
    let g = Point::generator(&c);
    assert!(mul_ct(&g, c.order(), &c).is_identity(), "{ps}: q·G = O");
    // (q-1)·G = -G; the constant-time and variable-time multiplications agree.
    let qm1 = c.order().wrapping_sub(&Uint::ONE);
    let (x, y) = mul_ct(&g, &qm1, &c).to_affine().unwrap();
    assert_eq!((x, y), (c.gx, c.gy.neg()), "{ps}: (q-1)·G = -G");
    let k = uint::<L>("0123456789ABCDEF0123456789ABCDEF");
    let a = mul_ct(&g, &k, &c).to_affine().unwrap();
    let zero = Uint::<L>::ZERO;
    let b = mul2_vartime(&g, &k, &g, &zero, &c)
        .to_affine_vartime()
        .unwrap();
    assert_eq!(a, b, "{ps}: ct = vartime");
    // Doubling agrees with the complete addition of a point to itself.
    let p = Point::from_affine(&c, a.0, a.1);
    assert_eq!(
        p.double(&c).to_affine(),
        p.add(&p, &c).to_affine(),
        "{ps}: 2P"
    );
}

#[test]
fn every_curve_is_consistent() {
    for ps in ParamSet::ALL {
        match ps.key_size() {
            KeySize::Bits256 => curve_consistency::<N256>(ps),
            KeySize::Bits512 => curve_consistency::<N512>(ps),
        }
        assert_eq!(ParamSet::from_oid(&ps.oid()), Some(ps));
        // Curve width and parameter set must agree.
        let wrong = match ps.key_size() {
            KeySize::Bits256 => Curve::<N512>::new(ps).err(),
            KeySize::Bits512 => Curve::<N256>::new(ps).err(),
        };
        assert_eq!(wrong, Some(GostError::KeySizeMismatch));
    }
}

#[test]
fn sign_verify_round_trip_on_every_param_set() {
    for ps in ParamSet::ALL {
        let key = SigningKey::generate(ps).unwrap();
        let vk = key.verifying_key();
        let msg = b"vhod: sign me";
        let sig = key.sign(msg).unwrap();
        assert_eq!(sig.len(), ps.key_size().signature_len());
        vk.verify(msg, &sig).unwrap();
        assert_eq!(
            vk.verify(b"vhod: sign me!", &sig),
            Err(GostError::BadSignature),
            "{ps}"
        );
        for i in [0, sig.len() / 2, sig.len() - 1] {
            let mut bad = sig.clone();
            bad[i] ^= 0x01;
            assert!(vk.verify(msg, &bad).is_err(), "{ps}: flipped byte {i}");
        }
        // The hedged nonce: the same message signs differently each time; both verify.
        let sig2 = key.sign(msg).unwrap();
        assert_ne!(sig, sig2);
        vk.verify(msg, &sig2).unwrap();
        // CryptoPro byte order round trip.
        let cp = signature_to_cryptopro(&sig).unwrap();
        assert_eq!(signature_from_cryptopro(&cp).unwrap(), sig);
        assert!(vk.verify(msg, &cp).is_err());
        // Keys survive PKCS#8 and SPKI.
        let again = SigningKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(again.verifying_key(), vk);
        assert_eq!(*again.to_bytes_le(), *key.to_bytes_le());
        let pem = key.to_pkcs8_pem().unwrap();
        assert_eq!(
            SigningKey::from_pkcs8_pem(&pem).unwrap().verifying_key(),
            vk
        );
        let vk2 = VerifyingKey::from_spki_der(&vk.to_spki_der().unwrap()).unwrap();
        assert_eq!(vk2, vk);
        let vk3 = VerifyingKey::from_public_key_pem(&vk.to_public_key_pem().unwrap()).unwrap();
        assert_eq!(vk3, vk);
        vk2.verify(msg, &sig).unwrap();
    }
}

#[test]
fn zero_digest_is_signed_as_e_equals_one() {
    let key = SigningKey::generate(ParamSet::Tc26Gost256A).unwrap();
    let sig = key.sign_digest(&[0u8; 32]).unwrap();
    key.verifying_key().verify_digest(&[0u8; 32], &sig).unwrap();
    // e = 1 and e = 0 are the same integer to GOST: the digest "1" verifies too.
    let mut one = [0u8; 32];
    one[0] = 1;
    key.verifying_key().verify_digest(&one, &sig).unwrap();
    assert_eq!(
        key.sign_digest(&[0u8; 31]),
        Err(GostError::DigestLength {
            expected: 32,
            got: 31
        })
    );
}

fn refuses_bad_scalars<const L: usize>(ps: ParamSet) {
    let key = SigningKey::generate(ps).unwrap();
    let vk = key.verifying_key();
    let msg = b"message";
    let sig = key.sign(msg).unwrap();
    let n = Uint::<L>::BYTES;
    let c = Curve::<L>::new(ps).unwrap();
    let q = uint_to_be(c.order());
    let (s, r) = sig.split_at(n);
    let zero = vec![0u8; n];
    let ones = vec![0xffu8; n];
    for (s2, r2) in [
        (s, &zero[..]),
        (&zero[..], r),
        (s, &q[..]),
        (&q[..], r),
        (s, &ones[..]),
        (&ones[..], r),
    ] {
        let bad = [s2, r2].concat();
        assert_eq!(vk.verify(msg, &bad), Err(GostError::BadSignature), "{ps}");
    }
    for len in [0, 1, n, 2 * n - 1, 2 * n + 1, 4 * n] {
        let bad = vec![1u8; len];
        assert_eq!(
            vk.verify(msg, &bad),
            Err(GostError::SignatureLength {
                expected: 2 * n,
                got: len
            }),
            "{ps}"
        );
    }
}

#[test]
fn refuses_zero_large_and_misshapen_signatures() {
    refuses_bad_scalars::<N256>(ParamSet::CryptoProA);
    refuses_bad_scalars::<N512>(ParamSet::Tc26Gost512C);
    assert!(signature_to_cryptopro(&[0u8; 63]).is_err());
}

#[test]
fn refuses_bad_public_points() {
    let ps = ParamSet::Tc26Gost256A;
    // The identity has no affine form; (0, 0) and G + (0, 1) are off the curve.
    assert!(VerifyingKey::from_xy_le(ps, &[0u8; 64]).is_err());
    let c = Curve::<N256>::new(ps).unwrap();
    let g = [uint_to_le(&c.gx.retrieve()), uint_to_le(&c.gy.retrieve())].concat();
    assert!(VerifyingKey::from_xy_le(ps, &g).is_ok());
    let mut off = g.clone();
    off[32] ^= 1;
    assert!(matches!(
        VerifyingKey::from_xy_le(ps, &off),
        Err(GostError::InvalidPublicKey(_))
    ));
    // A coordinate ≥ p.
    let mut big = g.clone();
    big[..32].copy_from_slice(&[0xff; 32]);
    assert!(VerifyingKey::from_xy_le(ps, &big).is_err());
    // Wrong lengths.
    assert!(VerifyingKey::from_xy_le(ps, &g[..63]).is_err());
    assert!(VerifyingKey::from_xy_le(ParamSet::Tc26Gost512A, &g).is_err());
    // On the curve (cofactor 4) but outside the subgroup of order q: x = 8.
    let x = uint::<N256>("08");
    let y = uint::<N256>("ED3581BEC3A800B4E42F823268B76D5802FF206853353B55A2B91452F2ADFD07");
    let (fx, fy) = (Fe::new(&x, &c.fp), Fe::new(&y, &c.fp));
    assert!(super::point::is_on_curve(&c, &fx, &fy));
    let p = [uint_to_le(&x), uint_to_le(&y)].concat();
    assert_eq!(
        VerifyingKey::from_xy_le(ps, &p),
        Err(GostError::InvalidPublicKey("point not of order q"))
    );
}

#[test]
fn refuses_bad_private_keys() {
    let ps = ParamSet::CryptoProA;
    assert_eq!(
        SigningKey::from_bytes_le(ps, &[0u8; 32]).err(),
        Some(GostError::InvalidPrivateKey)
    );
    assert!(SigningKey::from_bytes_le(ps, &[0xff; 32]).is_err()); // ≥ q
    assert!(SigningKey::from_bytes_le(ps, &[1u8; 31]).is_err());
    assert!(SigningKey::from_bytes_le(ParamSet::Tc26Gost512B, &[1u8; 32]).is_err());
}

#[test]
fn malformed_der_is_an_error_not_a_panic() {
    let key = SigningKey::generate(ParamSet::Tc26Gost512A).unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let spki = key.verifying_key().to_spki_der().unwrap();
    for der in [&pkcs8[..], &spki[..]] {
        for len in 0..der.len() {
            assert!(SigningKey::from_pkcs8_der(&der[..len]).is_err());
            assert!(VerifyingKey::from_spki_der(&der[..len]).is_err());
            assert!(VerifyingKey::from_certificate_der(&der[..len]).is_err());
            assert!(verify_certificate_signature(&der[..len], &key.verifying_key()).is_err());
        }
        for i in 0..der.len() {
            let mut bad = der.to_vec();
            bad[i] ^= 0x5a;
            let _ = SigningKey::from_pkcs8_der(&bad);
            let _ = VerifyingKey::from_spki_der(&bad);
        }
    }
    assert_eq!(
        SigningKey::from_pkcs8_pem("not pem").err(),
        Some(GostError::Pem)
    );
    let pub_pem = key.verifying_key().to_public_key_pem().unwrap();
    assert_eq!(
        SigningKey::from_pkcs8_pem(&pub_pem).err(),
        Some(GostError::Pem)
    );
}

#[test]
fn key_encodings_match_openssl_layout() {
    // TC26 256-bit A: no digest OID; CryptoPro-A: with the Streebog-256 OID (as the engine writes).
    let d = [7u8; 32];
    let a = SigningKey::from_bytes_le(ParamSet::Tc26Gost256A, &d).unwrap();
    let der = a.to_pkcs8_der().unwrap();
    assert_eq!(der.len(), 64);
    assert_eq!(&der[der.len() - 34..der.len() - 32], &[0x04, 0x20]);
    assert_eq!(&der[der.len() - 32..], &d);
    let b = SigningKey::from_bytes_le(ParamSet::CryptoProA, &d).unwrap();
    assert_eq!(b.to_pkcs8_der().unwrap().len(), 72);
    let spki = a.verifying_key().to_spki_der().unwrap();
    assert_eq!(spki.len(), 96);
    assert_eq!(&spki[spki.len() - 66..spki.len() - 64], &[0x04, 0x40]);
    assert_eq!(spki[spki.len() - 64..], a.verifying_key().to_xy_le());

    // Older OpenSSL forms of the private key: wrapped OCTET STRING and big-endian INTEGER.
    let params = [
        0x30, 0x17, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x01, 0x30, 0x0b, 0x06,
        0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01,
    ];
    let wrap = |inner: &[u8]| {
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend_from_slice(&params);
        body.push(0x04);
        body.push(inner.len() as u8);
        body.extend_from_slice(inner);
        let mut out = vec![0x30, body.len() as u8];
        out.extend_from_slice(&body);
        out
    };
    assert_eq!(wrap(&d), *der);
    let octet = [&[0x04, 0x20][..], &d].concat();
    let k = SigningKey::from_pkcs8_der(&wrap(&octet)).unwrap();
    assert_eq!(k.verifying_key(), a.verifying_key());
    let integer = [&[0x02, 0x20][..], &d].concat(); // 0x07.. is positive, no padding
    let k = SigningKey::from_pkcs8_der(&wrap(&integer)).unwrap();
    assert_eq!(k.verifying_key(), a.verifying_key());
}

#[test]
fn nonce_is_a_secret_function_of_key_digest_and_randomness() {
    let ps = ParamSet::Tc26Gost512C;
    let c = Curve::<N512>::new(ps).unwrap();
    let table = super::comb::table_512(ps, &c).unwrap();
    let key = SecretKey::from_le_bytes(c, table, &[0x11; 64]).unwrap();
    let other = SecretKey::from_le_bytes(c, table, &[0x12; 64]).unwrap();
    let (digest, digest2) = ([1u8; 64], [2u8; 64]);
    let (zero, fresh) = ([0u8; 64], [9u8; 64]);
    // With a dead RNG (zero bytes) the nonce is deterministic, yet differs per message and key.
    let k = key.nonce(&digest, &zero, 0);
    assert_eq!(k, key.nonce(&digest, &zero, 0));
    for different in [
        key.nonce(&digest2, &zero, 0),
        key.nonce(&digest, &fresh, 0),
        key.nonce(&digest, &zero, 1),
        other.nonce(&digest, &zero, 0),
    ] {
        assert_ne!(k, different);
    }
    assert!(k.is_nonzero().to_bool() && k < *c.order());
}
