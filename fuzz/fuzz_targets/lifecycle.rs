//! Lifecycle policies: ECR's JSON and get-lifecycle-policy output; a policy that reads is
//! evaluated on a few images.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scansim::rules::lifecycle::{LcImage, Policy};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Policy::from_json(text, Path::new("fuzz.json")) else {
        return;
    };
    let tags: [Box<[u8]>; 2] = [b"latest".as_slice().into(), b"v1".as_slice().into()];
    let images: Vec<LcImage> = (0..4u32)
        .map(|i| {
            let mut img = LcImage {
                id: i,
                pushed_at: i as i64 * 86_400,
                created_seq: i as u64,
                archived: i == 3,
                archived_at: 0,
                last_pull: i64::MIN,
                activated_at: i64::MIN,
                tags: if i % 2 == 0 { &tags[..] } else { &[] },
                selected: 0,
            };
            img.selected = p.selection(&img);
            img
        })
        .collect();
    let (mut scratch, mut out) = (Vec::new(), Vec::new());
    p.evaluate(&images, 10 * 86_400, &mut scratch, &mut out);
    let _ = p.next_possible_action(&images);
});
