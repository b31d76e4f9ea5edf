//! The scenario reader: the TOML file and the AWS JSON configuration files it may name
//! (`reg.json`, `insp.json`, `lc.json`, a trace `t.csv`), cut from the input at NUL
//! bytes; then the sweep reader over the same file and the size estimate.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use scansim::model::scenario::Scenario;

fuzz_target!(|data: &[u8]| {
    let dir = common::work_dir("scenario");
    let p = common::parts(data, 5);
    let names = ["scenario.toml", "reg.json", "insp.json", "lc.json", "t.csv"];
    for (name, bytes) in names.iter().zip(&p) {
        common::write(&dir, name, bytes);
    }
    let file = dir.join("scenario.toml");
    if let Ok(sc) = Scenario::load(&file) {
        let _ = scansim::app::estimate::estimate(&sc);
    }
    let _ = scansim::app::sweep::spec::build(&file, Vec::new(), None);
});
