//! The trace reader over arbitrary bytes: every row read and handed out; errors are fine,
//! panics and aborts are not. (Kept thin: the reader's API is changing.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use scansim::source::trace::TraceReader;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut r) = TraceReader::new(data, Path::new("fuzz.csv")) {
        while let Ok(Some(_)) = r.next_time() {
            let _ = r.take_event();
        }
    }
});
