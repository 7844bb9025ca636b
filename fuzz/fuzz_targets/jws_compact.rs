#![no_main]
// cargo-fuzz entry point of target `jws_compact` (see fuzz/README.md); the body is in src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vhod_fuzz::run("jws_compact", data));
