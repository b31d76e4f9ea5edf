//! What each fuzz target does with its input, shared with `tests/it/fuzzed.rs`, which runs
//! the inputs that once found a bug (`tests/fixtures/fuzz/TARGET/`) through the same code.
//! Errors are fine; a panic, an abort or a hang is a bug.
#![allow(dead_code)]

use scansim::app::sweep::part::Part;
use scansim::import::cloudtrail::{Options, import_cloudtrail};
use scansim::import::{Input, Kind, import};
use scansim::model::scenario::Scenario;
use scansim::rules::lifecycle::{CountKey, CountOrder, LcImage, Policy};
use scansim::source::trace::TraceReader;
use std::path::{Path, PathBuf};

/// `/tmp/scansim-fuzz-NAME-PID-THREAD`, emptied of what the last input wrote.
fn work_dir(name: &str) -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
    let d = std::env::temp_dir().join(format!(
        "scansim-fuzz-{name}-{}-{thread}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("fuzz work directory");
    d
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fuzz file");
    p
}

/// The trace reader over arbitrary bytes: every row read and handed out, on the calling
/// thread (the reader thread runs the same code).
pub fn trace(data: &[u8]) {
    let input = Box::new(std::io::Cursor::new(data.to_vec()));
    if let Ok(mut r) = TraceReader::new(input, Path::new("fuzz.csv"), false) {
        while let Ok(Some(_)) = r.next_time() {
            let _ = r.take_event();
        }
    }
}

/// The scenario reader: the TOML file and the files it may name (`reg.json`,
/// `insp.json`, `lc.json`, a trace `t.csv`), cut from the input at NUL bytes; then the
/// sweep reader over the same file and the size estimate.
pub fn scenario(data: &[u8]) {
    let dir = work_dir("scenario");
    let names = ["scenario.toml", "reg.json", "insp.json", "lc.json", "t.csv"];
    for (name, bytes) in names.iter().zip(data.splitn(names.len(), |&b| b == 0)) {
        write(&dir, name, bytes);
    }
    let file = dir.join("scenario.toml");
    if let Ok(sc) = Scenario::load(&file) {
        let _ = scansim::app::estimate::estimate(&sc);
    }
    let _ = scansim::app::sweep::spec::build(&file, Vec::new(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lifecycle policies (ECR's JSON and get-lifecycle-policy output); a policy that reads
/// is evaluated on a few images.
pub fn lifecycle(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Policy::from_json(text, Path::new("fuzz.json")) else {
        return;
    };
    let tags: [&[u8]; 2] = [b"latest", b"v1"];
    let mut order = CountOrder::new(&p);
    let images: Vec<LcImage> = (0..4u32)
        .map(|i| {
            let tagged: &[&[u8]] = if i % 2 == 0 { &tags } else { &[] };
            let img = LcImage {
                id: i,
                pushed_at: i as i64 * 86_400,
                created_seq: i as u64,
                archived: i == 3,
                archived_at: 0,
                last_pull: i64::MIN,
                activated_at: i64::MIN,
                selected: p.selection(i == 3, tagged.iter().copied()),
            };
            let new = CountKey {
                selected: img.selected,
                pushed_at: img.pushed_at,
            };
            let old = CountKey { selected: 0, ..new };
            order.update(&p, i, img.created_seq, old, new);
            img
        })
        .collect();
    let mut out = Vec::new();
    let selected = |id: u32| images[id as usize].selected;
    p.evaluate(&order, selected, Some(&images), 10 * 86_400, &mut out);
    let _ = p.next_possible_action(&images);
}

/// The AWS CLI importers: the first byte picks describe-images / list-coverage (`auto`),
/// CloudTrail records, or usage totals; the rest is the file.
pub fn import_files(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let dir = work_dir("import");
    let file = write(&dir, "in.json", rest);
    match pick % 3 {
        0 => {
            let input = Input {
                kind: Kind::Auto,
                path: file,
            };
            if let Ok(got) = import(&[input]) {
                let mut out = Vec::new();
                let _ = scansim::import::write_rows(&got.rows, &mut out);
            }
        }
        1 => {
            let opts = Options {
                sort_buffer: 3,
                force: true,
                ..Options::default()
            };
            let _ = import_cloudtrail(&[file], &opts, &dir.join("t.csv"));
        }
        _ => {
            let _ = scansim::import::usage_totals::read_usage_totals(&[file]);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `merge`'s reader of sweep parts: the input as `part.json`, and, when it parses, again
/// with its checksum made to match, so the checks behind the checksum and the outputs
/// of the merge are reached too.
pub fn part(data: &[u8]) {
    let dir = work_dir("part");
    let raw = dir.join("raw");
    std::fs::create_dir_all(&raw).expect("dir");
    write(&raw, "part.json", data);
    let _ = scansim::app::sweep::merge(&dir.join("out"), &[raw], false, true);
    if let Ok(mut p) = serde_json::from_slice::<Part>(data) {
        p.checksum = p.content_hash();
        let fixed = dir.join("fixed");
        std::fs::create_dir_all(&fixed).expect("dir");
        write(&fixed, "part.json", &serde_json::to_vec(&p).expect("json"));
        let _ = scansim::app::sweep::merge(&dir.join("out2"), &[fixed], false, true);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
