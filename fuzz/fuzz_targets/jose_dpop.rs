#![no_main]
// cargo-fuzz entry point of target `jose_dpop` (see fuzz/README.md); the body is in src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vhod_fuzz::run("jose_dpop", data));
