#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rt_fuzz::objdump(data));
