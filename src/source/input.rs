//! The bytes of a trace: a file or standard input (`-`), plain, gzip or zstd (told by
//! their first bytes, not by the name), hashed (SHA-256 of the bytes as stored) in the
//! same pass that reads them.

use crate::base::hash::HashingReader;
use flate2::read::MultiGzDecoder;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// The name that reads standard input.
pub const STDIN: &str = "-";

/// The raw bytes as stored, hashed as they are read.
type Raw = HashingReader<Box<dyn Read + Send>>;
type Stream = io::Chain<Cursor<Vec<u8>>, Raw>;

/// A trace's text, decompressed if it was compressed.
pub struct Input {
    decoder: Decoder,
}

enum Decoder {
    Plain(Stream),
    Gzip(MultiGzDecoder<Stream>),
    Zstd(Box<Zstd>),
}

const GZIP: &[u8] = &[0x1f, 0x8b];
const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

impl Input {
    /// Opens `path` (`-`: standard input).
    pub fn open(path: &Path) -> io::Result<Input> {
        let raw: Box<dyn Read + Send> = if path.as_os_str() == STDIN {
            Box::new(io::stdin())
        } else {
            Box::new(std::fs::File::open(path)?)
        };
        Input::new(raw)
    }

    /// Reads from `raw`, decompressing it when its first bytes say gzip or zstd.
    pub fn new(raw: Box<dyn Read + Send>) -> io::Result<Input> {
        let mut raw = HashingReader::new(raw);
        let mut head = Vec::with_capacity(ZSTD.len());
        (&mut raw).take(ZSTD.len() as u64).read_to_end(&mut head)?;
        let stream = Cursor::new(head.clone()).chain(raw);
        let decoder = if head.starts_with(GZIP) {
            Decoder::Gzip(MultiGzDecoder::new(stream))
        } else if head.starts_with(ZSTD) {
            Decoder::Zstd(Box::new(Zstd::new(stream)))
        } else {
            Decoder::Plain(stream)
        };
        Ok(Input { decoder })
    }

    /// Reads whatever is left of the stored bytes and returns their SHA-256 (hex).
    pub fn finish(&mut self) -> io::Result<String> {
        let stream = match &mut self.decoder {
            Decoder::Plain(s) => s,
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Zstd(z) => z.get_mut(),
        };
        stream.get_mut().1.finish_mut()
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.decoder {
            Decoder::Plain(s) => s.read(buf),
            Decoder::Gzip(d) => d.read(buf).map_err(|e| damaged("gzip", e)),
            Decoder::Zstd(z) => z.read(buf),
        }
    }
}

fn damaged(format: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the {format} data is damaged: {e}"),
    )
}

/// Zstandard frames one after another (as `zstd` and `pzstd` write them; skippable
/// frames are passed over). The decoder keeps the window of one frame (bounded by
/// ruzstd's default limit).
struct Zstd {
    src: BufReader<Stream>,
    frame: FrameDecoder,
    in_frame: bool,
    done: bool,
}

impl Zstd {
    fn new(s: Stream) -> Zstd {
        Zstd {
            src: BufReader::new(s),
            frame: FrameDecoder::new(),
            in_frame: false,
            done: false,
        }
    }

    fn get_mut(&mut self) -> &mut Stream {
        self.src.get_mut()
    }

    /// Starts the next frame; false at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            if self.src.fill_buf()?.is_empty() {
                self.done = true;
                return Ok(false);
            }
            match self.frame.reset(&mut self.src) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    io::copy(&mut (&mut self.src).take(length as u64), &mut io::sink())?;
                }
                Err(e) => return Err(damaged("zstd", e)),
            }
        }
    }
}

impl Read for Zstd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.in_frame {
                if self.frame.can_collect() > 0 || buf.is_empty() {
                    return self.frame.read(buf);
                }
                if self.frame.is_finished() {
                    self.in_frame = false;
                    continue;
                }
                self.frame
                    .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(|e| damaged("zstd", e))?;
            } else if self.done || !self.next_frame()? {
                return Ok(0);
            } else {
                self.in_frame = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = b"time,event,repository,digest\n2026-01-01T00:00:00Z,push,app,d1\n";

    fn read_all(bytes: Vec<u8>) -> (Vec<u8>, String) {
        let mut input = Input::new(Box::new(Cursor::new(bytes))).unwrap();
        let mut out = Vec::new();
        input.read_to_end(&mut out).unwrap();
        (out, input.finish().unwrap())
    }

    #[test]
    fn plain_gzip_and_zstd_read_alike_and_hash_the_stored_bytes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        let zst =
            ruzstd::encoding::compress_to_vec(TEXT, ruzstd::encoding::CompressionLevel::Fastest);
        for stored in [TEXT.to_vec(), gz, zst] {
            let (text, hash) = read_all(stored.clone());
            assert_eq!(text, TEXT);
            assert_eq!(hash, crate::base::hash::sha256_bytes(&stored));
        }
    }

    #[test]
    fn several_zstd_frames_and_gzip_members_follow_one_another() {
        let (a, b) = TEXT.split_at(20);
        let level = ruzstd::encoding::CompressionLevel::Fastest;
        let mut zst = ruzstd::encoding::compress_to_vec(a, level);
        // A skippable frame between the two.
        zst.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
        zst.extend(ruzstd::encoding::compress_to_vec(b, level));
        assert_eq!(read_all(zst).0, TEXT);
        let mut gz = Vec::new();
        for part in [a, b] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(part).unwrap();
            gz.extend(e.finish().unwrap());
        }
        assert_eq!(read_all(gz).0, TEXT);
    }

    #[test]
    fn damaged_data_is_an_error_that_says_so() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(TEXT).unwrap();
        let mut gz = gz.finish().unwrap();
        let n = gz.len();
        gz[n / 2] ^= 0xff;
        gz.truncate(n - 6);
        let mut input = Input::new(Box::new(Cursor::new(gz))).unwrap();
        let e = input.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("gzip data is damaged"), "{e}");
    }
}
