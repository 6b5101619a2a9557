//! The daemon's side of the socket: accept, check who is calling, agree on
//! the protocol version, then pump frames between the socket and an engine
//! client until either side goes away.
//!
//! Each connection is one [`engine::Client`](crate::engine::Client): the
//! engine's broadcast bus already fans events out and never waits for a
//! reader. The writer half sends with a deadline, so a client that stops
//! reading is dropped instead of holding anything up; one that falls so far
//! behind that the bus overwrote events it had not read is told (`lagged`)
//! and resynchronises with a snapshot.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::{UnixListener, UnixStream};
use tokio_util::sync::CancellationToken;

use super::frame;
use crate::engine::{ClientError, EngineHandle};
use crate::protocol::{ClientHello, Event, EventMsg, Op, PROTOCOL_VERSION};

/// How long a client has to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one frame may take to write before the client is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts connections until `stop` is cancelled.
pub async fn serve(engine: EngineHandle, listener: UnixListener, stop: CancellationToken) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let engine = engine.clone();
                    tokio::spawn(async move { connection(engine, stream).await });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stop.cancelled() => return,
        }
    }
}

/// Only the user who runs the daemon may talk to it. The socket's mode
/// (0600, in a 0700 directory) already keeps others out; this check holds
/// even if those modes are loosened.
pub fn authorized(peer_uid: u32, own_uid: u32) -> bool {
    peer_uid == own_uid
}

/// Sends the reason for refusing a connection (best effort: the caller
/// closes it next).
async fn refuse<W: tokio::io::AsyncWrite + Unpin>(
    frames: &mut tokio_util::codec::FramedWrite<W, tokio_util::codec::LengthDelimitedCodec>,
    msg: &EventMsg,
) {
    if let Ok(bytes) = serde_json::to_vec(msg) {
        let _ = frames.send(bytes::Bytes::from(bytes)).await;
    }
}

fn refusal(kind: &str, message: String, hint: Option<String>) -> EventMsg {
    EventMsg {
        seq: 0,
        to: None,
        event: Event::Error {
            thread_id: None,
            turn_id: None,
            kind: kind.into(),
            message,
            hint,
        },
    }
}

async fn connection(engine: EngineHandle, stream: UnixStream) {
    // SAFETY: getuid has no preconditions.
    let own = unsafe { libc::getuid() };
    let peer = stream.peer_cred().map(|c| c.uid());
    let (mut read, write) = stream.into_split();
    let mut frames_out = frame::writer(write);

    // Another user: read at most a small hello (so the caller gets the
    // reason rather than a broken pipe), never a large frame.
    if !matches!(peer, Ok(uid) if authorized(uid, own)) {
        tracing::warn!(peer = ?peer.ok(), "refused a connection from another user");
        let mut scratch = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_secs(1), read.read(&mut scratch)).await;
        let msg = refusal(
            "forbidden",
            "this IronClaw daemon belongs to another user".into(),
            None,
        );
        refuse(&mut frames_out, &msg).await;
        return;
    }
    let mut frames_in = frame::reader(read);
    let hello = match tokio::time::timeout(HELLO_TIMEOUT, frames_in.next()).await {
        Ok(Some(Ok(bytes))) => serde_json::from_slice::<ClientHello>(&bytes).ok(),
        _ => None,
    };
    let client_kind = match hello {
        Some(h) if h.protocol_version == PROTOCOL_VERSION => h.client,
        Some(h) => {
            let msg = refusal(
                "protocol_mismatch",
                format!(
                    "this client speaks protocol {} but the running daemon speaks {PROTOCOL_VERSION} (IronClaw {})",
                    h.protocol_version,
                    env!("CARGO_PKG_VERSION")
                ),
                Some("restart the daemon with this version: `ironclaw daemon restart`".into()),
            );
            refuse(&mut frames_out, &msg).await;
            return;
        }
        None => {
            let msg = refusal(
                "bad_handshake",
                "expected a hello frame ({\"protocol_version\":…,\"client\":…}) first".into(),
                None,
            );
            refuse(&mut frames_out, &msg).await;
            return;
        }
    };

    let mut client = engine.connect().await;
    let id = client.id;
    tracing::info!(client = id, kind = %client_kind, "client attached");
    // Ops from the socket go to the engine through the client's sender;
    // the reader half runs in its own task so a slow engine reply never
    // stops ops (an interrupt, say) from being read.
    let ops = client.sender();
    let hung_up = CancellationToken::new();
    let reader_done = hung_up.clone();
    let reader = tokio::spawn(async move {
        let _done = reader_done.drop_guard();
        while let Some(Ok(bytes)) = frames_in.next().await {
            match serde_json::from_slice::<Op>(&bytes) {
                Ok(op) => {
                    if ops.send(op).await.is_err() {
                        break;
                    }
                }
                Err(e) => tracing::warn!(client = id, error = %e, "ignored a malformed op"),
            }
        }
    });
    loop {
        tokio::select! {
            event = client.recv() => {
                let msg = match event {
                    Ok(msg) => msg,
                    Err(ClientError::Lagged(n)) => refusal(
                        "lagged",
                        format!("missed {n} events; resynchronise with a snapshot"),
                        None,
                    ),
                    Err(ClientError::Closed) => break,
                };
                let Ok(mut bytes) = serde_json::to_vec(&msg) else { continue };
                if bytes.len() > frame::MAX_FRAME {
                    // Tell the client instead of dropping it (it would only
                    // reconnect and ask again).
                    tracing::warn!(client = id, bytes = bytes.len(), "an event is too large to send");
                    let too_large = refusal(
                        "too_large",
                        format!("an event of {} MB is over the {} MB frame limit and was not sent", bytes.len() >> 20, frame::MAX_FRAME >> 20),
                        None,
                    );
                    let Ok(b) = serde_json::to_vec(&too_large) else { continue };
                    bytes = b;
                }
                match tokio::time::timeout(WRITE_TIMEOUT, frames_out.send(bytes::Bytes::from(bytes))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => break,
                    Err(_) => {
                        tracing::warn!(client = id, "dropped a client that stopped reading");
                        break;
                    }
                }
            }
            _ = hung_up.cancelled() => break,
        }
    }
    reader.abort();
    tracing::info!(client = id, "client detached");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_user_is_authorized() {
        assert!(authorized(1000, 1000));
        assert!(!authorized(1001, 1000));
        assert!(!authorized(0, 1000));
    }
}
