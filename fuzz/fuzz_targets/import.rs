//! The AWS CLI importers: the first byte picks describe-images / list-coverage (`auto`),
//! CloudTrail records, or usage totals; the rest is the file.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use scansim::import::cloudtrail::{Options, import_cloudtrail};
use scansim::import::{Input, Kind, import};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let dir = common::work_dir("import");
    let file = common::write(&dir, "in.json", rest);
    match pick % 3 {
        0 => {
            if let Ok(got) = import(&[Input {
                kind: Kind::Auto,
                path: file,
            }]) {
                let mut out = Vec::new();
                let _ = scansim::import::write_rows(&got.rows, &mut out);
            }
        }
        1 => {
            let opts = Options {
                snapshots: Vec::new(),
                exclude_pullers: Vec::new(),
                sort_buffer: 3,
                force: true,
            };
            let _ = import_cloudtrail(&[file], &opts, &dir.join("t.csv"));
        }
        _ => {
            let _ = scansim::import::usage_totals::read_usage_totals(&[file]);
        }
    }
});
