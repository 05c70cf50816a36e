//! Status codes and the error type shared by every module.

use std::fmt;

/// Status codes returned by every fallible `rm_*` function.
///
/// Values are explicit and never reused; new codes are appended.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    NullPointer = -1,
    InvalidArgument = -2,
    BufferTooSmall = -3,
    Unsupported = -4,
    DeviceUnavailable = -5,
    Panic = -6,
    InvalidHandle = -7,
    OutOfMemory = -8,
    Io = -9,
    Backend = -10,
    Busy = -11,
    Timeout = -12,
    Cancelled = -13,
}

impl Status {
    /// All codes, for `rm_status_str` and tests.
    pub const ALL: [Status; 14] = [
        Status::Ok,
        Status::NullPointer,
        Status::InvalidArgument,
        Status::BufferTooSmall,
        Status::Unsupported,
        Status::DeviceUnavailable,
        Status::Panic,
        Status::InvalidHandle,
        Status::OutOfMemory,
        Status::Io,
        Status::Backend,
        Status::Busy,
        Status::Timeout,
        Status::Cancelled,
    ];

    /// Stable, NUL-terminated name of the code (`c"RM_ERR_BUFFER_TOO_SMALL"`).
    pub fn name_cstr(self) -> &'static std::ffi::CStr {
        match self {
            Status::Ok => c"RM_OK",
            Status::NullPointer => c"RM_ERR_NULL_POINTER",
            Status::InvalidArgument => c"RM_ERR_INVALID_ARGUMENT",
            Status::BufferTooSmall => c"RM_ERR_BUFFER_TOO_SMALL",
            Status::Unsupported => c"RM_ERR_UNSUPPORTED",
            Status::DeviceUnavailable => c"RM_ERR_DEVICE_UNAVAILABLE",
            Status::Panic => c"RM_ERR_PANIC",
            Status::InvalidHandle => c"RM_ERR_INVALID_HANDLE",
            Status::OutOfMemory => c"RM_ERR_OUT_OF_MEMORY",
            Status::Io => c"RM_ERR_IO",
            Status::Backend => c"RM_ERR_BACKEND",
            Status::Busy => c"RM_ERR_BUSY",
            Status::Timeout => c"RM_ERR_TIMEOUT",
            Status::Cancelled => c"RM_ERR_CANCELLED",
        }
    }

    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| *s as i32 == code)
    }
}

/// An error: a status code plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub status: Status,
    pub message: String,
}

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Status::InvalidArgument, message)
    }
    pub fn too_small(what: &str, needed: usize, got: usize) -> Self {
        Error::new(
            Status::BufferTooSmall,
            format!("{what} holds {got} elements, {needed} needed"),
        )
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(Status::Unsupported, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
