//! What one CloudTrail record (or one fact of a `--snapshot`) asks of the registry, as a
//! byte string whose bytewise order is the order of replay: instant, then the kind of
//! call (so that at one instant pushes come first, then restores, pulls, archives and
//! deletes), then the eventID, then the content. Records with the same instant, kind
//! and eventID are neighbours in that order, which is how duplicates are found without
//! keeping every eventID in memory.

use crate::base::error::{Error, Result};

/// Order of calls at one instant (the second byte group of an item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    Push = 0,
    Restore = 1,
    Pull = 2,
    Archive = 3,
    Delete = 4,
    DeleteRepository = 5,
    Skipped = 6,
}

/// Why a record of one of the imported calls gives no row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skip {
    /// The call failed (`errorCode`).
    Failed = 0,
    /// A pull by Amazon Inspector itself.
    Inspector = 1,
    /// A pull by a principal given with `--exclude-puller`.
    Excluded = 2,
}

/// Where an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    CloudTrail = 0,
    Snapshot = 1,
}

/// An image named in a call: by digest, or by tag (with the digest the response gives
/// for that tag, when it gives one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ImageRef<'a> {
    pub digest: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub hint: Option<&'a str>,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Action<'a> {
    Push {
        repo: &'a str,
        digest: &'a str,
        tags: Vec<&'a str>,
        supported: bool,
    },
    Pull {
        repo: &'a str,
        ids: Vec<ImageRef<'a>>,
    },
    Delete {
        repo: &'a str,
        ids: Vec<ImageRef<'a>>,
    },
    DeleteRepository {
        repo: &'a str,
    },
    /// Lifecycle actions: (digest, archive) where `archive` is false for an expiry.
    Lifecycle {
        repo: &'a str,
        acts: Vec<(&'a str, bool)>,
    },
    Storage {
        repo: &'a str,
        id: ImageRef<'a>,
        archive: bool,
    },
    Skipped(Skip),
}

/// An item being written.
pub(super) struct Enc(pub Vec<u8>);

impl Enc {
    /// Starts an item: instant, rank, eventID, origin, then the action's tag byte.
    pub fn new(time: i64, rank: Rank, event_id: &str, origin: Origin, action: u8) -> Enc {
        let mut b = Vec::with_capacity(128);
        // The sign bit flipped: big-endian bytes then sort like the numbers.
        b.extend_from_slice(&((time as u64) ^ (1 << 63)).to_be_bytes());
        b.push(rank as u8);
        let id = &event_id.as_bytes()[..event_id.len().min(u16::MAX as usize)];
        b.extend_from_slice(&(id.len() as u16).to_be_bytes());
        b.extend_from_slice(id);
        b.push(origin as u8);
        b.push(action);
        Enc(b)
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    pub fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.u8(1).str(s),
            None => self.u8(0),
        }
    }

    pub fn image_ref(&mut self, r: &ImageRef<'_>) -> &mut Self {
        self.opt(r.digest).opt(r.tag).opt(r.hint)
    }

    pub fn count(&mut self, n: usize) -> &mut Self {
        self.0.extend_from_slice(&(n as u32).to_le_bytes());
        self
    }
}

/// Action tags (the byte after the origin).
pub(super) const PUSH: u8 = 0;
pub(super) const PULL: u8 = 1;
pub(super) const DELETE: u8 = 2;
pub(super) const DELETE_REPOSITORY: u8 = 3;
pub(super) const LIFECYCLE: u8 = 4;
pub(super) const STORAGE: u8 = 5;
pub(super) const SKIPPED: u8 = 6;

/// A decoded item.
#[derive(Debug)]
pub(super) struct Item<'a> {
    pub time: i64,
    /// Instant, rank and eventID: equal keys are the same CloudTrail event.
    pub key: &'a [u8],
    pub origin: Origin,
    pub action: Action<'a>,
}

struct Dec<'a> {
    b: &'a [u8],
    pos: usize,
}

fn corrupt() -> Error {
    Error::usage("internal error: a temporary sort file of the import is corrupt")
}

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos + n).ok_or_else(corrupt)?;
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| corrupt())
    }

    fn opt(&mut self) -> Result<Option<&'a str>> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.str()?),
        })
    }

    fn image_ref(&mut self) -> Result<ImageRef<'a>> {
        Ok(ImageRef {
            digest: self.opt()?,
            tag: self.opt()?,
            hint: self.opt()?,
        })
    }

    fn list<T>(&mut self, mut one: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.u32()?;
        (0..n).map(|_| one(self)).collect()
    }
}

/// Reads an item written by [`Enc`].
pub(super) fn decode(b: &[u8]) -> Result<Item<'_>> {
    let mut d = Dec { b, pos: 0 };
    let t = d.take(8)?;
    let time = (u64::from_be_bytes(t.try_into().map_err(|_| corrupt())?) ^ (1 << 63)) as i64;
    d.u8()?;
    let id_len = d.take(2)?;
    d.take(u16::from_be_bytes([id_len[0], id_len[1]]) as usize)?;
    let key = &b[..d.pos];
    let origin = match d.u8()? {
        0 => Origin::CloudTrail,
        _ => Origin::Snapshot,
    };
    let action = match d.u8()? {
        PUSH => Action::Push {
            repo: d.str()?,
            digest: d.str()?,
            tags: d.list(|d| d.str())?,
            supported: d.u8()? == 1,
        },
        PULL => Action::Pull {
            repo: d.str()?,
            ids: d.list(|d| d.image_ref())?,
        },
        DELETE => Action::Delete {
            repo: d.str()?,
            ids: d.list(|d| d.image_ref())?,
        },
        DELETE_REPOSITORY => Action::DeleteRepository { repo: d.str()? },
        LIFECYCLE => Action::Lifecycle {
            repo: d.str()?,
            acts: d.list(|d| Ok((d.str()?, d.u8()? == 1)))?,
        },
        STORAGE => Action::Storage {
            repo: d.str()?,
            id: d.image_ref()?,
            archive: d.u8()? == 1,
        },
        SKIPPED => Action::Skipped(match d.u8()? {
            0 => Skip::Failed,
            1 => Skip::Inspector,
            _ => Skip::Excluded,
        }),
        _ => return Err(corrupt()),
    };
    Ok(Item {
        time,
        key,
        origin,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_instant_then_rank_then_event_id() {
        let a = Enc::new(-5, Rank::Delete, "z", Origin::CloudTrail, SKIPPED).0;
        let b = Enc::new(3, Rank::Delete, "a", Origin::CloudTrail, SKIPPED).0;
        let c = Enc::new(3, Rank::Delete, "b", Origin::CloudTrail, SKIPPED).0;
        let p = Enc::new(3, Rank::Push, "z", Origin::CloudTrail, SKIPPED).0;
        let mut v = vec![c.clone(), b.clone(), p.clone(), a.clone()];
        v.sort();
        assert_eq!(v, [a, p, b, c]);
    }

    #[test]
    fn items_decode_to_what_was_written() {
        let r = ImageRef {
            digest: None,
            tag: Some("latest"),
            hint: Some("sha256:1"),
        };
        let mut e = Enc::new(1_767_225_600, Rank::Pull, "id-1", Origin::CloudTrail, PULL);
        e.str("app").count(1).image_ref(&r);
        let item = decode(&e.0).unwrap();
        assert_eq!(item.time, 1_767_225_600);
        assert_eq!(
            item.action,
            Action::Pull {
                repo: "app",
                ids: vec![r]
            }
        );
        assert!(decode(&e.0[..e.0.len() - 2]).is_err());
    }
}
