//! Sorting more records than fit in memory: records (byte strings, compared bytewise) are
//! collected in a run of bounded size; a full run is sorted and written to a temporary
//! file; at the end the runs are merged (at most [`FAN_IN`] files open at once). The
//! temporary files live beside the output and are removed when the sorter or its output
//! is dropped, on success and on error alike.

use crate::base::error::{Error, Result};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// At most this many runs are merged at once; more are merged in rounds.
pub const FAN_IN: usize = 64;

/// Bytes of records a run holds at most (besides its record count limit).
pub const RUN_BYTES: usize = 64 << 20;

/// The temporary run files; removed on drop.
struct RunFiles {
    dir: PathBuf,
    stem: String,
    made: u64,
    paths: Vec<(PathBuf, u64)>,
}

impl RunFiles {
    /// `.STEM.scansim-sort-PID-N` (a leftover a later claim on the output recognises),
    /// registered for removal on SIGINT / SIGTERM.
    fn new_path(&mut self) -> PathBuf {
        self.made += 1;
        let p = self.dir.join(format!(
            ".{}.scansim-sort-{}-{}",
            self.stem,
            std::process::id(),
            self.made
        ));
        let id = crate::base::cleanup::register(&p, crate::base::cleanup::Kind::File);
        self.paths.push((p.clone(), id));
        p
    }

    fn remove(&mut self, p: &Path) {
        let _ = std::fs::remove_file(p);
        self.paths.retain(|(q, id)| {
            if q == p {
                crate::base::cleanup::unregister(*id);
            }
            q != p
        });
    }
}

impl Drop for RunFiles {
    fn drop(&mut self) {
        for (p, id) in &self.paths {
            let _ = std::fs::remove_file(p);
            crate::base::cleanup::unregister(*id);
        }
    }
}

/// Collects records; [`ExtSorter::finish`] hands them out in order.
pub struct ExtSorter {
    max_records: usize,
    max_bytes: usize,
    /// The current run: records one after the other, and where each is.
    arena: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// Spilled runs, in the order written.
    runs: Vec<PathBuf>,
    files: RunFiles,
}

impl ExtSorter {
    /// Runs go to `dir`, named after `stem` (the output's file name); a run holds at most
    /// `max_records` records and [`RUN_BYTES`] bytes.
    pub fn new(dir: &Path, stem: &str, max_records: usize) -> ExtSorter {
        ExtSorter {
            max_records: max_records.max(1),
            max_bytes: RUN_BYTES,
            arena: Vec::new(),
            spans: Vec::new(),
            runs: Vec::new(),
            files: RunFiles {
                dir: dir.to_path_buf(),
                stem: stem.to_string(),
                made: 0,
                paths: Vec::new(),
            },
        }
    }

    pub fn push(&mut self, record: &[u8]) -> Result<()> {
        if !self.spans.is_empty()
            && (self.spans.len() >= self.max_records
                || self.arena.len() + record.len() > self.max_bytes)
        {
            self.spill()?;
        }
        self.spans.push((self.arena.len(), record.len()));
        self.arena.extend_from_slice(record);
        Ok(())
    }

    /// How many runs have been written to disk so far.
    pub fn spilled(&self) -> usize {
        self.files.made as usize
    }

    fn sort_spans(&mut self) {
        let arena = &self.arena;
        self.spans
            .sort_unstable_by(|a, b| arena[a.0..a.0 + a.1].cmp(&arena[b.0..b.0 + b.1]));
    }

    fn spill(&mut self) -> Result<()> {
        self.sort_spans();
        let path = self.files.new_path();
        let f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 16, f);
        for &(at, len) in &self.spans {
            write_record(&mut w, &self.arena[at..at + len]).map_err(|e| Error::io(&path, e))?;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
        self.runs.push(path);
        self.arena.clear();
        self.spans.clear();
        Ok(())
    }

    /// Every record pushed, in bytewise order (equal records all kept).
    pub fn finish(mut self) -> Result<Sorted> {
        if self.runs.is_empty() {
            self.sort_spans();
            return Ok(Sorted {
                inner: Inner::Memory {
                    arena: self.arena,
                    spans: self.spans,
                    next: 0,
                },
                files: self.files,
            });
        }
        if !self.spans.is_empty() {
            self.spill()?;
        }
        let mut runs = std::mem::take(&mut self.runs);
        // Merge in rounds so that no more than FAN_IN files are open at once.
        while runs.len() > FAN_IN {
            let group: Vec<PathBuf> = runs.drain(..FAN_IN).collect();
            let path = self.files.new_path();
            merge_into(&group, &path)?;
            for p in &group {
                self.files.remove(p);
            }
            runs.push(path);
        }
        Ok(Sorted {
            inner: Inner::Merge(Merger::open(&runs)?),
            files: self.files,
        })
    }
}

fn write_record(w: &mut impl Write, rec: &[u8]) -> std::io::Result<()> {
    w.write_all(&(rec.len() as u32).to_le_bytes())?;
    w.write_all(rec)
}

/// Reads the next record into `buf`; `false` at the end of the run.
fn read_record(r: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    r.read_exact(buf)?;
    Ok(true)
}

fn merge_into(group: &[PathBuf], out: &Path) -> Result<()> {
    let mut m = Merger::open(group)?;
    let f = std::fs::File::create(out).map_err(|e| Error::io(out, e))?;
    let mut w = BufWriter::with_capacity(1 << 16, f);
    while let Some(rec) = m.next()? {
        write_record(&mut w, rec).map_err(|e| Error::io(out, e))?;
    }
    w.flush().map_err(|e| Error::io(out, e))
}

/// A k-way merge of sorted run files.
struct Merger {
    readers: Vec<(PathBuf, BufReader<std::fs::File>)>,
    /// The head record of each run not yet exhausted, with the run's index.
    heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    current: Vec<u8>,
}

impl Merger {
    fn open(runs: &[PathBuf]) -> Result<Merger> {
        let mut m = Merger {
            readers: Vec::new(),
            heap: BinaryHeap::new(),
            current: Vec::new(),
        };
        for (i, p) in runs.iter().enumerate() {
            let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
            m.readers
                .push((p.clone(), BufReader::with_capacity(1 << 16, f)));
            m.refill(i, Vec::new())?;
        }
        Ok(m)
    }

    fn refill(&mut self, i: usize, mut buf: Vec<u8>) -> Result<()> {
        let (path, r) = &mut self.readers[i];
        if read_record(r, &mut buf).map_err(|e| Error::io(path, e))? {
            self.heap.push(Reverse((buf, i)));
        }
        Ok(())
    }

    fn next(&mut self) -> Result<Option<&[u8]>> {
        let Some(Reverse((rec, i))) = self.heap.pop() else {
            return Ok(None);
        };
        let spare = std::mem::replace(&mut self.current, rec);
        self.refill(i, spare)?;
        Ok(Some(&self.current))
    }
}

enum Inner {
    Memory {
        arena: Vec<u8>,
        spans: Vec<(usize, usize)>,
        next: usize,
    },
    Merge(Merger),
}

/// The records in order. Holds the run files until dropped.
pub struct Sorted {
    inner: Inner,
    files: RunFiles,
}

impl Sorted {
    /// How many runs were written to disk (0: sorted in memory).
    pub fn runs(&self) -> usize {
        self.files.made as usize
    }

    /// The next record, `None` at the end.
    #[allow(clippy::should_implement_trait)] // lends from self: not an Iterator
    pub fn next(&mut self) -> Result<Option<&[u8]>> {
        match &mut self.inner {
            Inner::Memory { arena, spans, next } => {
                let Some(&(at, len)) = spans.get(*next) else {
                    return Ok(None);
                };
                *next += 1;
                Ok(Some(&arena[at..at + len]))
            }
            Inner::Merge(m) => m.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> crate::base::testing::TempDir {
        crate::base::testing::TempDir::new(&format!("extsort-{name}"))
    }

    fn sorted(dir: &Path, max: usize, recs: &[Vec<u8>]) -> (Vec<Vec<u8>>, usize) {
        let mut s = ExtSorter::new(dir, "out.csv", max);
        for r in recs {
            s.push(r).unwrap();
        }
        let spilled = s.spilled();
        let mut out = s.finish().unwrap();
        let mut got = Vec::new();
        while let Some(r) = out.next().unwrap() {
            got.push(r.to_vec());
        }
        drop(out);
        (got, spilled)
    }

    #[test]
    fn runs_in_memory_on_disk_and_in_rounds_agree() {
        let d = tmp("agree");
        // A fixed pseudo-random order with repeats and empty records.
        let recs: Vec<Vec<u8>> = (0u64..1000)
            .map(|i| {
                let x = crate::base::hash::splitmix(i) % 300;
                x.to_string().into_bytes().repeat((x % 3) as usize)
            })
            .collect();
        let mut want = recs.clone();
        want.sort();
        for max in [10_000, 100, 7, 1] {
            let (got, spilled) = sorted(&d, max, &recs);
            assert_eq!(got, want, "max {max}");
            assert_eq!(spilled > 0, max < 1000, "max {max}");
            let left: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
            assert!(left.is_empty(), "run files left behind with max {max}");
        }
    }

    #[test]
    fn dropping_the_sorter_removes_its_runs() {
        let d = tmp("drop");
        let mut s = ExtSorter::new(&d, "t", 2);
        for r in [b"c", b"b", b"a", b"d", b"e"] {
            s.push(r).unwrap();
        }
        assert!(std::fs::read_dir(&d).unwrap().count() >= 2);
        drop(s);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
    }
}
