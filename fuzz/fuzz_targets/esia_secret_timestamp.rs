#![no_main]
// cargo-fuzz entry point of target `esia_secret_timestamp` (see fuzz/README.md); the body is in src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vhod_fuzz::run("esia_secret_timestamp", data));
