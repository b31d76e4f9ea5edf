//! One error type for the library. Every input problem carries the file and, where one
//! exists, the line, the column and the key, so a user can go straight to it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<u64>,
    /// 1-based character column (TOML) or 1-based field number (CSV).
    pub column: Option<u64>,
    /// Column name of a CSV field, TOML key path or JSON path.
    pub key: Option<String>,
}

impl Location {
    pub fn file(file: &Path) -> Self {
        Location {
            file: file.to_path_buf(),
            ..Default::default()
        }
    }
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    pub fn column(mut self, column: u64) -> Self {
        self.column = Some(column);
        self
    }
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad content in a scenario, trace, policy or JSON file.
    #[error("{loc}: {message}")]
    Input { loc: Box<Location>, message: String },
    /// A file could not be read or written. (The reason is part of the message, not a
    /// `source`, so that printing the error chain does not repeat it.)
    #[error("{}: {reason}", path.display())]
    Io {
        path: PathBuf,
        reason: std::io::Error,
    },
    /// A command-line argument is wrong.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn input(loc: Location, message: impl Into<String>) -> Self {
        Error::Input {
            loc: Box::new(loc),
            message: message.into(),
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
    pub fn io(path: &Path, reason: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            reason,
        }
    }
    /// The location of an input error, if this is one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Input { loc, .. } => Some(loc),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
