#![no_main]
// cargo-fuzz entry point of target `x509_certificate` (see fuzz/README.md); the body is in src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vhod_fuzz::run("x509_certificate", data));
