//! The wire format: each frame is a 4-byte big-endian length and that many
//! bytes of JSON (one [`Op`](crate::protocol::Op), one
//! [`EventMsg`](crate::protocol::EventMsg), or the opening
//! [`ClientHello`](crate::protocol::ClientHello)). Length-prefixing is
//! tokio-util's codec; this file only fixes the limits.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{FramedRead, FramedWrite, LengthDelimitedCodec};

/// Largest frame either side accepts. A snapshot of a very long thread is
/// the biggest legitimate frame; anything larger is a broken or hostile
/// peer, and the connection is dropped.
pub const MAX_FRAME: usize = 32 * 1024 * 1024;

fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

pub fn reader<R: AsyncRead>(r: R) -> FramedRead<R, LengthDelimitedCodec> {
    FramedRead::new(r, codec())
}

pub fn writer<W: AsyncWrite>(w: W) -> FramedWrite<W, LengthDelimitedCodec> {
    FramedWrite::new(w, codec())
}
