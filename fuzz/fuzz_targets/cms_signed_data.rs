#![no_main]
// cargo-fuzz entry point of target `cms_signed_data` (see fuzz/README.md); the body is in src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| vhod_fuzz::run("cms_signed_data", data));
