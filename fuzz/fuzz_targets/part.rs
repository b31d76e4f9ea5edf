//! `merge`'s reader of sweep parts. The input is read as `part.json` as it is, and, when it
//! parses, again with its checksum made to match, so the checks behind the checksum and
//! the outputs of the merge are reached too.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use scansim::app::sweep::part::Part;

fuzz_target!(|data: &[u8]| {
    let dir = common::work_dir("part");
    let raw = dir.join("raw");
    std::fs::create_dir_all(&raw).expect("dir");
    common::write(&raw, "part.json", data);
    let _ = scansim::app::sweep::merge(&dir.join("out"), &[raw], false, true);
    let Ok(mut p) = serde_json::from_slice::<Part>(data) else {
        return;
    };
    p.checksum = p.content_hash();
    let fixed = dir.join("fixed");
    std::fs::create_dir_all(&fixed).expect("dir");
    common::write(&fixed, "part.json", &serde_json::to_vec(&p).expect("json"));
    let _ = scansim::app::sweep::merge(&dir.join("out2"), &[fixed], false, true);
});
