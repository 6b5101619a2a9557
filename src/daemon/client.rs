//! The client's side: a [`Connection`] to an engine, in this process or in
//! the daemon behind a socket. Frontends hold a `Connection` and never know
//! which; attaching is only this transport swap.

use std::path::{Path, PathBuf};

use futures::{SinkExt, StreamExt};
use tokio::net::UnixStream;
use tokio::sync::mpsc;

use super::frame;
use crate::engine::{Client, ClientError, EngineHandle};
use crate::protocol::{ClientHello, Event, EventMsg, Op, PROTOCOL_VERSION};

/// Events buffered between the socket reader and the frontend.
const QUEUE: usize = 4_096;
/// How long the daemon has to answer the hello.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no daemon is running (no socket at {0})")]
    NotRunning(PathBuf),
    #[error("cannot connect to the daemon at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The daemon answered the hello with an error (version, permission).
    #[error("{message}")]
    Refused {
        kind: String,
        message: String,
        hint: Option<String>,
    },
    #[error("the daemon did not complete the handshake (closed, or no answer within 3 s)")]
    Handshake,
}

/// A connection to the daemon over its Unix socket.
pub struct SocketClient {
    path: PathBuf,
    kind: String,
    ops: mpsc::Sender<Op>,
    events: mpsc::Receiver<Result<EventMsg, ClientError>>,
}

impl SocketClient {
    /// Connects and says hello. The first event returned by [`recv`] is
    /// the engine's `hello`.
    ///
    /// [`recv`]: SocketClient::recv
    pub async fn connect(path: &Path, kind: &str) -> Result<SocketClient, ConnectError> {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, Self::handshake(path, kind))
            .await
            .unwrap_or(Err(ConnectError::Handshake))
    }

    async fn handshake(path: &Path, kind: &str) -> Result<SocketClient, ConnectError> {
        let stream = UnixStream::connect(path).await.map_err(|source| {
            if matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) {
                ConnectError::NotRunning(path.to_path_buf())
            } else {
                ConnectError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        let (read, write) = stream.into_split();
        let mut frames_in = frame::reader(read);
        let mut frames_out = frame::writer(write);
        let hello = ClientHello {
            protocol_version: PROTOCOL_VERSION,
            client: kind.to_string(),
        };
        let bytes = serde_json::to_vec(&hello).map_err(|_| ConnectError::Handshake)?;
        frames_out
            .send(bytes::Bytes::from(bytes))
            .await
            .map_err(|source| ConnectError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        // The first frame is the engine's hello, or the reason for refusal.
        let first = match frames_in.next().await {
            Some(Ok(bytes)) => {
                serde_json::from_slice::<EventMsg>(&bytes).map_err(|_| ConnectError::Handshake)?
            }
            _ => return Err(ConnectError::Handshake),
        };
        if let Event::Error {
            kind,
            message,
            hint,
            ..
        } = first.event
        {
            return Err(ConnectError::Refused {
                kind,
                message,
                hint,
            });
        }

        let (event_tx, events) = mpsc::channel(QUEUE);
        let _ = event_tx.try_send(Ok(first));
        tokio::spawn(async move {
            while let Some(Ok(bytes)) = frames_in.next().await {
                let Ok(msg) = serde_json::from_slice::<EventMsg>(&bytes) else {
                    continue;
                };
                let item = match &msg.event {
                    Event::Error { kind, .. } if kind == "lagged" => Err(ClientError::Lagged(0)),
                    _ => Ok(msg),
                };
                if event_tx.send(item).await.is_err() {
                    break;
                }
            }
            // Dropping the sender tells `recv` the daemon is gone.
        });
        let (ops, mut op_rx) = mpsc::channel::<Op>(256);
        tokio::spawn(async move {
            while let Some(op) = op_rx.recv().await {
                let Ok(bytes) = serde_json::to_vec(&op) else {
                    continue;
                };
                if frames_out.send(bytes::Bytes::from(bytes)).await.is_err() {
                    break;
                }
            }
        });
        Ok(SocketClient {
            path: path.to_path_buf(),
            kind: kind.to_string(),
            ops,
            events,
        })
    }

    pub async fn send(&self, op: Op) -> Result<(), ClientError> {
        self.ops.send(op).await.map_err(|_| ClientError::Closed)
    }

    pub async fn recv(&mut self) -> Result<EventMsg, ClientError> {
        self.events.recv().await.unwrap_or(Err(ClientError::Closed))
    }
}

/// An engine to talk to: in this process, or the daemon's.
pub enum Connection {
    InProcess {
        engine: EngineHandle,
        client: Client,
    },
    Daemon(SocketClient),
}

impl Connection {
    pub async fn in_process(engine: EngineHandle) -> Connection {
        let client = engine.connect().await;
        Connection::InProcess { engine, client }
    }

    pub fn is_daemon(&self) -> bool {
        matches!(self, Connection::Daemon(_))
    }

    pub async fn send(&self, op: Op) -> Result<(), ClientError> {
        match self {
            Connection::InProcess { client, .. } => client.send(op).await,
            Connection::Daemon(c) => c.send(op).await,
        }
    }

    pub async fn recv(&mut self) -> Result<EventMsg, ClientError> {
        match self {
            Connection::InProcess { client, .. } => client.recv().await,
            Connection::Daemon(c) => c.recv().await,
        }
    }

    /// Where to reconnect to after the daemon went away (`None` in-process).
    pub fn daemon_address(&self) -> Option<(PathBuf, String)> {
        match self {
            Connection::Daemon(c) => Some((c.path.clone(), c.kind.clone())),
            Connection::InProcess { .. } => None,
        }
    }

    /// Swaps in a fresh connection to the daemon.
    pub fn replace(&mut self, fresh: SocketClient) {
        if let Connection::Daemon(c) = self {
            *c = fresh;
        }
    }

    /// Ends the session: an in-process engine is shut down (running turns
    /// are interrupted and saved); a daemon keeps running.
    pub async fn close(self) {
        if let Connection::InProcess { engine, client } = self
            && client.send(Op::Shutdown).await.is_ok()
        {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), engine.stopped()).await;
        }
    }
}
